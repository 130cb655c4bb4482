package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	_ "time/tzdata" // the time zone of TestFastPathAnswersAsGqlgenInAnotherTimeZone, on any machine

	"github.com/wbk/crm/internal/httpapi"
)

// diffFixture is one database seen through both handlers, a workspace with awkward data and a

type diffRequest struct {
	method        string // "" is POST
	query         string
	vars          map[string]any
	operationName string
	accept        string // "" sends no Accept header
	body          string // when set, the POST body as is (query, vars and operationName unused)
	key           string // "" is the fixture's key with every permission
}

func (r diffRequest) build(key string) *http.Request {
	var req *http.Request
	if r.method == http.MethodGet {
		q := url.Values{"query": {r.query}}
		if r.vars != nil {
			v, _ := json.Marshal(r.vars)
			q.Set("variables", string(v))
		}
		if r.operationName != "" {
			q.Set("operationName", r.operationName)
		}
		req = httptest.NewRequest(http.MethodGet, "/graphql?"+q.Encode(), nil)
	} else {
		body := r.body
		if body == "" {
			doc := map[string]any{"query": r.query}
			if r.vars != nil {
				doc["variables"] = r.vars
			}
			if r.operationName != "" {
				doc["operationName"] = r.operationName
			}
			b, _ := json.Marshal(doc)
			body = string(b)
		}
		req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	// The same id on both requests of a pair: errors carry it in extensions.requestId, and a
	// fresh random one per request would be a difference of the test's making.
	req.Header.Set(httpapi.RequestIDHeader, "diff-request")
	return req
}

// diffAnswer is what the comparison looks at.
type diffAnswer struct {
	status      int
	contentType string
	body        []byte
}

func diffServe(h http.Handler, req *http.Request) diffAnswer {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return diffAnswer{status: rec.Code, contentType: rec.Header().Get("Content-Type"), body: rec.Body.Bytes()}
}

// ask sends r to the generic handler, then to the direct one, and fails the test unless both
// answers are identical and free of the other workspace's data. It returns the direct answer.
func (f *diffFixture) ask(t testing.TB, r diffRequest) diffAnswer {
	t.Helper()
	key := f.key
	if r.key != "" {
		key = r.key
	}
	generic := diffServe(f.generic.Handler, r.build(key))
	direct := diffServe(f.fast.Handler, r.build(key))
	// A dry run charges nothing: the second call then sees the same counters as the first.
	charged := !strings.Contains(r.query, "dryRun: true")
	if msg := diffMismatch(generic, direct, charged); msg != "" {
		t.Errorf("gqlfast answers differently from gqlgen: %s\nquery: %s\nvariables: %s", msg, r.query, diffJSON(r.vars))
	}
	for _, id := range f.foreign {
		if bytes.Contains(bytes.ToLower(direct.body), []byte(strings.ToLower(id))) {
			t.Errorf("the answer holds %q of another workspace:\n%s", id, direct.body)
		}
	}
	return direct
}

func diffJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// diffMismatch describes how direct differs from generic (sent first, on the same key), or
// returns "".
func diffMismatch(generic, direct diffAnswer, charged bool) string {
	var msg []string
	if generic.status != direct.status {
		msg = append(msg, fmt.Sprintf("status %d (gqlgen) vs %d (direct)", generic.status, direct.status))
	}
	if generic.contentType != direct.contentType {
		msg = append(msg, fmt.Sprintf("Content-Type %q (gqlgen) vs %q (direct)", generic.contentType, direct.contentType))
	}
	g, d, err := diffNormalize(generic.body, direct.body, charged)
	if err != "" {
		msg = append(msg, err)
	}
	if !bytes.Equal(g, d) {
		msg = append(msg, "bodies differ:\n"+diffBodies(g, d))
	}
	return strings.Join(msg, "\n")
}

// diffNormalize returns both bodies with the only numbers that legitimately differ replaced.
//
// Both calls of a pair use the same key on the same rate-limit store, and the second (direct)
// is charged after the first: in the top-level extensions.rateLimit (and the X-RateLimit
// headers, which are not compared) "used" is higher by the first call's cost and "remaining"
// lower by it, in both windows. That exact relation is checked, then the four numbers are
// replaced by the first call's in the direct body. Everything else, resetAt included (both
// limiters share one fixed clock), stays byte for byte. Queries that select
// rateLimit { used remaining } in data select it with dryRun: true, which charges nothing,
// or leave those fields out.
func diffNormalize(generic, direct []byte, charged bool) ([]byte, []byte, string) {
	direct = diffErrorOrder(generic, direct)
	_, _, gExt := diffMember(generic, "extensions")
	ds, de, dExt := diffMember(direct, "extensions")
	if gExt == nil || dExt == nil {
		return generic, direct, "" // no extensions (an unauthenticated or unparsable request): compare as is
	}
	type window struct {
		Limit, Remaining, Used int64
		ResetAt                string
	}
	type rate struct {
		Cost int64
		window
		Minute window
	}
	var gr, dr struct{ RateLimit *rate }
	if json.Unmarshal(gExt, &gr) != nil || json.Unmarshal(dExt, &dr) != nil || gr.RateLimit == nil || dr.RateLimit == nil {
		return generic, direct, ""
	}
	var problems []string
	cost := gr.RateLimit.Cost
	if !charged {
		cost = 0
	}
	for _, w := range []struct {
		name string
		g, d window
	}{{"day", gr.RateLimit.window, dr.RateLimit.window}, {"minute", gr.RateLimit.Minute, dr.RateLimit.Minute}} {
		if w.d.Used != w.g.Used+cost || w.d.Remaining != w.g.Remaining-cost {
			problems = append(problems, fmt.Sprintf("extensions.rateLimit %s window: gqlgen used %d remaining %d charged %d, then direct used %d remaining %d",
				w.name, w.g.Used, w.g.Remaining, cost, w.d.Used, w.d.Remaining))
		}
	}
	// One pass over the direct extensions, so that a replaced number is never replaced again.
	want := map[string]int64{}
	for _, w := range []struct{ d, g window }{{dr.RateLimit.window, gr.RateLimit.window}, {dr.RateLimit.Minute, gr.RateLimit.Minute}} {
		want[fmt.Sprintf(`"used":%d`, w.d.Used)] = w.g.Used
		want[fmt.Sprintf(`"remaining":%d`, w.d.Remaining)] = w.g.Remaining
	}
	fixed := diffRateNumber.ReplaceAllFunc(dExt, func(m []byte) []byte {
		if n, ok := want[string(m)]; ok {
			return fmt.Appendf(nil, `%s:%d`, m[:bytes.IndexByte(m, ':')], n)
		}
		return m
	})
	out := append(append(append([]byte{}, direct[:ds]...), fixed...), direct[de:]...)
	return generic, out, strings.Join(problems, "\n")
}

var diffRateNumber = regexp.MustCompile(`"(used|remaining)":\d+`)

// diffErrorOrder returns direct with its top-level errors in generic's order when the two
// lists hold the same errors, byte for byte, in another order. gqlgen runs the resolvers of
// resolver-bound fields (Contact.lists, …) concurrently and lists their errors as they come:
// its own order differs from one call to the next (nested lists(first: -1) over three
// contacts gives paths 2, 0, 1 one time and 0, 1, 2 the next), so only the set is an answer.
func diffErrorOrder(generic, direct []byte) []byte {
	_, _, g := diffMember(generic, "errors")
	ds, de, d := diffMember(direct, "errors")
	if g == nil || d == nil || bytes.Equal(g, d) {
		return direct
	}
	var ge, de2 []json.RawMessage
	if json.Unmarshal(g, &ge) != nil || json.Unmarshal(d, &de2) != nil || len(ge) != len(de2) {
		return direct
	}
	sorted := func(list []json.RawMessage) []string {
		out := make([]string, len(list))
		for i, e := range list {
			out[i] = string(e)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(sorted(ge), sorted(de2)) {
		return direct
	}
	return append(append(append([]byte{}, direct[:ds]...), g...), direct[de:]...)
}

// diffMember finds the top-level member name of a response body: its value's start and end
// offsets and bytes, or nil.
func diffMember(body []byte, name string) (int, int, []byte) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0, 0, nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return 0, 0, nil
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return 0, 0, nil
		}
		if tok == name {
			end := int(dec.InputOffset())
			return end - len(raw), end, raw
		}
	}
	return 0, 0, nil
}

// diffBodies shows where two bodies differ: the byte offset with the bytes around it, then
// both indented around the first differing line (indenting keeps every token as written).
func diffBodies(generic, direct []byte) string {
	i := 0
	for i < len(generic) && i < len(direct) && generic[i] == direct[i] {
		i++
	}
	from := max(0, i-60)
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at byte %d of %d (gqlgen) / %d (direct)\n  gqlgen: …%s…\n  direct: …%s…\n",
		i, len(generic), len(direct), generic[from:min(len(generic), i+60)], direct[from:min(len(direct), i+60)])
	var gi, di bytes.Buffer
	if json.Indent(&gi, generic, "", "  ") != nil || json.Indent(&di, direct, "", "  ") != nil {
		fmt.Fprintf(&b, "gqlgen: %s\ndirect: %s", generic, direct)
		return b.String()
	}
	gl, dl := strings.Split(gi.String(), "\n"), strings.Split(di.String(), "\n")
	line := 0
	for line < len(gl) && line < len(dl) && gl[line] == dl[line] {
		line++
	}
	show := func(name string, lines []string) {
		fmt.Fprintf(&b, "--- %s, lines %d-:\n", name, max(0, line-6)+1)
		for j := max(0, line-6); j < min(len(lines), line+6); j++ {
			mark := "  "
			if j == line {
				mark = "> "
			}
			b.WriteString(mark + lines[j] + "\n")
		}
	}
	show("gqlgen", gl)
	show("direct", dl)
	return b.String()
}

// Selections reused by the corpus below.
const (
	diffAllScalars = `id email firstName lastName fullName company title phone tags createdAt updatedAt __typename`
	diffPageInfo   = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }`
	diffListFields = `id name description contactCount createdAt updatedAt __typename`
	diffDealFields = `id title amount currency stage closeDate createdAt updatedAt __typename`
	// diffEveryField selects every Contact field, its nested connections whole.
	diffEveryField = diffAllScalars + `
	  lists(first: 3) { __typename totalCount ` + diffPageInfo + ` edges { __typename cursor node { ` + diffListFields + ` } } nodes { id name } }
	  deals(first: 3) { __typename totalCount ` + diffPageInfo + ` edges { __typename cursor node { ` + diffDealFields + ` } } nodes { id amount } }`
	diffDashboard = `{ contacts(first: 50) { nodes { id email fullName company
	  lists(first: 5) { nodes { id name } } deals(first: 5) { nodes { id title amount stage } } } } }`
)

// diffCase is one request of the corpus; vars, when set, builds its variables from the
// fixture's ids and cursors.
type diffCase struct {
	name    string
	query   string
	vars    func(f *diffFixture) map[string]any
	request func(r *diffRequest) // adjusts the request: method, Accept, operationName, body
}
