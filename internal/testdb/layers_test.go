package testdb_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/wbk/crm"

// above are the packages only the composition root (internal/app) and what builds on it may
// depend on: the generated schema, the resolvers and the HTTP surface.
var above = []string{module + "/graph", module + "/resolvers", module + "/internal/httpapi", module + "/internal/app"}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list %v: %v\n%s", args, err, msg)
	}
	return strings.Fields(string(out))
}

// The test binaries of the layers below HTTP compile neither the 15k-line generated schema nor
// the HTTP surface: they stand on internal/testdb, not internal/testenv.
func TestLowerLayerTestsDoNotCompileTheSchema(t *testing.T) {
	for _, pkg := range []string{"store", "ratelimit", "usage", "events", "testdb"} {
		deps := goList(t, "-deps", "-test", module+"/internal/"+pkg)
		if len(deps) == 0 {
			t.Fatalf("go list -deps -test %s listed nothing", pkg)
		}
		for _, a := range above {
			if slices.Contains(deps, a) {
				t.Errorf("the tests of internal/%s depend on %s", pkg, a)
			}
		}
	}
}

// Only the composition root imports the generated schema and the resolvers: every other
// package under internal/ is handed what it needs.
func TestOnlyTheCompositionRootImportsTheSchema(t *testing.T) {
	lines := goList(t, "-f", `{{.ImportPath}}:{{join .Imports ","}}`, module+"/internal/...")
	if len(lines) < 10 {
		t.Fatalf("go list found only %d packages under internal/", len(lines))
	}
	for _, line := range lines {
		pkg, imports, _ := strings.Cut(line, ":")
		if pkg == module+"/internal/app" {
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			if imp == module+"/graph" || imp == module+"/resolvers" {
				t.Errorf("%s imports %s: only internal/app builds the executable schema", pkg, imp)
			}
		}
	}
}
