package models_test

import (
	"testing"

	"github.com/wbk/crm/models"
)

// TestPageSize: the one page-size rule, by which the store reads a page and the cost
// calculation prices it (internal/store checks that PageArgs follows it).
func TestPageSize(t *testing.T) {
	cases := []struct {
		first, last *int
		want        int
	}{
		{nil, nil, models.DefaultPageSize}, {new(5), nil, 5}, {nil, new(7), 7}, {new(100), nil, 100},
		{new(101), nil, models.MaxPageSize}, {nil, new(1 << 30), models.MaxPageSize}, {new(-3), nil, 0},
		{new(0), nil, 0}, {new(9), new(50), 9},
	}
	for _, c := range cases {
		if got := models.PageSize(c.first, c.last); got != c.want {
			t.Errorf("PageSize(first %v, last %v) = %d, want %d", deref(c.first), deref(c.last), got, c.want)
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
