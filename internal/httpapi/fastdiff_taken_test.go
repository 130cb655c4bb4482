package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	_ "time/tzdata" // the time zone of TestFastPathAnswersAsGqlgenInAnotherTimeZone, on any machine

	"github.com/wbk/crm/internal/testenv"
)

// diffFixture is one database seen through both handlers, a workspace with awkward data and a

// TestFastPathIsTakenForTheDashboard: the dashboard read goes through gqlfast, not
// through a silent fallback to gqlgen's executor (which would answer the same, so the
// differential tests cannot tell). gqlfast's reason to exist is to skip gqlgen's
// per-field allocations, so the answer costs it less than half of gqlgen's allocations
// (issue #10 aims at about a fifth). Allocations are counted, not timed.
func TestFastPathIsTakenForTheDashboard(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) (generic, direct http.Handler, key string)
	}{
		{"every contact with lists and deals", func(t *testing.T) (http.Handler, http.Handler, string) {
			st := testenv.OpenStore(t)
			limits := testenv.LimitStore(t, testenv.UniquePrefix())
			generic := testenv.NewOn(t, st, limits, testenv.Options{GenericExecution: true})
			direct := testenv.NewOn(t, st, limits, testenv.Options{})
			ws, key := generic.Tenant(t, "Dashboard")
			seedDashboard(t, st, ws)
			return generic.Handler, direct.Handler, key
		}},
		// Contacts without lists or deals, nulls and raw bytes: none of it may send the
		// fast path back to gqlgen.
		{"the differential fixture", func(t *testing.T) (http.Handler, http.Handler, string) {
			f := newDiffFixture(t)
			return f.generic.Handler, f.fast.Handler, f.key
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			generic, direct, key := c.setup(t)
			r := diffRequest{query: diffDashboard}
			allocs := func(h http.Handler) float64 {
				return testing.AllocsPerRun(20, func() {
					if got := diffServe(h, r.build(key)); got.status != http.StatusOK {
						t.Fatalf("status %d: %s", got.status, got.body)
					}
				})
			}
			g, d := allocs(generic), allocs(direct)
			t.Logf("allocations per dashboard request: %.0f through gqlgen, %.0f through gqlfast", g, d)
			if d >= g/2 {
				t.Errorf("the dashboard allocates %.0f times per request with gqlfast, %.0f without: not under half, so gqlfast is not taken", d, g)
			}
		})
	}
}

// TestFastPathAnswersAsGqlgenInAnotherTimeZone runs the differential tests again in a
// process whose local time zone is not UTC (+05:45, with a 45-minute offset). The PostgreSQL
// driver hands back timestamps in the local zone, and gqlgen's Time marshaler converts them to
// UTC: gqlfast must too, and on a UTC machine nobody would notice if it did not.
func TestFastPathAnswersAsGqlgenInAnotherTimeZone(t *testing.T) {
	if os.Getenv("DIFF_TIME_ZONE_CHILD") != "" {
		t.Skip("already the child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFastPath(AnswersAsGqlgen|AnswersRandomQueriesAsGqlgen)$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TZ=Asia/Kathmandu", "DIFF_TIME_ZONE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in time zone Asia/Kathmandu: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("PASS")) {
		t.Fatalf("the child process ran no test:\n%s", out)
	}
}

// TestFastPathConcurrentAnswersStayApart: gqlfast writes into pooled buffers.
// Requests of two workspaces at once, through the fast handler, must each get exactly the
// data gqlgen gives them alone: no buffer written by two requests, none handed back twice.
func TestFastPathConcurrentAnswersStayApart(t *testing.T) {
	f := newDiffFixture(t)
	queries := []string{diffDashboard, `{ contacts(first: 40) { edges { cursor node { ` + diffEveryField + ` } } } }`,
		`{ contacts(first: 3) { totalCount nodes { id } } }`}
	type job struct {
		key, query string
		want       []byte
	}
	var jobs []job
	for _, key := range []string{f.key, f.foreignKey} {
		for _, q := range queries {
			got := diffServe(f.generic.Handler, diffRequest{query: q}.build(key))
			_, _, data := diffMember(got.body, "data")
			if got.status != http.StatusOK || data == nil || string(data) == "null" {
				t.Fatalf("status %d: %s", got.status, got.body)
			}
			jobs = append(jobs, job{key, q, data})
		}
	}
	const workers, rounds = 6, 20
	errs := make(chan string, workers*rounds)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				j := jobs[(w+i)%len(jobs)]
				got := diffServe(f.fast.Handler, diffRequest{query: j.query}.build(j.key))
				// Only data is compared: under concurrency the rate-limit counters in
				// extensions depend on the interleaving.
				if _, _, data := diffMember(got.body, "data"); !bytes.Equal(data, j.want) {
					errs <- fmt.Sprintf("worker %d, request %d: %.300s\nwant %.300s", w, i, data, j.want)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
