package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/usage"
	"github.com/wbk/crm/models"
)

// cli runs the admin commands. With --json each prints exactly one JSON document on stdout;
// errors go to stderr.
type cli struct {
	cfg    config
	log    *slog.Logger
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

const usageText = `usage:
  crm [serve]
  crm workspace create --name NAME --plan starter|pro|org [--json]
  crm workspace list [--json]
  crm key create --workspace ID --name NAME --permissions read,write,lexi [--expires-in 90d | --expires-at RFC3339] [--json]
  crm key list --workspace ID [--json]
  crm key revoke ID [--json]
  crm key rotate ID [--grace 24h] [--json]
  crm key usage ID [--days 7] [--json]
  crm prospects import FILE.csv [--json]`

// errUsage marks a mistake in the command line (exit code 2).
var errUsage = errors.New("usage")

func (c *cli) dispatch(ctx context.Context, args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(c.stderr, usageText)
		return 2
	}
	commands := map[string]func(context.Context, []string) error{
		"workspace create": c.workspaceCreate,
		"workspace list":   c.workspaceList,
		"key create":       c.keyCreate,
		"key list":         c.keyList,
		"key revoke":       c.keyRevoke,
		"key rotate":       c.keyRotate,
		"key usage":        c.keyUsage,
		"prospects import": c.prospectsImport,
	}
	cmd, ok := commands[args[0]+" "+args[1]]
	if !ok {
		fmt.Fprintf(c.stderr, "unknown command %q\n%s\n", strings.Join(args[:2], " "), usageText)
		return 2
	}
	if err := cmd(ctx, args[2:]); err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprintf(c.stderr, "%v\n%s\n", err, usageText)
			return 2
		}
		fmt.Fprintln(c.stderr, "error:", cliMessage(err))
		return 1
	}
	return 0
}

func cliMessage(err error) string {
	if e := apperr.As(err); e != nil {
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return err.Error()
}

// flags is a flag set that also accepts flags after positional arguments
// ("key revoke ID --json").
type flags struct {
	*flag.FlagSet
	json *bool
}

func newFlags(name string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flags{FlagSet: fs, json: fs.Bool("json", false, "print JSON")}
}

// parse parses args, which must hold positional arguments and set every flag named in
// required.
func (f *flags) parse(args []string, positional int, required ...string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		if f.NArg() == 0 {
			break
		}
		pos = append(pos, f.Arg(0))
		args = f.Args()[1:]
	}
	if len(pos) != positional {
		return nil, fmt.Errorf("%w: expected %d argument(s), got %d", errUsage, positional, len(pos))
	}
	if err := f.require(required...); err != nil {
		return nil, err
	}
	return pos, nil
}

// require refuses a command line that leaves any of the named string flags empty.
func (f *flags) require(names ...string) error {
	var missing []string
	for _, n := range names {
		if fl := f.Lookup(n); fl == nil || fl.Value.String() == "" {
			missing = append(missing, "--"+n)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%w: %s is required", errUsage, missing[0])
	}
	return fmt.Errorf("%w: %s are required", errUsage, strings.Join(missing, " and "))
}

func (c *cli) print(asJSON bool, doc any, text func(io.Writer)) error {
	if asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	text(c.stdout)
	return nil
}

func (c *cli) withStore(ctx context.Context, fn func(*store.Store) error) error {
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

type workspaceJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Plan string `json:"plan"`
}

func toWorkspaceJSON(w *models.Workspace) workspaceJSON {
	return workspaceJSON{ID: w.ID, Name: w.Name, Plan: strings.ToLower(string(w.Plan))}
}

func (c *cli) workspaceCreate(ctx context.Context, args []string) error {
	f := newFlags("workspace create")
	name := f.String("name", "", "workspace name")
	plan := f.String("plan", "starter", "starter, pro or org")
	if _, err := f.parse(args, 0, "name"); err != nil {
		return err
	}
	return c.withStore(ctx, func(st *store.Store) error {
		w, err := st.CreateWorkspace(ctx, *name, models.Plan(strings.ToUpper(*plan)))
		if err != nil {
			return err
		}
		return c.print(*f.json, toWorkspaceJSON(w), func(out io.Writer) {
			fmt.Fprintf(out, "created workspace %s %q (%s)\n", w.ID, w.Name, strings.ToLower(string(w.Plan)))
		})
	})
}

func (c *cli) workspaceList(ctx context.Context, args []string) error {
	f := newFlags("workspace list")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	return c.withStore(ctx, func(st *store.Store) error {
		list, err := st.Workspaces(ctx)
		if err != nil {
			return err
		}
		docs := make([]workspaceJSON, len(list))
		for i, w := range list {
			docs[i] = toWorkspaceJSON(w)
		}
		return c.print(*f.json, docs, func(out io.Writer) {
			for _, w := range docs {
				fmt.Fprintf(out, "%s\t%s\t%s\n", w.ID, w.Plan, w.Name)
			}
		})
	})
}

type newKeyJSON struct {
	ID          string     `json:"id"`
	Key         string     `json:"key"`
	Prefix      string     `json:"prefix"`
	Permissions []string   `json:"permissions"`
	ExpiresAt   *time.Time `json:"expiresAt"`
}

type keyJSON struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	Permissions []string   `json:"permissions"`
	ExpiresAt   *time.Time `json:"expiresAt"`
	RevokedAt   *time.Time `json:"revokedAt"`
	LastUsedAt  *time.Time `json:"lastUsedAt"`
}

func permissionNames(k *models.ApiKey) []string {
	out := []string{}
	for _, p := range k.Permissions() {
		out = append(out, strings.ToLower(string(p)))
	}
	return out
}

// parsePermissions turns "read,write" into the stored form, in schema order.
func parsePermissions(raw string) (string, error) {
	want := map[string]bool{}
	for _, p := range strings.Split(raw, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		if !models.Permission(strings.ToUpper(p)).IsValid() {
			return "", fmt.Errorf("%w: unknown permission %q (use read, write, lexi)", errUsage, p)
		}
		want[p] = true
	}
	var out []string
	for _, p := range models.AllPermission {
		if name := strings.ToLower(string(p)); want[name] {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return "", fmt.Errorf("%w: --permissions needs at least one of read, write, lexi", errUsage)
	}
	return strings.Join(out, ","), nil
}

// parseLifetime accepts Go durations and whole days ("90d").
func parseLifetime(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%w: %q is not a number of days", errUsage, s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%w: %q is not a positive duration such as 90d or 12h", errUsage, s)
	}
	return d, nil
}

func (c *cli) keyCreate(ctx context.Context, args []string) error {
	f := newFlags("key create")
	workspace := f.String("workspace", "", "workspace id")
	name := f.String("name", "", "key name")
	perms := f.String("permissions", "read", "comma-separated: read,write,lexi")
	expiresIn := f.String("expires-in", "", "lifetime, e.g. 90d")
	expiresAt := f.String("expires-at", "", "expiry, RFC 3339")
	if _, err := f.parse(args, 0, "workspace", "name"); err != nil {
		return err
	}
	scopes, err := parsePermissions(*perms)
	if err != nil {
		return err
	}
	var expiry *time.Time
	switch {
	case *expiresIn != "" && *expiresAt != "":
		return fmt.Errorf("%w: pass --expires-in or --expires-at, not both", errUsage)
	case *expiresIn != "":
		d, err := parseLifetime(*expiresIn)
		if err != nil {
			return err
		}
		at := store.Now().Add(d)
		expiry = &at
	case *expiresAt != "":
		at, err := time.Parse(time.RFC3339, *expiresAt)
		if err != nil {
			return fmt.Errorf("%w: --expires-at must be RFC 3339, e.g. 2027-01-31T00:00:00Z", errUsage)
		}
		if !at.After(time.Now()) {
			return fmt.Errorf("%w: --expires-at must be in the future", errUsage)
		}
		at = at.UTC()
		expiry = &at
	}
	return c.withStore(ctx, func(st *store.Store) error {
		key, prefix, hash := auth.NewKey()
		k := &models.ApiKey{WorkspaceID: *workspace, Name: *name, Prefix: prefix, KeyHash: hash, Scopes: models.ParsePermissionSet(scopes), ExpiresAt: expiry}
		if err := st.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		return c.printNewKey(*f.json, k, key)
	})
}

func (c *cli) printNewKey(asJSON bool, k *models.ApiKey, key string) error {
	doc := newKeyJSON{ID: k.ID, Key: key, Prefix: k.Prefix, Permissions: permissionNames(k), ExpiresAt: k.ExpiresAt}
	return c.print(asJSON, doc, func(out io.Writer) {
		fmt.Fprintf(out, "key id:      %s\npermissions: %s\n", k.ID, strings.Join(doc.Permissions, ","))
		if k.ExpiresAt != nil {
			fmt.Fprintf(out, "expires at:  %s\n", k.ExpiresAt.Format(time.RFC3339))
		}
		fmt.Fprintf(out, "key:         %s\n\nStore the key now: it is shown only once.\n", key)
	})
}

func (c *cli) keyList(ctx context.Context, args []string) error {
	f := newFlags("key list")
	workspace := f.String("workspace", "", "workspace id")
	if _, err := f.parse(args, 0, "workspace"); err != nil {
		return err
	}
	return c.withStore(ctx, func(st *store.Store) error {
		keys, err := st.APIKeys(ctx, *workspace)
		if err != nil {
			return err
		}
		docs := make([]keyJSON, len(keys))
		for i, k := range keys {
			docs[i] = keyJSON{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Permissions: permissionNames(k),
				ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, LastUsedAt: k.LastUsedAt}
		}
		return c.print(*f.json, docs, func(out io.Writer) {
			for _, k := range docs {
				state := "active"
				switch {
				case k.RevokedAt != nil:
					state = "revoked"
				case k.ExpiresAt != nil && !k.ExpiresAt.After(time.Now()):
					state = "expired"
				}
				fmt.Fprintf(out, "%s\t%s…\t%s\t%s\t%s\n", k.ID, k.Prefix, strings.Join(k.Permissions, ","), state, k.Name)
			}
		})
	})
}

func (c *cli) keyRevoke(ctx context.Context, args []string) error {
	f := newFlags("key revoke")
	pos, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	return c.withStore(ctx, func(st *store.Store) error {
		k, err := st.RevokeAPIKey(ctx, pos[0])
		if err != nil {
			return err
		}
		doc := struct {
			ID        string     `json:"id"`
			RevokedAt *time.Time `json:"revokedAt"`
		}{k.ID, k.RevokedAt}
		return c.print(*f.json, doc, func(out io.Writer) {
			fmt.Fprintf(out, "revoked %s at %s\n", k.ID, k.RevokedAt.Format(time.RFC3339))
		})
	})
}

func (c *cli) keyRotate(ctx context.Context, args []string) error {
	f := newFlags("key rotate")
	grace := f.Duration("grace", 24*time.Hour, "how long the old key keeps working")
	pos, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	if *grace < 0 {
		return fmt.Errorf("%w: --grace must not be negative", errUsage)
	}
	return c.withStore(ctx, func(st *store.Store) error {
		key, prefix, hash := auth.NewKey()
		next := &models.ApiKey{Prefix: prefix, KeyHash: hash}
		if err := st.RotateAPIKey(ctx, pos[0], *grace, next); err != nil {
			return err
		}
		return c.printNewKey(*f.json, next, key)
	})
}

type usageDayJSON struct {
	Date       string               `json:"date"`
	Calls      int                  `json:"calls"`
	Cost       int                  `json:"cost"`
	Errors     int                  `json:"errors"`
	Operations []operationUsageJSON `json:"operations"`
}

type operationUsageJSON struct {
	Operation string `json:"operation"`
	Calls     int    `json:"calls"`
	Errors    int    `json:"errors"`
}

// keyUsage reports what the servers have flushed (every few seconds and at shutdown); counts
// still in a running server's memory show up with its next flush.
func (c *cli) keyUsage(ctx context.Context, args []string) error {
	f := newFlags("key usage")
	days := f.Int("days", 7, "UTC days to show, today included (1 to 90)")
	pos, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	if *days < 1 || *days > usage.MaxDays {
		return fmt.Errorf("%w: --days must be between 1 and %d", errUsage, usage.MaxDays)
	}
	return c.withStore(ctx, func(st *store.Store) error {
		// Days answers zeros for any id: without this check a mistyped id would read as a key
		// that was never used.
		if _, err := st.APIKey(ctx, pos[0]); err != nil {
			return err
		}
		list, err := usage.NewRecorder(st, c.log).Days(store.AsSystem(ctx), pos[0], *days)
		if err != nil {
			return err
		}
		docs := make([]usageDayJSON, len(list))
		for i, d := range list {
			docs[i] = usageDayJSON{Date: d.Date, Calls: d.Calls, Cost: d.Cost, Errors: d.Errors,
				Operations: make([]operationUsageJSON, len(d.Operations))}
			for j, o := range d.Operations {
				docs[i].Operations[j] = operationUsageJSON{Operation: o.Operation, Calls: o.Calls, Errors: o.Errors}
			}
		}
		return c.print(*f.json, docs, func(out io.Writer) {
			w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "DATE\tCALLS\tCOST\tERRORS\tERROR RATE\tOPERATIONS")
			for _, d := range list {
				ops := make([]string, len(d.Operations))
				for i, o := range d.Operations {
					ops[i] = fmt.Sprintf("%s %d", o.Operation, o.Calls)
					if o.Errors > 0 {
						ops[i] += fmt.Sprintf(" (%d failed)", o.Errors)
					}
				}
				fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%.1f%%\t%s\n", d.Date, d.Calls, d.Cost, d.Errors, 100*d.ErrorRate, strings.Join(ops, ", "))
			}
			_ = w.Flush()
		})
	})
}

func (c *cli) prospectsImport(ctx context.Context, args []string) error {
	f := newFlags("prospects import")
	pos, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	records, err := readProspectsCSV(pos[0])
	if err != nil {
		return err
	}
	return c.withStore(ctx, func(st *store.Store) error {
		n, err := st.UpsertProspects(ctx, records)
		if err != nil {
			return err
		}
		return c.print(*f.json, map[string]int{"imported": n}, func(out io.Writer) {
			fmt.Fprintf(out, "imported %d prospects\n", n)
		})
	})
}

// readProspectsCSV reads a catalog file whose header names the columns, in any order.
func readProspectsCSV(path string) ([]store.ProspectRecord, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	r := csv.NewReader(file)
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header row: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, required := range []string{"full_name", "email"} {
		if _, ok := col[required]; !ok {
			return nil, fmt.Errorf("%s: the header must name a %s column", path, required)
		}
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	var out []store.ProspectRecord
	for line := 2; ; line++ {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		out = append(out, store.ProspectRecord{
			FullName: get(row, "full_name"), Email: get(row, "email"), Title: get(row, "title"),
			Company: get(row, "company"), Industry: get(row, "industry"), Location: get(row, "location"),
		})
	}
}
