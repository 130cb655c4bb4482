package playground_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/playground"
)

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// TestPageIsSelfContained: the page and its start script reference only this server's files,
// every one of which is served, and the page carries its Content-Security-Policy.
func TestPageIsSelfContained(t *testing.T) {
	h := playground.New()
	page := get(t, h, "/")
	if page.Code != http.StatusOK || page.Header().Get("Content-Security-Policy") != "default-src 'self'" {
		t.Fatalf("status %d, CSP %q", page.Code, page.Header().Get("Content-Security-Policy"))
	}
	ref := regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	refs := ref.FindAllStringSubmatch(page.Body.String(), -1)
	if len(refs) < 6 {
		t.Fatalf("the page references %d files", len(refs))
	}
	for _, m := range refs {
		if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
			t.Errorf("reference to another host: %s", m[1])
			continue
		}
		if rec := get(t, h, m[1]); rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", m[1], rec.Code)
		}
	}
	if strings.Contains(page.Body.String(), "<script>") || strings.Contains(page.Body.String(), "<style>") || strings.Contains(page.Body.String(), "style=") {
		t.Errorf("inline script or style: refused by the CSP")
	}
	init := get(t, h, "/playground/init.js").Body.String()
	if regexp.MustCompile(`https?://`).MatchString(init) {
		t.Errorf("init.js names an absolute URL")
	}
	// The headers editor's placeholder is ASCII: browsers refuse other header bytes.
	if !strings.Contains(init, `"Authorization": "Bearer "`) {
		t.Errorf("init.js does not start the headers editor with the Authorization placeholder")
	}
	for i, r := range init {
		if r > 127 {
			t.Fatalf("init.js has a non-ASCII character at %d", i)
		}
	}
	// Stylesheets may load fonts only from this server (no data: URLs under the CSP).
	for _, css := range []string{"/playground/vendor/graphiql.min.css", "/playground/vendor/plugin-explorer.css"} {
		body := get(t, h, css).Body.String()
		if strings.Contains(body, "url(data:") || regexp.MustCompile(`url\(["']?(https?:)?//`).MatchString(body) {
			t.Errorf("%s loads from data: or another host", css)
		}
		for _, m := range regexp.MustCompile(`url\((font-[0-9a-f]+\.woff2?)\)`).FindAllStringSubmatch(body, -1) {
			if rec := get(t, h, "/playground/vendor/"+m[1]); rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "font/") {
				t.Errorf("%s: status %d, Content-Type %q", m[1], rec.Code, rec.Header().Get("Content-Type"))
			}
		}
	}
}

// TestVendoredFilesMatchTheirChecksums: the embedded files are the ones fetchassets wrote.
func TestVendoredFilesMatchTheirChecksums(t *testing.T) {
	sums, err := os.Open("static/vendor/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	defer sums.Close()
	h := playground.New()
	listed := map[string]bool{}
	sc := bufio.NewScanner(sums)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("bad line %q", sc.Text())
		}
		listed[name] = true
		rec := get(t, h, "/playground/vendor/"+name)
		got := sha256.Sum256(rec.Body.Bytes())
		if rec.Code != http.StatusOK || hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: status %d, sha256 %x, want %s", name, rec.Code, got, sum)
		}
	}
	entries, err := fs.ReadDir(os.DirFS("static/vendor"), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "SHA256SUMS" && !listed[e.Name()] {
			t.Errorf("%s is not in SHA256SUMS", e.Name())
		}
	}
	if len(listed) < 7 {
		t.Errorf("only %d vendored files", len(listed))
	}
}

func TestRevalidation(t *testing.T) {
	h := playground.New()
	for _, p := range []string{"/", "/playground/init.js", "/playground/vendor/graphiql.min.js", "/favicon.ico"} {
		first := get(t, h, p)
		etag := first.Header().Get("ETag")
		req := httptest.NewRequest(http.MethodGet, p, nil)
		req.Header.Set("If-None-Match", etag)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if etag == "" || rec.Code != http.StatusNotModified {
			t.Errorf("%s: ETag %q, revalidation status %d", p, etag, rec.Code)
		}
	}
	if rec := get(t, h, "/playground/nope.js"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown asset: status %d", rec.Code)
	}
}
