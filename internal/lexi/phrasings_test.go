package lexi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPhrasings runs every phrasing table of testdata: each message must resolve to exactly
// the expected intent and records (or number), in the fixed form of lexi.Turn.Facts.
func TestPhrasings(t *testing.T) {
	f := newFixture(t)
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no phrasing tables: %v", err)
	}
	total, failed := 0, 0
	for _, file := range files {
		for _, p := range readPhrasings(t, filepath.Base(file)) {
			total++
			turn := f.say(t, p.earlier, p.msg)
			got := strings.Join(turn.Facts, " | ")
			if got != p.want {
				failed++
				t.Errorf("%s:%d: %q\n got: %s\nwant: %s", p.file, p.line, p.msg, got, p.want)
			}
		}
	}
	if os.Getenv("LEXI_PHRASINGS_SUMMARY") != "" {
		t.Logf("%d phrasings, %d failed", total, failed)
	}
}
