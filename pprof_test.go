package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/testenv"
)

// TestPprofListener: PPROF_ADDR is read from the environment and serves the profiles index on
// its own listener; unset, nothing listens.
func TestPprofListener(t *testing.T) {
	cfg, err := loadConfig(func(k string) string {
		if k == "PPROF_ADDR" {
			return "127.0.0.1:0"
		}
		return ""
	})
	if err != nil || cfg.PprofAddr != "127.0.0.1:0" {
		t.Fatalf("loadConfig: PprofAddr %q, %v", cfg.PprofAddr, err)
	}
	if off, _ := loadConfig(func(string) string { return "" }); off.PprofAddr != "" {
		t.Errorf("PprofAddr %q without PPROF_ADDR, want off", off.PprofAddr)
	}
	addr, stop, err := startPprof(cfg.PprofAddr, testenv.QuietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + addr.String() + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Errorf("GET /debug/pprof/: %d %.200s", resp.StatusCode, body)
	}
}

// TestServeRunsWhenThePprofAddressIsTaken: the profiles are a diagnostic aid; an address
// already in use (another profiler in the process, as a benchmark harness may inject) is
// reported and the API still starts and serves.
func TestServeRunsWhenThePprofAddressIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	c := newCLIEnv(t)
	serveBriefly(t, func(k string) string {
		switch k {
		case "ADDR":
			return "127.0.0.1:0"
		case "PPROF_ADDR":
			return taken.Addr().String()
		}
		return c.getenv(k)
	})
}
