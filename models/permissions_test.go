package models

import (
	"slices"
	"testing"
)

func TestPermissionSet(t *testing.T) {
	cases := []struct {
		stored string
		has    []Permission
		list   string // the stored form written back
	}{
		{"read", []Permission{PermissionRead}, "read"},
		{"read,write,lexi", []Permission{PermissionRead, PermissionWrite, PermissionLexi}, "read,write,lexi"},
		{"lexi,read", []Permission{PermissionRead, PermissionLexi}, "read,lexi"},
		{"READ,admin,", nil, ""}, // stored names are lower-case; unknown ones grant nothing
		{"", nil, ""},
	}
	for _, c := range cases {
		var s PermissionSet
		if err := s.Scan([]byte(c.stored)); err != nil {
			t.Fatalf("Scan(%q): %v", c.stored, err)
		}
		for _, p := range AllPermission {
			if got, want := s.Has(p), slices.Contains(c.has, p); got != want {
				t.Errorf("%q: Has(%s) = %v, want %v", c.stored, p, got, want)
			}
		}
		if !slices.Equal(s.List(), c.has) {
			t.Errorf("%q: List() = %v, want %v", c.stored, s.List(), c.has)
		}
		if v, _ := s.Value(); v != c.list {
			t.Errorf("%q: Value() = %v, want %q", c.stored, v, c.list)
		}
	}
	if err := new(PermissionSet).Scan(42); err == nil {
		t.Error("Scan accepted an integer")
	}
}
