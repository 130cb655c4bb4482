package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/testenv"
)

// TestGoClientExample compiles the genqlient example (its own module, examples/go) and runs
// it against a server: it creates a contact and pages through the workspace's contacts.
func TestGoClientExample(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a separate module")
	}
	dir, err := filepath.Abs(filepath.Join("examples", "go"))
	if err != nil {
		t.Fatal(err)
	}
	// The client is typed against the SDL this server serves at /schema.graphql.
	served, _ := os.ReadFile("schema.graphqls")
	copied, _ := os.ReadFile(filepath.Join(dir, "schema.graphql"))
	if len(served) == 0 || !bytes.Equal(served, copied) {
		t.Fatalf("examples/go/schema.graphql differs from schema.graphqls: run `curl -s localhost:8080/schema.graphql > examples/go/schema.graphql && (cd examples/go && go generate)`")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	goCmd := func(args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off")
		return cmd
	}
	if out, err := goCmd("mod", "download").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "" {
			// The quick start works offline after `go mod download` in the main module; the
			// example's own dependencies may not be in the module cache then.
			t.Skipf("the example module's dependencies are not available: %s", out)
		}
		t.Fatalf("go mod download: %v\n%s", err, out)
	}
	bin := filepath.Join(t.TempDir(), "example")
	if out, err := goCmd("build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("the example does not compile: %v\n%s", err, out)
	}

	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	srv := httptest.NewServer(env.Handler)
	defer srv.Close()
	run := func(key string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), "CRM_URL="+srv.URL+"/graphql", "CRM_API_KEY="+key)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(key, "-create", "ann@example.com")
	if err != nil {
		t.Fatalf("example failed: %v\n%s", err, out)
	}
	for _, want := range []string{"created ctc_", "workspace Acme", "1 contacts", "ann@example.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = run("wbk_wrong")
	if err == nil || !strings.Contains(out, "UNAUTHENTICATED") {
		t.Errorf("a bad key: err %v, output %s", err, out)
	}
}
