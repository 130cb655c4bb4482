// Command scale measures a big workspace beside a small one in one PostgreSQL database.
//
//	DATABASE_URL=postgres://… go run ./bench/scale seed -env /tmp/scale.env   # 1M + 10k contacts, in SQL
//	DATABASE_URL=postgres://… go run ./bench/scale run -env /tmp/scale.env -url http://127.0.0.1:18700
//
// seed migrates the database, creates the two workspaces and a read key for each, and fills
// them with seed.sql (contacts, tags, 20 lists with their memberships, deals), then VACUUM
// ANALYZE. run sends every request of the table in docs/performance.md to a running server,
// alternating the small and the big workspace request by request (so that the pooled
// connections' cached statements serve both tenants, as in production), and prints the
// median latency of each for both workspaces with their ratio. bench/scale/run.sh does both
// around a freshly built server.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

//go:embed seed.sql
var seedSQL string

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scale seed|run [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(os.Args[2:])
	case "run":
		err = run(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q: seed or run", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func databaseURL() (string, error) {
	u := os.Getenv("DATABASE_URL")
	if !strings.HasPrefix(u, "postgres") {
		return "", fmt.Errorf("DATABASE_URL must name the PostgreSQL database to measure")
	}
	return u, nil
}

func seed(args []string) error {
	fs := newFlagSet("seed")
	big := fs.Int("big", 1_000_000, "contacts of the big workspace")
	small := fs.Int("small", 10_000, "contacts of the small workspace")
	envFile := fs.String("env", "scale.env", "file to write the workspaces' ids and keys to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	url, err := databaseURL()
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := store.Open(store.Options{URL: url})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	tmpl := template.Must(template.New("seed").Parse(seedSQL))
	var env strings.Builder
	for _, w := range []struct {
		label string
		n     int
	}{{"SMALL", *small}, {"BIG", *big}} {
		begin := time.Now()
		ws, err := st.CreateWorkspace(ctx, fmt.Sprintf("Scale %d", w.n), models.PlanOrg)
		if err != nil {
			return err
		}
		var script strings.Builder
		if err := tmpl.Execute(&script, map[string]any{"WS": ws.ID, "N": w.n, "Tag": ws.ID}); err != nil {
			return err
		}
		// No arguments: pgx sends the script with the simple protocol, all statements at once.
		if _, err := conn.Exec(ctx, script.String()); err != nil {
			return fmt.Errorf("seed %s: %w", w.label, err)
		}
		key, prefix, hash := auth.NewKey()
		k := &models.ApiKey{WorkspaceID: ws.ID, Name: "scale", Prefix: prefix, KeyHash: hash, Scopes: models.ParsePermissionSet("read")}
		if err := st.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		fmt.Fprintf(&env, "WS_%s=%s\nKEY_%s=%s\n", w.label, ws.ID, w.label, key)
		fmt.Fprintf(os.Stderr, "%s workspace: %d contacts in %s\n", w.label, w.n, time.Since(begin).Round(time.Second))
	}
	begin := time.Now()
	// Fresh rows have neither statistics nor a visibility map until autovacuum gets to them:
	// the planner would plan for empty tables and index-only scans would visit the heap.
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "VACUUM ANALYZE in %s\n", time.Since(begin).Round(time.Second))
	return os.WriteFile(*envFile, []byte(env.String()), 0o600)
}
