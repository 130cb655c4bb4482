package gen_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scratchTest is written into the scratch copy: the added field, asked through both
// executors, answers byte for byte alike, and gqlfast itself answered it.
const scratchTest = `package httpapi_test

import (
	"bytes"
	"testing"
)

func TestScratchFieldIsServedByGqlfast(t *testing.T) {
	f := newDiffFixture(t)
	before := f.fastAnswered("contacts")
	got := f.ask(t, diffRequest{query: "{ contacts(first: 5) { nodes { id workspaceId email } edges { node { workspaceId } } } }"})
	if !bytes.Contains(got.body, []byte(` + "`" + `"workspaceId":"wks_` + "`" + `)) {
		t.Fatalf("the added field is not in the answer: %s", got.body)
	}
	if f.fastAnswered("contacts") == before {
		t.Fatal("the query selecting the added field was not answered by gqlfast")
	}
}
`

// TestAFieldAddedToTheSchemaIsServedByGqlfast adds a field to a scratch copy of the repository's
// schema (Contact.workspaceId, bound to the model's WorkspaceID with no other edit), runs
// go generate there, and runs a test in the copy that asks for it through gqlgen and gqlfast
// (the differential harness of internal/httpapi): the answers must be byte for byte alike, and
// gqlfast must have answered. It copies and rebuilds the module, so it runs only when
// GQLFAST_SCRATCH is set (CI sets it).
func TestAFieldAddedToTheSchemaIsServedByGqlfast(t *testing.T) {
	if os.Getenv("GQLFAST_SCRATCH") == "" {
		t.Skip("GQLFAST_SCRATCH is not set: this test copies the repository and regenerates it")
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := exec.Command("git", "-C", root, "ls-files", "-co", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, name := range strings.Split(strings.TrimSpace(string(files)), "\n") {
		b, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if name == "schema.graphqls" {
			const contact = "type Contact implements Node {\n"
			if !bytes.Contains(b, []byte(contact)) {
				t.Fatalf("schema.graphqls has no %q", contact)
			}
			b = bytes.Replace(b, []byte(contact), []byte(contact+"  workspaceId: ID!\n"), 1)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "internal/httpapi/zz_scratch_field_test.go"), []byte(scratchTest), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("generate", ".")
	fast, err := os.ReadFile(filepath.Join(dir, "graph/fast.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(fast, []byte(`"workspaceId": {`)) {
		t.Fatal("graph/fast.go of the scratch copy has no entry for the added field")
	}
	run("test", "-count=1", "-run", "^TestScratchFieldIsServedByGqlfast$", "./internal/httpapi")
}
