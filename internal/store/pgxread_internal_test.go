package store

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/wbk/crm/models"
)

// TestArenaStringList: tags read into the arena equal what models.StringList.Scan (JSON)
// reads, for the arrays the store writes and for anything else a column could hold.
func TestArenaStringList(t *testing.T) {
	cases := []string{
		`[]`, `["vip"]`, `["a","b"]`, `["","x",""]`, `["é","日本"]`,
		`["a\"b"]`, `["\u003c"]`, `[ "a" ]`, `["a",]`, `["a""b"]`, `[1]`, `["a"`, "[\"\xff\"]", `null`,
	}
	for _, in := range cases {
		t.Run(in, func(t *testing.T) {
			var want models.StringList
			wantErr := want.Scan([]byte(in))
			var got models.StringList
			col := &arenaText{arena: &textArena{}, list: &got}
			gotErr := col.ScanBytes([]byte(in))
			if (gotErr != nil) != (wantErr != nil) {
				t.Fatalf("error %v, want %v", gotErr, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Errorf("got %s (%#v), want %s (%#v)", g, got, w, want)
			}
		})
	}
	t.Run("NULL", func(t *testing.T) {
		got := models.StringList{"stale"}
		col := &arenaText{arena: &textArena{}, list: &got}
		if err := col.ScanBytes(nil); err != nil || got == nil || len(got) != 0 {
			t.Errorf("NULL read as %#v, %v; want an empty list", got, err)
		}
	})
}

// TestTextArrayValue: the text form of a text[] parameter, quoted so that any id reads back.
func TestTextArrayValue(t *testing.T) {
	cases := []struct {
		in   textArray
		want string
	}{
		{textArray{}, `{}`},
		{textArray{"con_1"}, `{"con_1"}`},
		{textArray{"a", "b,c", `q"uote`, `back\slash`, "", "NULL", "{x}"}, `{"a","b,c","q\"uote","back\\slash","","NULL","{x}"}`},
	}
	for _, c := range cases {
		got, err := c.in.Value()
		if err != nil || got != c.want {
			t.Errorf("%q: got %v, %v; want %s", []string(c.in), got, err, c.want)
		}
	}
}
