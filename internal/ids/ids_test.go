package ids_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/ids"
)

func TestNewIDsCarryTheirKind(t *testing.T) {
	for _, prefix := range []string{ids.Workspace, ids.APIKey, ids.Contact, ids.List, ids.Campaign, ids.Deal,
		ids.Prospect, ids.LexiConversation, ids.LexiMessage, ids.LexiTask} {
		id := ids.New(prefix)
		if !strings.HasPrefix(id, prefix+"_") || len(id) != len(prefix)+1+26 {
			t.Errorf("New(%q) = %q, want %s_ and 26 characters", prefix, id, prefix)
		}
		if got := ids.Kind(id); got != prefix {
			t.Errorf("Kind(%q) = %q, want %q", id, got, prefix)
		}
	}
}

// Ids made one after another sort in the order they were made, even within one millisecond:
// "oldest first" is an index scan on the primary key.
func TestNewIDsAreUniqueAndOrdered(t *testing.T) {
	made := make([]string, 5_000)
	for i := range made {
		made[i] = ids.New(ids.Contact)
	}
	if !slices.IsSorted(made) {
		t.Error("ids made in sequence do not sort in sequence")
	}
	if len(slices.Compact(slices.Clone(made))) != len(made) {
		t.Error("New returned the same id twice")
	}
}

func TestKindRefusesWhatIsNotAnID(t *testing.T) {
	good := ids.New(ids.Deal)
	ulid := strings.TrimPrefix(good, ids.Deal+"_")
	for _, tc := range []struct{ name, id string }{
		{"empty", ""},
		{"no separator", ids.Deal + ulid},
		{"short", good[:len(good)-1]},
		{"long", good + "0"},
		{"letter outside Crockford base32", ids.Deal + "_" + ulid[:25] + "U"},
		{"overflowing timestamp", ids.Deal + "_8" + ulid[1:]},
		{"SQL", "ctc_' OR '1'='1"},
	} {
		if got := ids.Kind(tc.id); got != "" {
			t.Errorf("%s: Kind(%q) = %q, want \"\"", tc.name, tc.id, got)
		}
	}
}
