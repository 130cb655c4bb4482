package ids_test

import (
	"strings"
	"testing"

	"github.com/wbk/crm/internal/ids"
)

// FuzzKind: an id is recognised only as prefix_ plus a strict ULID, its kind is its prefix,
// and a new id of any kind Kind recognises round-trips to that kind.
func FuzzKind(f *testing.F) {
	for _, s := range []string{ids.New(ids.Contact), ids.New(ids.List), "ctc_", "ctc_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR",
		"ctc_81JD3V6Q4Q7W8ZJ5X9N2K4M6PR", "_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR", "a_b_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR", "ctc_01jd3v6q4q7w8zj5x9n2k4m6pr"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		kind := ids.Kind(id)
		if kind == "" {
			return
		}
		if !strings.HasPrefix(id, kind+"_") || len(id) != len(kind)+1+26 || strings.Contains(kind, "_") {
			t.Fatalf("Kind(%q) = %q", id, kind)
		}
		again := ids.New(kind)
		if ids.Kind(again) != kind || len(again) != len(id) {
			t.Fatalf("New(%q) = %q, of kind %q", kind, again, ids.Kind(again))
		}
	})
}
