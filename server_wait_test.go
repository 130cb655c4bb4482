package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wbk/crm/internal/testenv"
)

// TestServeWaitsForTheDatabase covers issue 7 finding 9 (the server exited at once when
// started with PostgreSQL down): it keeps retrying, answers /healthz 200, /readyz 503 and
// /graphql 503 SERVICE_UNAVAILABLE meanwhile, and serves once the database answers. The
// database "comes back" when a TCP proxy to it starts on the address DATABASE_URL names.
func TestServeWaitsForTheDatabase(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("TEST_DATABASE_URL is not set: needs PostgreSQL")
	}
	t.Chdir(t.TempDir())
	pgURL, _ := testenv.DatabaseURL(t)
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	realAddr := u.Host
	proxyAddr, appAddr := freeAddr(t), freeAddr(t)
	u.Host = proxyAddr
	env := map[string]string{"DATABASE_URL": u.String(), "ADDR": appAddr, "LOG_LEVEL": "warn"}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve"}, io.Discard, &stderr, func(k string) string { return env[k] })
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop")
		}
	}()

	base := "http://" + appAddr
	waitStatus(t, base+"/healthz", http.StatusOK, done)
	if got := status(t, base+"/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d while the database is down, want 503", got)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ viewer { workspace { id } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(body, []byte("SERVICE_UNAVAILABLE")) || resp.Header.Get("Retry-After") == "" {
		t.Errorf("/graphql while starting: %d %s, want 503 SERVICE_UNAVAILABLE with Retry-After", resp.StatusCode, body)
	}

	startProxy(t, proxyAddr, realAddr)
	defer func() {
		if t.Failed() {
			t.Logf("server log:\n%s", stderr.String())
		}
	}()
	waitStatus(t, base+"/readyz", http.StatusOK, done)
	if got := status(t, base+"/graphql"); got != http.StatusUnauthorized {
		t.Errorf("/graphql without a key once ready = %d, want 401 (served by the API)", got)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func status(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// waitStatus polls u until it answers want; it fails if the server exits or 20 s pass.
func waitStatus(t *testing.T, u string, want int, done chan int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			done <- code
			t.Fatalf("the server exited (%d) instead of waiting for the database", code)
		default:
		}
		if status(t, u) == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered %d", u, want)
}

// startProxy forwards TCP connections from addr to target until the test ends.
func startProxy(t *testing.T, addr, target string) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
				_, _ = io.Copy(c, up)
			}()
		}
	}()
}
