package cost_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/cost"
)

// oversized are the documents of issue 7 finding 7 and their relatives: each is refused by
// the cheap pass, before gqlgen parses and validates it.
func oversized() []struct {
	name, query string
	reason      cost.Reason
} {
	nest := func(depth int) string {
		return strings.Repeat("viewer { workspace { ", depth/2) + "id" + strings.Repeat(" } }", depth/2)
	}
	return []struct {
		name, query string
		reason      cost.Reason
	}{
		// 45 KB, 14,990 × id: under the token limit, over the field limit.
		{"14,990 ids", "{ viewer { workspace { " + strings.Repeat("id ", 14_990) + "} } }", cost.ReasonFields},
		{"7,000 __typename", "{ " + strings.Repeat("__typename ", 7_000) + "}", cost.ReasonFields},
		{"20,000 tokens", "{ " + strings.Repeat("id ", 20_000) + "}", cost.ReasonTokens},
		{"2,001 aliases", aliasesOf(cost.MaxFields + 1), cost.ReasonFields},
		{"depth 16", "{ " + nest(16) + " }", cost.ReasonDepth},
		{"fragment spread into 2,001 selection sets", fragmentFanOut(2_001, 1), cost.ReasonFields},
		// Few fields as written, 4,004 once the fragment is expanded: refused by the walk.
		{"fragment of 3 fields spread 1,001 times", fragmentFanOut(1_001, 3), cost.ReasonFields},
	}
}

func aliasesOf(n int) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: __typename ", i)
	}
	b.WriteString("}")
	return b.String()
}

// fragmentFanOut spreads one fragment of size fields into n aliased selections.
func fragmentFanOut(n, size int) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: viewer { ...F } ", i)
	}
	b.WriteString("} fragment F on Viewer { " + strings.Repeat("__typename ", size) + "}")
	return b.String()
}

func TestPrecheckRefusesOversizedDocuments(t *testing.T) {
	for _, c := range oversized() {
		t.Run(c.name, func(t *testing.T) {
			if got := cost.Precheck(c.query).Refused; got != c.reason {
				t.Errorf("Refused = %q, want %q", got, c.reason)
			}
		})
	}
}

func TestPrecheckAllowsDocumentsAtTheLimits(t *testing.T) {
	nest := strings.Repeat("a { ", cost.MaxDepth-1) + "b" + strings.Repeat(" }", cost.MaxDepth-1)
	cases := map[string]string{
		"2,000 fields":    aliasesOf(cost.MaxFields),
		"depth 15":        "{ " + nest + " }",
		"15,000 tokens":   "{ a(x: [" + strings.Repeat("1 ", cost.MaxTokens-9) + "]) }",
		"fragment merged": "{ viewer { ...F ...F ...F } } fragment F on Viewer { __typename }",
		"fragment cycle":  "{ viewer { ...F } } fragment F on Viewer { ...F }",
		"comments free":   "{ a }" + strings.Repeat("\n# comment", 20_000),
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			if s := cost.Precheck(q); s.Refused != cost.ReasonNone || !s.Parsed {
				t.Errorf("got %+v, want parsed and not refused", s)
			}
		})
	}
}

func TestPrecheckReportsOperationKinds(t *testing.T) {
	s := cost.Precheck("query A { a } subscription B { b }")
	if s.Operation("A") != ast.Query || s.Operation("B") != ast.Subscription || s.Operation("") != "" {
		t.Errorf("got %+v", s.Operations)
	}
	if s := cost.Precheck("subscription { b }"); s.Operation("") != ast.Subscription {
		t.Errorf("anonymous: got %+v", s.Operations)
	}
	if s := cost.Precheck("{ a"); s.Parsed || s.Refused != cost.ReasonNone {
		t.Errorf("syntax error: got %+v, want unparsed and left to the parser's report", s)
	}
}

// BenchmarkPrecheckOversized measures the cheap pass on each refused shape; the worst case
// must stay well under 50 ms. Run: go test ./internal/cost -run XXX -bench Precheck -benchmem
func BenchmarkPrecheckOversized(b *testing.B) {
	for _, c := range oversized() {
		b.Run(strings.ReplaceAll(c.name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(c.query)))
			for b.Loop() {
				if cost.Precheck(c.query).Refused != c.reason {
					b.Fatal("not refused")
				}
			}
		})
	}
}
