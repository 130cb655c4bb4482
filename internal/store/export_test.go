package store

import "strings"

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
