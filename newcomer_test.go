package main

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strings"
	"testing"
)

// On a later start the newcomer is told where the playground is and the exact command that
// mints a key for the demo workspace; the command works as printed.
func TestServeSecondStartSaysHowToMintAKey(t *testing.T) {
	c := newCLIEnv(t)
	if c.getenv("DATABASE_URL") != "" {
		t.Skip("the demo is for the embedded database only")
	}
	env := func(k string) string {
		if k == "ADDR" {
			return "127.0.0.1:0"
		}
		return c.getenv(k)
	}
	serveBriefly(t, env)
	again := serveBriefly(t, env)
	if !regexp.MustCompile(`(?m)^Playground: http://127\.0\.0\.1:[1-9][0-9]*/ `).MatchString(again) {
		t.Fatalf("second start printed no playground URL: %q", again)
	}
	cmd := regexp.MustCompile(`(?m)^  .+? (key create --workspace (\S+) --name playground --permissions read,write,lexi)$`).FindStringSubmatch(again)
	if cmd == nil {
		t.Fatalf("second start printed no key create command: %q", again)
	}
	var workspaces []struct{ ID, Name string }
	c.runJSON(&workspaces, "workspace", "list")
	if len(workspaces) != 1 || workspaces[0].ID != cmd[2] || workspaces[0].Name != "Demo workspace" {
		t.Fatalf("the command names workspace %s; workspaces: %+v", cmd[2], workspaces)
	}
	code, out, errOut := c.run(strings.Fields(cmd[1])...)
	if code != 0 || !strings.Contains(out, "wbk_") {
		t.Fatalf("%s: exit %d: %s %s", cmd[1], code, out, errOut)
	}
}

// A port in use is found before anything is seeded or a key printed.
func TestServeBindsBeforeSeeding(t *testing.T) {
	c := newCLIEnv(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	env := func(k string) string {
		if k == "ADDR" {
			return taken.Addr().String()
		}
		return c.getenv(k)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve"}, &stdout, &stderr, env)
	if code == 0 || stdout.Len() != 0 || !strings.Contains(stderr.String(), taken.Addr().String()) {
		t.Fatalf("serve on a taken port: exit %d, stdout %q, stderr %s", code, stdout.String(), stderr.String())
	}
	var workspaces []map[string]any
	c.runJSON(&workspaces, "workspace", "list")
	if len(workspaces) != 0 {
		t.Fatalf("a start that could not listen seeded %v", workspaces)
	}
}

// The zero-setup start listens on this machine only; ADDR, or a database of one's own,
// opens it wider.
func TestDefaultAddress(t *testing.T) {
	cases := []struct{ addr, databaseURL, want string }{
		{"", "", "127.0.0.1:8080"},
		{"", "postgres://db/crm", ":8080"},
		{":9000", "", ":9000"},
		{"0.0.0.0:8080", "", "0.0.0.0:8080"},
	}
	for _, tc := range cases {
		env := map[string]string{"ADDR": tc.addr, "DATABASE_URL": tc.databaseURL}
		cfg, err := loadConfig(func(k string) string { return env[k] })
		if err != nil || cfg.Addr != tc.want {
			t.Errorf("ADDR=%q DATABASE_URL=%q: %q %v, want %q", tc.addr, tc.databaseURL, cfg.Addr, err, tc.want)
		}
	}
}
