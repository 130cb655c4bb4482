package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/testenv"
)

// A DATABASE_URL that can never work ends the server at once with one clear line; only a
// database that does not answer yet is waited for.
func TestServeFailsFastOnPermanentDatabaseErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	type failCase struct{ name, url, want string }
	cases := []failCase{
		{name: "malformed URL", url: "postgres://127.0.0.1:notaport/crm", want: "DATABASE_URL"},
		{name: "not a postgres URL", url: "mysql://127.0.0.1/crm", want: "DATABASE_URL must be a postgres:// URL"},
	}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		pgURL, _ := testenv.DatabaseURL(t)
		u, err := url.Parse(pgURL)
		if err != nil {
			t.Fatal(err)
		}
		missing := *u
		missing.Path = "/crm_does_not_exist_" + strings.ToLower(testenv.UniquePrefix())
		missing.RawQuery = "sslmode=disable"
		stranger := *u
		stranger.User = url.User("crm_no_such_role")
		cases = append(cases, failCase{name: "missing database", url: missing.String(), want: "does not exist"},
			failCase{name: "unknown role", url: stranger.String(), want: "crm_no_such_role"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": tc.url, "ADDR": "127.0.0.1:0"}
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run(context.Background(), []string{"serve"}, &stdout, &stderr, func(k string) string { return env[k] })
			}()
			var code int
			select {
			case code = <-done:
			case <-time.After(30 * time.Second): // a hang, not a timing: it would retry forever
				t.Fatalf("serve is still retrying: %s", stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if code == 0 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) || strings.Contains(stderr.String(), "retrying") {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
			}
		})
	}
}
