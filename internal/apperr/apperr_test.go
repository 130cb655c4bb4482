package apperr_test

import (
	"fmt"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/models"
)

// A caller's malformed scalar, reported by models (which does not import apperr), reaches
// the transport as EINVALID with its message; other errors keep their code or are internal.
func TestCodeOf(t *testing.T) {
	_, badTime := models.UnmarshalTime("yesterday")
	var badDate models.Date
	cases := []struct {
		name string
		err  error
		want apperr.Code
	}{
		{"no error", nil, ""},
		{"application error", apperr.NotFound("contact", "x"), apperr.ENOTFOUND},
		{"wrapped application error", fmt.Errorf("reading: %w", apperr.Conflict("taken")), apperr.ECONFLICT},
		{"malformed time", badTime, apperr.EINVALID},
		{"malformed date", badDate.UnmarshalGQL(20260131), apperr.EINVALID},
		{"wrapped malformed value", fmt.Errorf("input.closeDate: %w", badDate.UnmarshalGQL("31/01/2026")), apperr.EINVALID},
		{"anything else", fmt.Errorf("disk on fire"), apperr.EINTERNAL},
	}
	for _, c := range cases {
		if got := apperr.CodeOf(c.err); got != c.want {
			t.Errorf("%s: CodeOf(%v) = %q, want %q", c.name, c.err, got, c.want)
		}
	}
	if e := apperr.As(badTime); e == nil || e.Message != badTime.Error() {
		t.Errorf("As(malformed time) = %v, want EINVALID with the message %q", e, badTime)
	}
}
