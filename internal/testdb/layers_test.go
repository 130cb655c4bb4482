package testdb_test

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/wbk/crm"

// layers is the layer map of the module's packages, lowest first (CONTRIBUTING.md draws it).
// A package may import packages of its own layer and of the layers below, never one above: a
// request goes down the layers and back, and each layer knows only the ones below it. A new
// package gets a line here, in the lowest layer its imports allow.
var layers = [][]string{
	// the domain: types, the one error type, id generation, the text rule for raw input, what
	// a request log learns, the build's version and the tracing set-up; they import nothing of ours.
	{"models", "internal/apperr", "internal/ids", "internal/textcheck", "internal/telemetry", "internal/reqinfo",
		"internal/buildinfo"},
	// storage and the schema: the store scopes and stores; the counters of the rate limiter;
	// the schema gqlgen generated and the executor generated beside it (internal/gqlfast);
	// static assets and the persisted-query cache.
	{"internal/store", "internal/ratelimit", "internal/gqlfast", "graph", "internal/apq", "internal/playground"},
	// services: what decides, on top of the store (and test fixtures on a real database).
	{"internal/auth", "internal/access", "internal/usage", "internal/events", "internal/cost",
		"internal/loaders", "internal/idempotency", "internal/lexi", "internal/seed", "internal/webhooks",
		"internal/testdb"},
	// resolvers: arguments in, one store, loader or service call, result out.
	{"resolvers"},
	// transports: HTTP (/graphql and its pipeline) and the REST edge (/v1).
	{"internal/httpapi", "internal/rest"},
	// the composition root: builds the services, the resolvers and the executable schema.
	{"internal/app"},
	// what builds on the whole: the HTTP test harness, the code generators and the
	// asset-fetching tool.
	{"internal/testenv", "internal/playground/fetchassets", "internal/gqlfast/gen", "internal/gqlfast/cmd/gqlgen"},
}

// above are the packages only the composition root (internal/app) and what builds on it may
// depend on: the resolvers, the HTTP surface and the root itself.
var above = []string{module + "/resolvers", module + "/internal/httpapi", module + "/internal/app"}

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

// layerOf maps each package of the layer map to its layer.
func layerOf() map[string]int {
	m := map[string]int{}
	for i, pkgs := range layers {
		for _, p := range pkgs {
			m[module+"/"+p] = i
		}
	}
	return m
}

// imports lists each package's imports of this module (test files excluded).
func imports(t *testing.T, patterns ...string) map[string][]string {
	lines := goList(t, append([]string{"-f", `{{.ImportPath}}:{{join .Imports ","}}`}, patterns...)...)
	out := map[string][]string{}
	for _, line := range lines {
		pkg, imps, _ := strings.Cut(line, ":")
		out[pkg] = nil
		for _, imp := range strings.Split(imps, ",") {
			if strings.HasPrefix(imp, module+"/") {
				out[pkg] = append(out[pkg], imp)
			}
		}
	}
	return out
}

// upward reports every import that points to a higher layer, and every package the layer map
// does not place.
func upward(layer map[string]int, pkgImports map[string][]string) []string {
	var bad []string
	for pkg, imps := range pkgImports {
		own, ok := layer[pkg]
		if !ok {
			bad = append(bad, fmt.Sprintf("%s is in no layer: add it to the layer map (internal/testdb/layers_test.go)", pkg))
			continue
		}
		for _, imp := range imps {
			if l, ok := layer[imp]; ok && l > own {
				bad = append(bad, fmt.Sprintf("%s (layer %d) imports %s (layer %d)", pkg, own, imp, l))
			}
		}
	}
	slices.Sort(bad)
	return bad
}

// No package imports one above it, and every package has a place on the map.
func TestNoPackageImportsALayerAboveIt(t *testing.T) {
	pkgImports := imports(t, module+"/internal/...", module+"/models", module+"/graph", module+"/resolvers")
	if len(pkgImports) < 15 {
		t.Fatalf("go list found only %d packages", len(pkgImports))
	}
	for _, bad := range upward(layerOf(), pkgImports) {
		t.Error(bad)
	}
	// models is the bottom: the domain types import nothing of the application.
	for _, imp := range pkgImports[module+"/models"] {
		t.Errorf("models imports %s: the domain types import nothing from internal/", imp)
	}
}

// The check itself catches an upward import and an unplaced package: a store that imported
// the HTTP transport, and a package nobody placed.
func TestTheLayerCheckFailsOnAnUpwardImport(t *testing.T) {
	layer := layerOf()
	bad := upward(layer, map[string][]string{
		module + "/internal/store":   {module + "/models", module + "/internal/httpapi"},
		module + "/internal/auth":    {module + "/internal/store"},
		module + "/internal/unknown": nil,
	})
	want := []string{
		module + "/internal/store (layer 1) imports " + module + "/internal/httpapi (layer 4)",
		module + "/internal/unknown is in no layer: add it to the layer map (internal/testdb/layers_test.go)",
	}
	slices.Sort(want)
	if !slices.Equal(bad, want) {
		t.Errorf("upward found\n%s\nwant\n%s", strings.Join(bad, "\n"), strings.Join(want, "\n"))
	}
}

// The test binaries of the layers below the resolvers compile neither the resolvers nor the
// HTTP surface: they stand on internal/testdb, not internal/testenv. The store's, in
// particular, compile no GraphQL executor at all (not even the generated schema).
func TestLowerLayerTestsDoNotCompileTheSchema(t *testing.T) {
	for _, pkg := range []string{"store", "ratelimit", "usage", "events", "testdb", "loaders", "idempotency", "cost"} {
		deps := goList(t, "-deps", "-test", module+"/internal/"+pkg)
		if len(deps) == 0 {
			t.Fatalf("go list -deps -test %s listed nothing", pkg)
		}
		forbidden := above
		if pkg != "cost" { // cost prices operations of the generated schema
			forbidden = append(slices.Clone(above), module+"/graph", "github.com/99designs/gqlgen/graphql/executor")
		}
		for _, a := range forbidden {
			if slices.Contains(deps, a) {
				t.Errorf("the tests of internal/%s depend on %s", pkg, a)
			}
		}
	}
}

// Only the composition root builds the executable schema from the resolvers: no other
// package under internal/ imports them, and only it and the price table (internal/cost)
// import the generated schema.
func TestOnlyTheCompositionRootImportsTheSchema(t *testing.T) {
	for pkg, imps := range imports(t, module+"/internal/...") {
		if pkg == module+"/internal/app" {
			continue
		}
		for _, imp := range imps {
			if imp == module+"/resolvers" || (imp == module+"/graph" && pkg != module+"/internal/cost") {
				t.Errorf("%s imports %s: only internal/app builds the executable schema", pkg, imp)
			}
		}
	}
}
