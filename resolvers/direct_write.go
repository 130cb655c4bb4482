package resolvers

import (
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/wbk/crm/models"
)

// output is the direct path's answer for one root field: JSON written exactly as the
// generated executor writes it (gqlgen's string escaping, no spaces, fields in response
// order), handed to gqlgen as the field's Marshaler.
type output struct {
	b []byte
	// broken: the data broke a promise of the schema (a nil page, edge or node where the
	// schema says non-null). The answer is dropped and the generated executor answers,
	// with the error it reports for it.
	broken bool
}

var outputs = sync.Pool{New: func() any { return &output{b: make([]byte, 0, 16<<10)} }}

func newOutput() *output { return outputs.Get().(*output) }

// release returns the buffer for the next answer; a very large one is left to the GC.
func (o *output) release() {
	if cap(o.b) > 1<<20 {
		return
	}
	o.b, o.broken = o.b[:0], false
	outputs.Put(o)
}

// MarshalGQL writes the answer once; the buffer then goes back to the pool.
func (o *output) MarshalGQL(w io.Writer) {
	_, _ = w.Write(o.b)
	o.release()
}

// startField writes the separator and the key of an object's i-th field, and __typename
// whole; it reports whether the field's value is left to write.
func (o *output) startField(i int, f *selected) bool {
	if i > 0 {
		o.b = append(o.b, ',')
	}
	o.b = append(o.b, f.key...)
	if f.kind == fTypename {
		o.b = append(o.b, f.typename...)
		return false
	}
	return true
}

// writeObject writes v's selected fields, value writing each field's value; a nil v breaks
// the schema's promise (every object the direct path writes is non-null where it appears).
func writeObject[T any](o *output, sel *selection, v *T, value func(o *output, f *selected, v *T)) {
	if v == nil {
		o.broken = true
		return
	}
	o.b = append(o.b, '{')
	for i := range sel.fields {
		if f := &sel.fields[i]; o.startField(i, f) {
			value(o, f, v)
		}
	}
	o.b = append(o.b, '}')
}

func (o *output) contactConnection(sel *selection, c *models.ContactConnection, total int) {
	if c == nil {
		o.broken = true
		return
	}
	writeConnection(o, sel, c.Edges, c.PageInfo, total,
		func(e *models.ContactEdge) string { return e.Cursor },
		func(o *output, sel *selection, e *models.ContactEdge) { o.contact(sel, e.Node) })
}

func (o *output) listConnection(sel *selection, c *models.ListConnection, total int) {
	if c == nil {
		o.broken = true
		return
	}
	writeConnection(o, sel, c.Edges, c.PageInfo, total,
		func(e *models.ListEdge) string { return e.Cursor },
		func(o *output, sel *selection, e *models.ListEdge) { o.list(sel, e.Node) })
}

func (o *output) dealConnection(sel *selection, c *models.DealConnection, total int) {
	if c == nil {
		o.broken = true
		return
	}
	writeConnection(o, sel, c.Edges, c.PageInfo, total,
		func(e *models.DealEdge) string { return e.Cursor },
		func(o *output, sel *selection, e *models.DealEdge) { o.deal(sel, e.Node) })
}

// writeConnection writes a connection: edges and nodes both walk the edges, as
// Connection.Nodes does.
func writeConnection[E any](o *output, sel *selection, edges []*E, info *models.PageInfo, total int,
	cursor func(*E) string, node func(*output, *selection, *E)) {
	o.b = append(o.b, '{')
	for i := range sel.fields {
		f := &sel.fields[i]
		if !o.startField(i, f) {
			continue
		}
		switch f.kind {
		case fEdges:
			o.b = append(o.b, '[')
			for j, e := range edges {
				if j > 0 {
					o.b = append(o.b, ',')
				}
				writeEdge(o, f.sub, e, cursor, node)
			}
			o.b = append(o.b, ']')
		case fNodes:
			o.b = append(o.b, '[')
			for j, e := range edges {
				if j > 0 {
					o.b = append(o.b, ',')
				}
				if e == nil {
					o.broken = true
					return
				}
				node(o, f.sub, e)
			}
			o.b = append(o.b, ']')
		case fPageInfo:
			o.pageInfo(f.sub, info)
		case fTotalCount:
			o.b = strconv.AppendInt(o.b, int64(total), 10)
		}
	}
	o.b = append(o.b, '}')
}

func writeEdge[E any](o *output, sel *selection, e *E, cursor func(*E) string, node func(*output, *selection, *E)) {
	if e == nil {
		o.broken = true
		return
	}
	o.b = append(o.b, '{')
	for i := range sel.fields {
		f := &sel.fields[i]
		if !o.startField(i, f) {
			continue
		}
		switch f.kind {
		case fCursor:
			o.string(cursor(e))
		case fNode:
			node(o, f.sub, e)
		}
	}
	o.b = append(o.b, '}')
}

func (o *output) pageInfo(sel *selection, p *models.PageInfo) { writeObject(o, sel, p, pageInfoValue) }

func pageInfoValue(o *output, f *selected, p *models.PageInfo) {
	switch f.kind {
	case fHasNextPage:
		o.b = strconv.AppendBool(o.b, p.HasNextPage)
	case fHasPreviousPage:
		o.b = strconv.AppendBool(o.b, p.HasPreviousPage)
	case fStartCursor:
		o.optString(p.StartCursor)
	case fEndCursor:
		o.optString(p.EndCursor)
	}
}

func (o *output) contact(sel *selection, c *models.Contact) { writeObject(o, sel, c, contactValue) }

func contactValue(o *output, f *selected, c *models.Contact) {
	switch f.kind {
	case fID:
		o.string(c.ID)
	case fEmail:
		o.string(c.Email)
	case fFirstName:
		o.optString(c.FirstName)
	case fLastName:
		o.optString(c.LastName())
	case fFullName:
		o.fullName(c)
	case fCompany:
		o.optString(c.Company)
	case fTitle:
		o.optString(c.Title)
	case fPhone:
		o.optString(c.Phone)
	case fTags:
		o.b = append(o.b, '[')
		for j, t := range c.TagList {
			if j > 0 {
				o.b = append(o.b, ',')
			}
			o.string(t)
		}
		o.b = append(o.b, ']')
	case fCreatedAt:
		o.time(c.CreatedAt)
	case fUpdatedAt:
		o.time(c.UpdatedAt)
	case fLists:
		r := f.read
		o.listConnection(f.sub, r.lists[c.ID], r.counts[c.ID])
	case fDeals:
		r := f.read
		o.dealConnection(f.sub, r.deals[c.ID], r.counts[c.ID])
	}
}

// fullName writes Contact.FullName without building the joined string: escaping each part
// and the space between them is escaping the whole.
func (o *output) fullName(c *models.Contact) {
	first := ""
	if c.FirstName != nil {
		first = *c.FirstName
	}
	last := c.LastNameValue
	switch {
	case first == "" && last == "":
		o.string(c.Email)
	case last == "":
		o.string(first)
	case first == "":
		o.string(last)
	default:
		o.b = append(o.b, '"')
		o.b = appendEscaped(o.b, first)
		o.b = append(o.b, ' ')
		o.b = appendEscaped(o.b, last)
		o.b = append(o.b, '"')
	}
}

func (o *output) list(sel *selection, l *models.List) { writeObject(o, sel, l, listValue) }

func listValue(o *output, f *selected, l *models.List) {
	switch f.kind {
	case fID:
		o.string(l.ID)
	case fName:
		o.string(l.Name)
	case fDescription:
		o.optString(l.Description)
	case fContactCount:
		o.b = strconv.AppendInt(o.b, int64(f.side.counts[l.ID]), 10)
	case fCreatedAt:
		o.time(l.CreatedAt)
	case fUpdatedAt:
		o.time(l.UpdatedAt)
	}
}

func (o *output) deal(sel *selection, d *models.Deal) { writeObject(o, sel, d, dealValue) }

func dealValue(o *output, f *selected, d *models.Deal) {
	switch f.kind {
	case fID:
		o.string(d.ID)
	case fTitle:
		o.string(d.Title)
	case fAmount:
		o.b = strconv.AppendInt(o.b, d.Amount, 10)
	case fCurrency:
		o.string(d.Currency)
	case fStage:
		// enums and dates marshal with strconv.Quote (models' MarshalGQL)
		o.b = strconv.AppendQuote(o.b, d.Stage.String())
	case fContact:
		// nullable: no contact, or one deleted since the deal was read, is null as for gqlgen
		var c *models.Contact
		if d.ContactID != nil {
			c = f.side.contacts[*d.ContactID]
		}
		if c == nil {
			o.b = append(o.b, "null"...)
		} else {
			o.contact(f.sub, c)
		}
	case fCloseDate:
		if d.CloseDate == nil {
			o.b = append(o.b, "null"...)
		} else {
			o.b = strconv.AppendQuote(o.b, string(*d.CloseDate))
		}
	case fCreatedAt:
		o.time(d.CreatedAt)
	case fUpdatedAt:
		o.time(d.UpdatedAt)
	}
}

func (o *output) string(s string) {
	o.b = append(o.b, '"')
	o.b = appendEscaped(o.b, s)
	o.b = append(o.b, '"')
}

func (o *output) optString(s *string) {
	if s == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.string(*s)
}

// time writes a Time as models.MarshalTime does: RFC 3339 with nanoseconds, in UTC.
func (o *output) time(t time.Time) {
	o.b = append(o.b, '"')
	o.b = t.UTC().AppendFormat(o.b, time.RFC3339Nano)
	o.b = append(o.b, '"')
}

const hexDigits = "0123456789ABCDEF"

// appendEscaped escapes s as gqlgen's string marshaler does: control characters, backslash
// and double quote; everything else, invalid UTF-8 included, is copied as it is. Only ASCII
// bytes are escaped, so walking bytes instead of runes gives the same result.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	return append(b, s[start:]...)
}
