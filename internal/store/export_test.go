package store

import (
	"strings"

	"github.com/wbk/crm/models"
)

// OrderingColumns lists "table.column" for the column of every keyset ordering that has one.
func OrderingColumns() []string {
	var out []string
	add := func(col string) {
		if col != "" {
			out = append(out, col)
		}
	}
	for _, o := range contactOrders {
		add(o.column)
	}
	for _, col := range []string{listOrder.column, dealOrder.column, campaignOrder.column, lexiTaskOrder.column, prospectOrder.column} {
		add(col)
	}
	return out
}

// SplitColumn splits "table.column".
func SplitColumn(c string) (table, column string) {
	table, column, _ = strings.Cut(c, ".")
	return table, column
}

// ContactCursor is the cursor of contact c in the ordering by field.
func ContactCursor(field models.ContactOrderField, c *models.Contact) string {
	o := contactOrders[field]
	cur := cursor{Order: o.name, ID: o.id(c)}
	if o.value != nil {
		cur.Value = o.value(c)
	}
	return cur.encode()
}
