package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/testenv"
)

// apqBody is a POST body registering query under its hash (or, with an empty query, asking
// for the hash alone).
func apqBody(query, hash string) string {
	q, _ := json.Marshal(query)
	body := `"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`
	if query == "" {
		return "{" + body + "}"
	}
	return `{"query":` + string(q) + "," + body + "}"
}

// TestPersistedQueriesKeepOnlyWhatRan: a registration keeps a document only when it parsed,
// passed the cheap pre-check and is not huge; anything else is answered as sent and never
// found by its hash later, so a client cannot make the server hold what it never ran.
func TestPersistedQueriesKeepOnlyWhatRan(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "APQ")
	cases := []struct {
		name, query string
		kept        bool
	}{
		{"a document that does not parse", `{ viewer(x: "` + strings.Repeat("p", 10<<10) + `" { id }`, false},
		{"a document that does not lex", `{ viewer(x: "` + strings.Repeat("l", 10<<10), false},
		{"a document over the token limit", "{ " + strings.Repeat("viewer { apiKey { name } } ", 2000) + "}", false},
		{"a document over the size a registration may keep", `{ contacts(filter: {search: "` + strings.Repeat("s", 100<<10) + `"}) { totalCount } }`, false},
		{"bad text", "{ contacts(filter: {search: \"\x00\"}) { totalCount } }", false},
		{"an ordinary document", `{ viewer { workspace { name } } }`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hash := sha256Hex(c.query)
			env.Do(t, protocolRequest(http.MethodPost, "/graphql", key, apqBody(c.query, hash), nil))
			r := env.Do(t, protocolRequest(http.MethodPost, "/graphql", key, apqBody("", hash), nil))
			if kept := r.Code() != "PERSISTED_QUERY_NOT_FOUND"; kept != c.kept {
				t.Errorf("kept = %v, want %v: %.300s", kept, c.kept, r.Raw)
			}
		})
	}
}

// BenchmarkAPQFlood registers 250 distinct 400 KB documents that do not parse, then 250 that
// parse and are within the cheap limits, and reports how much the process's resident memory
// grew (MB-rss, as ps would see it, and MB-rss-after-gc once the garbage is returned) and
// what stays on the heap (MB-heap).
//
//	go test ./internal/httpapi -run '^$' -bench APQFlood -benchtime 1x
func BenchmarkAPQFlood(b *testing.B) {
	env := testenv.New(b)
	_, key := env.Tenant(b, "Flood")
	pad := strings.Repeat("b", 400<<10)
	flood := func(round int) {
		for i := range 250 {
			broken := fmt.Sprintf(`{ a(x: "%d_%d %s" { id }`, round, i, pad)
			parses := fmt.Sprintf(`{ contacts(filter: {search: "%d_%d %s"}) { totalCount } }`, round, i, pad)
			for _, q := range []string{broken, parses} {
				rec := surfaceServe(env.Handler, protocolRequest(http.MethodPost, "/graphql", key, apqBody(q, sha256Hex(q)), nil))
				if rec.Code >= 500 {
					b.Fatalf("status %d", rec.Code)
				}
			}
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	rss0, heap0 := residentMB(b), heapMB()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		flood(i)
	}
	b.StopTimer()
	rss1 := residentMB(b)
	runtime.GC()
	debug.FreeOSMemory()
	b.ReportMetric(rss1-rss0, "MB-rss")
	b.ReportMetric(residentMB(b)-rss0, "MB-rss-after-gc")
	b.ReportMetric(heapMB()-heap0, "MB-heap")
}

// residentMB is the process's resident set size (Linux).
func residentMB(b *testing.B) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	b.Skip("no VmRSS")
	return 0
}

func heapMB() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}
