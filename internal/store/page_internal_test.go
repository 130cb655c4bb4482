package store

import "testing"

func TestCursorRoundTrip(t *testing.T) {
	tests := []cursor{
		{Order: "contacts.created", ID: "ctc_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR"},
		{Order: "contacts.email", Value: "ada@example.com", ID: "ctc_1"},
		{Order: "contacts.last_name", Value: `O"Brien \ the <first>`, ID: "ctc_2"},
		{Order: "contacts.last_name", Value: "Zoë Ångström 李", ID: "ctc_3"},
		{Order: "contacts.last_name", Value: "tab\there\x00nul", ID: "ctc_4"},
		{Order: "contacts.updated", Value: "2026-11-26T16:33:19.123456Z", ID: "ctc_5"},
	}
	for _, want := range tests {
		got, err := decodeCursor(want.encode())
		if err != nil || *got != want {
			t.Errorf("round trip of %+v gave %+v, %v", want, got, err)
		}
	}
	// A page's cursors, encoded together, are each the cursor encoded alone.
	together := make([]string, len(tests))
	encodeCursors(together, func(i int) cursor { return tests[i] })
	for i, c := range tests {
		if together[i] != c.encode() {
			t.Errorf("cursor %d of a page is %q, alone %q", i, together[i], c.encode())
		}
	}
	for _, bad := range []string{"", "!!", "e30", "bm90IGpzb24"} { // "", invalid base64, {}, "not json"
		if _, err := decodeCursor(bad); err == nil {
			t.Errorf("decodeCursor(%q) accepted a bad cursor", bad)
		}
	}
}
