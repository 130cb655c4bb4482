// Command load sends one GraphQL query (or a GET, or a write mix) over and over from a number
// of connections for a duration, and reports throughput, latency percentiles and, given the
// server's PID, the server's CPU time and resident memory per request (from /proc); given a
// database name, the CPU of PostgreSQL's backends serving it, per request; and the objects in
// one response. Every response must be a 200 without "errors"; anything else is counted and
// the first one printed.
//
//	go run ./bench/load -url http://127.0.0.1:18500/graphql -key wbk_… -query bench/queries/dashboard.graphql -pid 1234
//	go run ./bench/load -method GET -url 'http://127.0.0.1:18500/v1/contacts?limit=50' -key wbk_…
//	go run ./bench/load -writes -key wbk_… (createContact, then updateContact of a created contact, alternately)
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:18500/graphql", "the /graphql endpoint")
	key := flag.String("key", os.Getenv("KEY"), "API key (default $KEY)")
	queryFile := flag.String("query", "bench/queries/dashboard.graphql", "file holding the query")
	conns := flag.Int("c", 32, "concurrent connections")
	duration := flag.Duration("d", 20*time.Second, "measured duration")
	warmup := flag.Duration("warmup", 3*time.Second, "unmeasured warm-up")
	pid := flag.Int("pid", 0, "server PID: report its CPU and RSS (Linux)")
	method := flag.String("method", http.MethodPost, "POST the query, or GET the URL")
	writes := flag.Bool("writes", false, "send the write mix instead of the query")
	pgURL := flag.String("pg", "", "PostgreSQL URL of the server's database: report its backends' CPU per request")
	flag.Parse()
	var body []byte
	if *method == http.MethodPost && !*writes {
		q, err := os.ReadFile(*queryFile)
		if err != nil {
			log.Fatal(err)
		}
		body, _ = json.Marshal(map[string]string{"query": string(q)})
	}
	mix := newWriteMix()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns}}
	var sample []byte
	var sampleOnce sync.Once
	one := func(ctx context.Context) (time.Duration, error) {
		reqBody := body
		if *writes {
			reqBody = mix.next()
		}
		var rd io.Reader
		if reqBody != nil {
			rd = bytes.NewReader(reqBody)
		}
		req, _ := http.NewRequestWithContext(ctx, *method, *url, rd)
		if reqBody != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+*key)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
			return 0, fmt.Errorf("status %d: %.300s", resp.StatusCode, b)
		}
		if *writes {
			mix.answered(b)
		}
		sampleOnce.Do(func() { sample = b })
		return took, nil
	}
	run := func(d time.Duration) (lat []time.Duration, errs int, firstErr error) {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range *conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				for ctx.Err() == nil {
					took, err := one(ctx)
					if ctx.Err() != nil {
						break // cut off by the end of the run, not a failure
					}
					mu.Lock()
					if err != nil {
						errs++
						if firstErr == nil {
							firstErr = err
						}
					}
					mu.Unlock()
					if err == nil {
						mine = append(mine, took)
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return lat, errs, firstErr
	}
	if *warmup > 0 {
		run(*warmup)
	}
	pg := newBackends(*pgURL)
	cpu0 := cpuTicks(*pid)
	pg.start()
	lat, errs, firstErr := run(*duration)
	pgTicks := pg.stop()
	cpu1 := cpuTicks(*pid)
	slices.Sort(lat)
	n := len(lat)
	if n == 0 {
		log.Fatalf("no successful request; %d errors, first: %v", errs, firstErr)
	}
	pct := func(p float64) time.Duration { return lat[min(n-1, int(float64(n)*p))] }
	fmt.Printf("requests %d  errors %d  req/s %.1f  p50 %v  p99 %v\n", n, errs, float64(n)/duration.Seconds(),
		pct(0.50).Round(100*time.Microsecond), pct(0.99).Round(100*time.Microsecond))
	if *pid > 0 {
		// Linux reports CPU time in clock ticks of 10 ms (USER_HZ 100).
		cpu := time.Duration(cpu1-cpu0) * 10 * time.Millisecond
		fmt.Printf("server CPU %v  per request %.2f ms  RSS %d MB\n", cpu, float64(cpu.Microseconds())/1000/float64(n), rssMB(*pid))
	}
	if *pgURL != "" {
		cpu := time.Duration(pgTicks) * 10 * time.Millisecond
		fmt.Printf("PostgreSQL CPU %v  per request %.2f ms\n", cpu, float64(cpu.Microseconds())/1000/float64(n))
	}
	fmt.Printf("objects per response %d  bytes %d\n", countObjects(sample), len(sample))
	if firstErr != nil {
		fmt.Printf("first error: %v\n", firstErr)
		os.Exit(1)
	}
}

// cpuTicks is utime+stime of pid from /proc/PID/stat; 0 without a pid.
func cpuTicks(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		log.Fatal(err)
	}
	// Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	u, _ := strconv.ParseInt(fields[11], 10, 64)
	s, _ := strconv.ParseInt(fields[12], 10, 64)
	return u + s
}

// rssMB is pid's resident set size from /proc/PID/status.
func rssMB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb / 1024
		}
	}
	return 0
}
