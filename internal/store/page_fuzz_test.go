package store

import (
	"testing"
	"unicode/utf8"

	"github.com/wbk/crm/internal/apperr"
)

// FuzzCursor: any text a client sends as a cursor is either refused as BAD_USER_INPUT naming
// the argument, or is a cursor that encodes back to itself; any cursor the store makes
// decodes to itself, alone or among a page's cursors.
func FuzzCursor(f *testing.F) {
	for _, c := range []cursor{{Order: "contacts.created", ID: "ctc_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR"},
		{Order: "contacts.last_name", Value: `O"Brien \ <x>`, ID: "ctc_2"}, {Order: "o", Value: "Zoë", ID: "i"}} {
		f.Add(c.encode(), c.Order, c.Value, c.ID)
	}
	f.Add("", "", "", "")
	f.Add("e30", "o", "", "x")
	f.Add("!!", "o", "\x00", "x")
	f.Fuzz(func(t *testing.T, sent, order, value, id string) {
		if c, err := decodeCursor(sent); err == nil {
			again, err := decodeCursor(c.encode())
			if err != nil || *again != *c {
				t.Fatalf("decoded %q to %+v, which does not round-trip: %+v %v", sent, c, again, err)
			}
		}
		first := 10
		_, err := PageArgs{First: &first, After: &sent}.spec()
		if err != nil {
			if e := apperr.As(err); e == nil || e.Code != apperr.EINVALID || e.Field != "after" {
				t.Fatalf("cursor %q refused with %v, want EINVALID for after", sent, err)
			}
		}
		if id == "" || !utf8.ValidString(order) || !utf8.ValidString(value) || !utf8.ValidString(id) {
			return
		}
		made := cursor{Order: order, Value: value, ID: id}
		got, err := decodeCursor(made.encode())
		if err != nil || *got != made {
			t.Fatalf("%+v round-trips to %+v, %v", made, got, err)
		}
		page := make([]string, 2)
		encodeCursors(page, func(int) cursor { return made })
		if page[0] != made.encode() || page[1] != made.encode() {
			t.Fatalf("a page's cursor %q differs from the cursor alone %q", page[0], made.encode())
		}
	})
}
