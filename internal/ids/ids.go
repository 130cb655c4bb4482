// Package ids makes the opaque, prefixed identifiers the API exposes. They are ULIDs: random
// enough that nobody can guess another tenant's ids or count them, and time-ordered so that
// "oldest first" is an index scan on the primary key.
package ids

import (
	"crypto/rand"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Prefixes name the kind of entity an id belongs to, so that node(id) can dispatch on it.
const (
	Workspace = "wks"
	APIKey    = "key"
	Contact   = "ctc"
	List      = "lst"
	Campaign  = "cmp"
	Deal      = "dea"
	Prospect  = "prs"

	LexiConversation = "lxc"
	LexiMessage      = "lxm"
	LexiTask         = "ltk"

	WebhookEndpoint = "wep"
	WebhookEvent    = "evt"
	WebhookDelivery = "whd"
)

var (
	mu      sync.Mutex
	entropy = ulid.Monotonic(rand.Reader, 0)
)

// New returns a fresh id such as ctc_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR.
func New(prefix string) string {
	mu.Lock()
	id := ulid.MustNew(ulid.Timestamp(time.Now()), entropy)
	mu.Unlock()
	return prefix + "_" + id.String()
}

// Kind returns the prefix of id, or "" when id does not look like one of ours.
func Kind(id string) string {
	prefix, rest, ok := strings.Cut(id, "_")
	if !ok || len(rest) != ulid.EncodedSize {
		return ""
	}
	if _, err := ulid.ParseStrict(rest); err != nil {
		return ""
	}
	return prefix
}
