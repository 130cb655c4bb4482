package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/seed"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// demoWorkspaceName names the workspace the zero-setup start makes.
const demoWorkspaceName = "Demo workspace"

// welcome greets a newcomer on the embedded database, on every start: on an empty database
// it makes a demo workspace with sample data and prints its key once; it always prints the
// playground URL and, when the demo key was printed at an earlier start, the exact command
// that mints another. Never on PostgreSQL. addr is the bound address, so ADDR=…:0 prints the
// port actually chosen.
func (c *cli) welcome(ctx context.Context, st *store.Store, addr net.Addr) error {
	existing, err := st.Workspaces(ctx)
	if err != nil {
		return err
	}
	playground := "Playground: http://" + displayAddr(addr) + "/ (add the header Authorization: Bearer <key>)"
	if len(existing) == 0 {
		key, err := seedDemo(ctx, st)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Demo API key: %s\n%s\n", key, playground)
		return nil
	}
	fmt.Fprintln(c.stdout, playground)
	ws := existing[0]
	for _, w := range existing {
		if w.Name == demoWorkspaceName {
			ws = w
			break
		}
	}
	fmt.Fprintf(c.stdout, "The demo key was printed at the first start. Mint a new key with:\n  %s key create --workspace %s --name playground --permissions read,write,lexi\n",
		selfCommand(), ws.ID)
	return nil
}

// seedDemo creates the demo workspace (ORG plan) with sample data and a full-permission key,
// which it returns.
func seedDemo(ctx context.Context, st *store.Store) (string, error) {
	ws, err := st.CreateWorkspace(ctx, demoWorkspaceName, models.PlanOrg)
	if err != nil {
		return "", err
	}
	if err := seed.Demo(ctx, st, ws); err != nil {
		return "", err
	}
	if _, err := st.UpsertProspects(ctx, seed.Prospects()); err != nil {
		return "", err
	}
	key, prefix, hash := auth.NewKey()
	k := &models.ApiKey{WorkspaceID: ws.ID, Name: "Demo key", Prefix: prefix, KeyHash: hash, Scopes: models.ParsePermissionSet("read,write,lexi")}
	if err := st.CreateAPIKey(ctx, k); err != nil {
		return "", err
	}
	return key, nil
}

// displayAddr is a bound address as a browser reaches it: an unspecified host (all
// interfaces) is localhost.
func displayAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// selfCommand is how the user started this program, for commands printed to them: "go run ."
// when it runs from go run's build cache, else the path it was started by.
func selfCommand() string {
	exe := filepath.ToSlash(os.Args[0])
	if strings.Contains(exe, "/go-build") {
		return "go run ."
	}
	return os.Args[0]
}
