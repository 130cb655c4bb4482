package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

func newFlagSet(name string) *flag.FlagSet { return flag.NewFlagSet(name, flag.ContinueOnError) }

// request is one row of the table: a GraphQL query, or a REST path.
type request struct {
	name, query, rest string
}

// workspace is one side of the comparison with the values its requests use.
type workspace struct {
	label, id, key string
	reqs           []request
}

func run(args []string) error {
	fs := newFlagSet("run")
	envFile := fs.String("env", "scale.env", "the file seed wrote")
	base := fs.String("url", "http://127.0.0.1:18700", "the server")
	n := fs.Int("n", 15, "measured requests per workspace and row")
	warm := fs.Int("warm", 8, "requests per workspace and row before measuring (past the plan cache's switch to generic plans)")
	maxTime := fs.Duration("max", 6*time.Second, "stop a row's measurement after this long (at least 3 requests each)")
	only := fs.String("only", "", "a regular expression: run only the rows whose name it matches")
	if err := fs.Parse(args); err != nil {
		return err
	}
	url, err := databaseURL()
	if err != nil {
		return err
	}
	pick, err := regexp.Compile(*only)
	if err != nil {
		return fmt.Errorf("-only: %w", err)
	}
	env, err := readEnv(*envFile)
	if err != nil {
		return err
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	wss := []*workspace{{label: "10k", id: env["WS_SMALL"], key: env["KEY_SMALL"]}, {label: "1M", id: env["WS_BIG"], key: env["KEY_BIG"]}}
	for _, w := range wss {
		if w.reqs, err = requests(ctx, conn, w.id); err != nil {
			return fmt.Errorf("requests of %s: %w", w.label, err)
		}
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	fmt.Printf("| request | 10k (ms) | 1M (ms) | 1M / 10k | rows 10k / 1M |\n| --- | --- | --- | --- | --- |\n")
	for i, r := range wss[0].reqs {
		if !pick.MatchString(r.name) {
			continue
		}
		pair := [2]request{r, wss[1].reqs[i]}
		var lat [2][]float64
		var info [2]string
		var failed error
		// One request of each workspace in turn: the same pooled statements serve both tenants.
		each := func(record bool) {
			for k, w := range wss {
				d, inf, err := send(client, *base, w.key, pair[k])
				if err != nil {
					failed = fmt.Errorf("%s: %w", w.label, err)
					return
				}
				info[k] = inf
				if record {
					lat[k] = append(lat[k], d)
				}
			}
		}
		for range *warm {
			if each(false); failed != nil {
				break
			}
		}
		begin := time.Now()
		for failed == nil && len(lat[0]) < *n && (time.Since(begin) < *maxTime || len(lat[0]) < 3) {
			each(true)
		}
		if failed != nil { // a request past the server's deadline: the row says so and the table goes on
			fmt.Printf("| %s | failed: %.200s | | | |\n", r.name, failed)
			continue
		}
		s, l := median(lat[0]), median(lat[1])
		fmt.Printf("| %s | %.1f | %.1f | %.1f× | %s / %s |\n", r.name, s, l, l/s, info[0], info[1])
	}
	return nil
}

func median(v []float64) float64 {
	slices.Sort(v)
	return v[len(v)/2]
}

// send runs one request and returns its latency in milliseconds and what it returned.
func send(client *http.Client, base, key string, r request) (float64, string, error) {
	var req *http.Request
	var err error
	if r.rest != "" {
		req, err = http.NewRequest(http.MethodGet, base+r.rest, nil)
	} else {
		body, _ := json.Marshal(map[string]string{"query": r.query})
		req, err = http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	begin := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := float64(time.Since(begin).Microseconds()) / 1000
	if err != nil {
		return 0, "", err
	}
	var doc struct {
		Data   json.RawMessage `json:"data"`
		Errors json.RawMessage `json:"errors"`
		Error  json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || resp.StatusCode != 200 || len(doc.Errors) > 0 || len(doc.Error) > 0 {
		return 0, "", fmt.Errorf("status %d: %.300s", resp.StatusCode, body)
	}
	return d, summary(doc.Data), nil
}

// summary describes a response: the number of nodes of its connection (or items of a REST
// list) and its totalCount when it has one.
func summary(data json.RawMessage) string {
	var list []json.RawMessage
	if json.Unmarshal(data, &list) == nil {
		return fmt.Sprintf("n=%d", len(list))
	}
	var root map[string]struct {
		Nodes      []json.RawMessage `json:"nodes"`
		Edges      []json.RawMessage `json:"edges"`
		TotalCount *int              `json:"totalCount"`
	}
	if json.Unmarshal(data, &root) != nil {
		return ""
	}
	for _, c := range root {
		s := fmt.Sprintf("n=%d", len(c.Nodes)+len(c.Edges))
		if c.TotalCount != nil {
			s += fmt.Sprintf(" total=%d", *c.TotalCount)
		}
		return s
	}
	return ""
}

func readEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run seed first)", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			out[k] = v
		}
	}
	return out, sc.Err()
}

// cursor is a connection cursor as the server writes it, for a row picked in SQL.
func cursor(order, value, id string) string {
	c := map[string]string{"o": order, "i": id}
	if value != "" {
		c["v"] = value
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

const contactFields = "id email firstName lastName company title createdAt"

func contacts(args, extra string) string {
	return fmt.Sprintf("{ contacts(%s) { %s pageInfo { hasNextPage endCursor } nodes { %s } } }", args, extra, contactFields)
}

// requests builds the table's requests for one workspace: cursors at 90 % of each ordering,
// a search that matches one contact, a list of its own.
func requests(ctx context.Context, conn *pgx.Conn, ws string) ([]request, error) {
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM contacts WHERE workspace_id = $1", ws).Scan(&n); err != nil {
		return nil, err
	}
	deep := n * 9 / 10
	const ts = `to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
	var cid, eid, email, uid, upd, lid, lname, rare, listID string
	for _, q := range []struct {
		sql  string
		dest []any
	}{
		{"SELECT id FROM contacts WHERE workspace_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1", []any{&cid}},
		{"SELECT id, email FROM contacts WHERE workspace_id = $1 ORDER BY email, id OFFSET $2 LIMIT 1", []any{&eid, &email}},
		{"SELECT id, " + ts + " FROM contacts WHERE workspace_id = $1 ORDER BY updated_at DESC, id DESC OFFSET $2 LIMIT 1", []any{&uid, &upd}},
		{"SELECT id, last_name FROM contacts WHERE workspace_id = $1 ORDER BY last_name, id OFFSET $2 LIMIT 1", []any{&lid, &lname}},
		{"SELECT split_part(email, '@', 1) || '@' FROM contacts WHERE workspace_id = $1 ORDER BY id DESC OFFSET $2 / 2 LIMIT 1", []any{&rare}},
		{"SELECT id FROM lists WHERE workspace_id = $1 AND $2 >= 0 ORDER BY id LIMIT 1", []any{&listID}},
	} {
		if err := conn.QueryRow(ctx, q.sql, ws, deep).Scan(q.dest...); err != nil {
			return nil, fmt.Errorf("%s: %w", q.sql, err)
		}
	}
	dashboard := `{ contacts(first: 50) { nodes { id email firstName lastName company title createdAt
  lists(first: 5) { nodes { id name } } deals(first: 5) { nodes { id title amount currency stage createdAt } } } } }`
	return []request{
		{name: "first page (50)", query: contacts("first: 50", "")},
		{name: "dashboard (50 contacts, 5 lists, 5 deals)", query: dashboard},
		{name: "cursor at 90 %, by creation", query: contacts(fmt.Sprintf("first: 50, after: %q", cursor("contacts.created", "", cid)), "")},
		{name: "last: 50", query: contacts("last: 50", "")},
		{name: "totalCount", query: "{ contacts(first: 1) { totalCount } }"},
		{name: "search \"smith\", page", query: contacts(`first: 50, filter: {search: "smith"}`, "")},
		{name: "search \"smith\" + totalCount", query: contacts(`first: 50, filter: {search: "smith"}`, "totalCount")},
		{name: "search, 1 match", query: contacts(fmt.Sprintf("first: 50, filter: {search: %q}", rare), "")},
		{name: "search, 1 match + totalCount", query: contacts(fmt.Sprintf("first: 50, filter: {search: %q}", rare), "totalCount")},
		{name: "company + totalCount", query: contacts(`first: 50, filter: {company: "Apex Dynamics Inc"}`, "totalCount")},
		{name: "tag 20 % (vip)", query: contacts(`first: 50, filter: {tag: "vip"}`, "")},
		{name: "tag 1 % (partner) + totalCount", query: contacts(`first: 50, filter: {tag: "partner"}`, "totalCount")},
		{name: "list filter + totalCount", query: contacts(fmt.Sprintf("first: 50, filter: {listId: %q}", listID), "totalCount")},
		{name: "order by email, page 1", query: contacts("first: 50, orderBy: {field: EMAIL, direction: ASC}", "")},
		{name: "order by email, cursor at 90 %", query: contacts(fmt.Sprintf("first: 50, orderBy: {field: EMAIL, direction: ASC}, after: %q",
			cursor("contacts.email", email, eid)), "")},
		{name: "order by updatedAt desc, cursor at 90 %", query: contacts(fmt.Sprintf("first: 50, orderBy: {field: UPDATED_AT, direction: DESC}, after: %q",
			cursor("contacts.updated", upd, uid)), "")},
		{name: "order by lastName, cursor at 90 %", query: contacts(fmt.Sprintf("first: 50, orderBy: {field: LAST_NAME, direction: ASC}, after: %q",
			cursor("contacts.last_name", lname, lid)), "")},
		{name: "search \"smith\" by email", query: contacts(`first: 50, filter: {search: "smith"}, orderBy: {field: EMAIL, direction: ASC}`, "")},
		{name: "20 lists: contactCount + 20 contacts", query: "{ lists(first: 20) { totalCount edges { node { name contactCount contacts(first: 20) { totalCount edges { node { id email fullName company } } } } } } }"},
		{name: "deals (50) with contact + totalCount", query: "{ deals(first: 50) { totalCount edges { node { title amount stage contact { email fullName } } } } }"},
		{name: "deals by stage + totalCount", query: "{ deals(first: 50, filter: {stage: WON}) { totalCount nodes { title amount } } }"},
		{name: "GET /v1/contacts?limit=50", rest: "/v1/contacts?limit=50"},
	}, nil
}
