// Package playground serves GraphiQL from the binary: the page at GET /, its scripts and
// styles under /playground/, and the favicon. Nothing is loaded from another host, so the
// playground works offline and under Content-Security-Policy: default-src 'self'.
//
// The vendored files in static/vendor/ come from the npm tarballs pinned in assets.json and
// are refreshed with `go run ./internal/playground/fetchassets` (see docs/protocol.md).
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"time"
)

//go:embed static
var static embed.FS

// CSP is the policy the page is served with: every script, style, image, font and connection
// comes from this server (websocket connections to the same host included).
const CSP = "default-src 'self'"

// Handler serves the playground page at "/", its assets under "/playground/" and
// "/favicon.ico". Mount it for "GET /{$}", "GET /playground/" and "GET /favicon.ico".
type Handler struct {
	files map[string]asset // URL path → asset
}

type asset struct {
	body        []byte
	contentType string
	etag        string
	immutable   bool // vendored, versioned by assets.json: cacheable for long
}

// New reads the embedded files once.
func New() *Handler {
	h := &Handler{files: map[string]asset{}}
	add := func(urlPath, file string, immutable bool) {
		b, err := static.ReadFile(file)
		if err != nil {
			panic("playground: embedded file missing: " + file) // a build defect, caught by the tests
		}
		sum := sha256.Sum256(b)
		h.files[urlPath] = asset{body: b, contentType: contentType(file), etag: `"` + hex.EncodeToString(sum[:16]) + `"`, immutable: immutable}
	}
	add("/", "static/index.html", false)
	add("/favicon.ico", "static/favicon.svg", false)
	add("/playground/init.js", "static/init.js", false)
	add("/playground/page.css", "static/page.css", false)
	vendor, err := fs.ReadDir(static, "static/vendor")
	if err != nil {
		panic("playground: " + err.Error())
	}
	for _, e := range vendor {
		add("/playground/vendor/"+e.Name(), "static/vendor/"+e.Name(), true)
	}
	return h
}

// Paths lists every URL path the handler answers, for tests and the router.
func (h *Handler) Paths() []string {
	out := make([]string, 0, len(h.files))
	for p := range h.files {
		out = append(out, p)
	}
	return out
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := h.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("ETag", a.etag)
	hdr.Set("X-Content-Type-Options", "nosniff")
	if a.immutable {
		hdr.Set("Cache-Control", "public, max-age=86400")
	} else {
		// The page and its start script change with the server: revalidate (cheap, by ETag).
		hdr.Set("Cache-Control", "no-cache")
	}
	if r.URL.Path == "/" {
		hdr.Set("Content-Security-Policy", CSP)
		hdr.Set("Referrer-Policy", "no-referrer")
		hdr.Set("X-Frame-Options", "DENY")
	}
	// ServeContent answers If-None-Match against the ETag set above with 304, and HEAD.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

func contentType(file string) string {
	switch path.Ext(file) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	default:
		return "text/plain; charset=utf-8"
	}
}
