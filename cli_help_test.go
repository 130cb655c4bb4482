package main

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
)

// --help and --version answer on stdout with exit 0; a bad LOG_LEVEL is refused in our words.
func TestHelpVersionAndLogLevel(t *testing.T) {
	cases := []struct {
		args       []string
		env        map[string]string
		code       int
		stdout     []string // substrings
		stderr     string
		stdoutNone bool
	}{
		{args: []string{"--help"}, stdout: []string{"key usage ID", "workspace create", "DATABASE_URL", "LOG_LEVEL", "REQUEST_LOG", "ADDR"}},
		{args: []string{"help"}, stdout: []string{"key create", "REDIS_URL"}},
		{args: []string{"-h"}, stdout: []string{"usage:"}},
		// Help works whatever the environment says.
		{args: []string{"--help"}, env: map[string]string{"LOG_LEVEL": "verbose"}, stdout: []string{"usage:"}},
		{args: []string{"--version"}, stdout: []string{"crm ", "revision ", runtime.Version()}},
		{args: []string{"version"}, stdout: []string{"crm "}},
		{args: []string{"serve"}, env: map[string]string{"LOG_LEVEL": "verbose"}, code: 2, stdoutNone: true,
			stderr: `LOG_LEVEL must be debug, info, warn or error, got "verbose"`},
	}
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, &stdout, &stderr, func(k string) string { return tc.env[k] })
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (stderr %s)", tc.args, code, tc.code, stderr.String())
		}
		for _, want := range tc.stdout {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%v: stdout lacks %q:\n%s", tc.args, want, stdout.String())
			}
		}
		if tc.stdoutNone && stdout.Len() > 0 {
			t.Errorf("%v: stdout %q", tc.args, stdout.String())
		}
		if !strings.Contains(stderr.String(), tc.stderr) || strings.Contains(stderr.String(), "slog") {
			t.Errorf("%v: stderr %q, want %q", tc.args, stderr.String(), tc.stderr)
		}
	}
}
