// Command fetchassets refreshes GraphiQL's vendored browser files from the npm registry.
//
//	go run ./internal/playground/fetchassets
//
// It reads internal/playground/assets.json (each package's exact version, the registry's
// dist.integrity of its tarball, and the files to take from it), downloads each tarball,
// refuses it unless its SHA-512 equals the pinned integrity and the registry still reports the
// same integrity for that version, then writes the listed files to
// internal/playground/static/vendor/ together with SHA256SUMS. Fonts that a stylesheet inlines
// as data: URLs become files of their own (see externalizeFonts). The committed files are what
// the server embeds and serves; the server itself never contacts the registry.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

type manifest struct {
	Registry string `json:"registry"`
	Packages []struct {
		Name      string            `json:"name"`
		Version   string            `json:"version"`
		Integrity string            `json:"integrity"`
		Files     map[string]string `json:"files"` // path in the tarball → file name in vendor/
	} `json:"packages"`
}

func main() {
	dir := "internal/playground"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := run(dir); err != nil {
		fmt.Fprintln(os.Stderr, "fetchassets:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "assets.json"))
	if err != nil {
		return fmt.Errorf("%w (run from the repository root)", err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("assets.json: %w", err)
	}
	client := &http.Client{Timeout: 2 * time.Minute}
	out := filepath.Join(dir, "static", "vendor")
	files := map[string][]byte{}
	for _, p := range m.Packages {
		meta, err := registryDist(client, m.Registry, p.Name, p.Version)
		if err != nil {
			return err
		}
		if meta.Integrity != p.Integrity {
			return fmt.Errorf("%s@%s: the registry reports integrity %s, assets.json pins %s", p.Name, p.Version, meta.Integrity, p.Integrity)
		}
		tarball, err := get(client, meta.Tarball)
		if err != nil {
			return err
		}
		if err := verify(tarball, p.Integrity); err != nil {
			return fmt.Errorf("%s@%s: %w", p.Name, p.Version, err)
		}
		got, err := extract(tarball, p.Files)
		if err != nil {
			return fmt.Errorf("%s@%s: %w", p.Name, p.Version, err)
		}
		for name, b := range got {
			if strings.HasSuffix(name, ".css") {
				b = externalizeFonts(b, files)
			}
			files[name] = b
		}
		fmt.Printf("%s@%s: integrity ok, %d files\n", p.Name, p.Version, len(got))
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var sums strings.Builder
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(out, name), files[name], 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(files[name])
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	return os.WriteFile(filepath.Join(out, "SHA256SUMS"), []byte(sums.String()), 0o644)
}

type dist struct {
	Integrity string `json:"integrity"`
	Tarball   string `json:"tarball"`
}

// registryDist asks the registry for one version's dist record (the same data `npm view
// PKG@VERSION dist` shows).
func registryDist(client *http.Client, registry, name, version string) (dist, error) {
	b, err := get(client, registry+"/"+strings.Replace(url.PathEscape(name), "%40", "@", 1)+"/"+version)
	if err != nil {
		return dist{}, err
	}
	var doc struct {
		Dist dist `json:"dist"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return dist{}, fmt.Errorf("%s@%s: registry metadata: %w", name, version, err)
	}
	if doc.Dist.Tarball == "" || doc.Dist.Integrity == "" {
		return dist{}, fmt.Errorf("%s@%s: registry metadata has no dist", name, version)
	}
	return doc.Dist, nil
}

func get(client *http.Client, u string) ([]byte, error) {
	resp, err := client.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// verify checks a Subresource-Integrity style "sha512-<base64>" digest.
func verify(b []byte, integrity string) error {
	want, ok := strings.CutPrefix(integrity, "sha512-")
	if !ok {
		return fmt.Errorf("integrity %q is not sha512", integrity)
	}
	sum := sha512.Sum512(b)
	if got := base64.StdEncoding.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("tarball sha512 %s does not match the pinned %s", got, want)
	}
	return nil
}

func extract(tgz []byte, wanted map[string]string) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	got := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		name, ok := wanted[h.Name]
		if !ok || h.Typeflag != tar.TypeReg {
			continue
		}
		if got[name], err = io.ReadAll(tr); err != nil {
			return nil, err
		}
	}
	for path, name := range wanted {
		if _, ok := got[name]; !ok {
			return nil, fmt.Errorf("the tarball has no %s", path)
		}
	}
	return got, nil
}

// dataFont matches a font inlined in a stylesheet as a data: URL.
var dataFont = regexp.MustCompile(`url\(\s*["']?data:font/(woff2?|ttf|otf);base64,([A-Za-z0-9+/=]+)["']?\s*\)`)

// externalizeFonts moves fonts that a stylesheet inlines as data: URLs into files of their
// own next to it (font-<sha256 prefix>.<ext>) and points the stylesheet at them: the page's
// Content-Security-Policy (default-src 'self') refuses data: fonts. This is the only change
// made to a vendored file; every other byte is the tarball's.
func externalizeFonts(css []byte, files map[string][]byte) []byte {
	return dataFont.ReplaceAllFunc(css, func(m []byte) []byte {
		sub := dataFont.FindSubmatch(m)
		font, err := base64.StdEncoding.DecodeString(string(sub[2]))
		if err != nil {
			return m
		}
		sum := sha256.Sum256(font)
		name := "font-" + hex.EncodeToString(sum[:8]) + "." + string(sub[1])
		files[name] = font
		return []byte("url(" + name + ")")
	})
}
