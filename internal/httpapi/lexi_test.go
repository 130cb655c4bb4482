package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/wbk/crm/internal/seed"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
)

const lexiTaskFields = `id title description action status result error conversationId createdAt decidedAt`

// lexiSay sends one message and returns the payload.
func lexiSay(t *testing.T, env *testenv.Env, key, msg string, conversation any) map[string]any {
	t.Helper()
	d := env.Query(t, key, `mutation($m: String!, $c: ID) { lexiChat(input: {message: $m, conversationId: $c}) {
		conversationId reply { id role content createdAt } tasks { `+lexiTaskFields+` } } }`,
		map[string]any{"m": msg, "c": conversation}).MustData(t)
	return testenv.Get(d, "lexiChat").(map[string]any)
}

// lexiPropose sends a message that must make exactly one task, of action, and returns its id.
func lexiPropose(t *testing.T, env *testenv.Env, key, msg, action string) string {
	t.Helper()
	p := lexiSay(t, env, key, msg, nil)
	tasks, _ := p["tasks"].([]any)
	if len(tasks) != 1 || testenv.Str(tasks[0], "action") != action || testenv.Str(tasks[0], "status") != "PENDING" {
		t.Fatalf("%q: want one PENDING %s task, got %v (reply %q)", msg, action, tasks, testenv.Str(p, "reply", "content"))
	}
	return testenv.Str(tasks[0], "id")
}

func lexiApprove(t *testing.T, env *testenv.Env, key, id string) *testenv.Response {
	t.Helper()
	return env.Query(t, key, `mutation($id: ID!) { approveLexiTask(id: $id) { `+lexiTaskFields+` } }`, map[string]any{"id": id})
}

func lexiReject(t *testing.T, env *testenv.Env, key, id string, reason any) *testenv.Response {
	t.Helper()
	return env.Query(t, key, `mutation($id: ID!, $r: String) { rejectLexiTask(id: $id, reason: $r) { `+lexiTaskFields+` } }`,
		map[string]any{"id": id, "r": reason})
}

func lexiGetTask(t *testing.T, env *testenv.Env, key, id string) map[string]any {
	t.Helper()
	d := env.Query(t, key, `query($id: ID!) { lexiTask(id: $id) { `+lexiTaskFields+` } }`, map[string]any{"id": id}).MustData(t)
	task, _ := d["lexiTask"].(map[string]any)
	return task
}

// lexiTenant is a workspace with contacts at Acme (two tagged vip), one elsewhere, a list
// VIP and a deal "Big renewal" in PROPOSAL.
func lexiTenant(t *testing.T, env *testenv.Env, name string) (string, map[string]any) {
	t.Helper()
	_, key := env.Tenant(t, name)
	d := env.Query(t, key, `mutation($n: String!) {
		a: createContact(input: {email: "ann@acme.com", firstName: "Ann", lastName: $n, company: "Acme", tags: ["vip"]}) { id }
		b: createContact(input: {email: "bob@acme.com", firstName: "Bob", lastName: $n, company: "Acme", tags: ["vip", "enterprise"]}) { id }
		c: createContact(input: {email: "cy@acme.com", firstName: "Cy", lastName: $n, company: "Acme"}) { id }
		d: createContact(input: {email: "dee@other.com", firstName: "Dee", lastName: $n, company: "Other"}) { id }
		l: createList(input: {name: "VIP"}) { id }
		deal: createDeal(input: {title: "Big renewal", amount: 100, stage: PROPOSAL}) { id }
	}`, map[string]any{"n": name}).MustData(t)
	return key, d
}

func TestLexiConversationApproveEachAction(t *testing.T) {
	env := testenv.New(t)
	key, ids := lexiTenant(t, env, "Flow")
	if _, err := env.Store.UpsertProspects(store.AsSystem(context.Background()), seed.Prospects()[:40]); err != nil {
		t.Fatal(err)
	}

	// A conversation: a question, then a change in the same conversation.
	p := lexiSay(t, env, key, "How many contacts do we have?", nil)
	conv := testenv.Str(p, "conversationId")
	if got := testenv.Str(p, "reply", "content"); got != "You have 4 contacts." || testenv.Str(p, "reply", "role") != "ASSISTANT" {
		t.Fatalf("reply = %v", p["reply"])
	}
	if tasks := p["tasks"].([]any); len(tasks) != 0 {
		t.Fatalf("a question made tasks: %v", tasks)
	}
	p = lexiSay(t, env, key, `Please create a list called "Key people" with contacts tagged vip.`, conv)
	if testenv.Str(p, "conversationId") != conv {
		t.Fatalf("conversation changed: %v", p)
	}
	task := testenv.Get(p, "tasks", 0).(map[string]any)
	if task["title"] != "Create list Key people with the 2 contacts tagged vip" || task["status"] != "PENDING" ||
		task["conversationId"] != conv || task["decidedAt"] != nil || !strings.Contains(task["description"].(string), "Ann Flow, Bob Flow") {
		t.Fatalf("task = %v", task)
	}
	// Proposing changed nothing.
	d := env.Query(t, key, `{ lists(filter: {search: "Key people"}) { totalCount } }`, nil).MustData(t)
	if testenv.Get(d, "lists", "totalCount") != float64(0) {
		t.Fatalf("lexiChat created the list: %v", d)
	}

	r := lexiApprove(t, env, key, task["id"].(string))
	got := r.MustData(t)["approveLexiTask"].(map[string]any)
	if got["status"] != "EXECUTED" || got["result"] != "Created list Key people with 2 contacts" || got["decidedAt"] == nil || got["error"] != nil {
		t.Fatalf("approved = %v", got)
	}
	d = env.Query(t, key, `{ lists(filter: {search: "Key people"}) { nodes { name contactCount } } }`, nil).MustData(t)
	if testenv.Get(d, "lists", "nodes", 0, "contactCount") != float64(2) {
		t.Fatalf("list = %v", d)
	}
	// Decided tasks are final.
	for _, r := range []*testenv.Response{lexiApprove(t, env, key, task["id"].(string)), lexiReject(t, env, key, task["id"].(string), nil)} {
		if r.Code() != "CONFLICT" {
			t.Fatalf("second decision: %s", r.Raw)
		}
	}

	// Every other action, approved through the API, changes what it said it would.
	steps := []struct{ msg, action, result, check, want string }{
		{"tag contacts at Acme as enterprise", "TAG_CONTACTS", "Tagged 2 contacts as enterprise",
			`{ contacts(filter: {company: "Acme", tag: "enterprise"}) { totalCount } }`, `"totalCount":3`},
		{"move deal Big renewal to negotiation", "UPDATE_DEAL_STAGE", "Moved deal Big renewal from proposal to negotiation",
			`{ deals(filter: {stage: NEGOTIATION}) { nodes { title } } }`, `"title":"Big renewal"`},
		{"add contacts at Acme to list VIP", "ADD_CONTACTS_TO_LIST", "Added 3 contacts to list VIP",
			`{ list(id: "` + testenv.Str(ids, "l", "id") + `") { contactCount } }`, `"contactCount":3`},
		{"draft a campaign called Q4 launch for list VIP", "CREATE_CAMPAIGN", "Created draft campaign Q4 launch for list VIP",
			`{ campaigns { nodes { name status list { name } } } }`, `{"name":"Q4 launch","status":"DRAFT","list":{"name":"VIP"}}`},
		{"import prospects at " + *seedCompany(t, 0) + " into list VIP", "IMPORT_PROSPECTS", "Imported ",
			`{ contacts(filter: {company: "` + *seedCompany(t, 0) + `"}) { totalCount } }`, `"totalCount":`},
	}
	for _, s := range steps {
		id := lexiPropose(t, env, key, s.msg, s.action)
		got := lexiApprove(t, env, key, id).MustData(t)["approveLexiTask"].(map[string]any)
		if got["status"] != "EXECUTED" || !strings.HasPrefix(got["result"].(string), s.result) {
			t.Fatalf("%q: approved = %v", s.msg, got)
		}
		if r := env.Query(t, key, s.check, nil); !strings.Contains(string(r.Raw), s.want) {
			t.Fatalf("%q: after approval %s", s.msg, r.Raw)
		}
	}
}

func seedCompany(t *testing.T, i int) *string {
	t.Helper()
	c := seed.Prospects()[i].Company
	return &c
}

func TestLexiFailedAndRejected(t *testing.T) {
	env := testenv.New(t)
	key, _ := lexiTenant(t, env, "Fail")

	// The name is taken between proposal and approval: FAILED, and the action left no trace.
	id := lexiPropose(t, env, key, "create a list called Late with contacts at Acme", "CREATE_LIST")
	env.Query(t, key, `mutation { createList(input: {name: "late"}) { id } }`, nil).MustData(t)
	got := lexiApprove(t, env, key, id).MustData(t)["approveLexiTask"].(map[string]any)
	if got["status"] != "FAILED" || got["result"] != nil || !strings.Contains(fmt.Sprint(got["error"]), "already exists") || got["decidedAt"] == nil {
		t.Fatalf("approved = %v", got)
	}
	d := env.Query(t, key, `{ lists(filter: {search: "late"}) { nodes { name contactCount } } }`, nil).MustData(t)
	if n := testenv.Get(d, "lists", "nodes").([]any); len(n) != 1 || testenv.Get(n[0], "contactCount") != float64(0) {
		t.Fatalf("lists = %v", d)
	}
	if r := lexiApprove(t, env, key, id); r.Code() != "CONFLICT" {
		t.Fatalf("approving a FAILED task: %s", r.Raw)
	}

	// A contact deleted since the proposal fails the task instead of silently changing less.
	id = lexiPropose(t, env, key, "tag contacts at Acme as gone", "TAG_CONTACTS")
	cs := env.Query(t, key, `{ contacts(filter: {company: "Acme"}, first: 1) { nodes { id } } }`, nil).MustData(t)
	env.Query(t, key, `mutation($id: ID!) { deleteContact(id: $id) }`, map[string]any{"id": testenv.Str(cs, "contacts", "nodes", 0, "id")}).MustData(t)
	got = lexiApprove(t, env, key, id).MustData(t)["approveLexiTask"].(map[string]any)
	if got["status"] != "FAILED" || !strings.Contains(fmt.Sprint(got["error"]), "not found") {
		t.Fatalf("approved = %v", got)
	}
	d = env.Query(t, key, `{ contacts(filter: {tag: "gone"}) { totalCount } }`, nil).MustData(t)
	if testenv.Get(d, "contacts", "totalCount") != float64(0) {
		t.Fatalf("a FAILED task tagged contacts: %v", d)
	}

	// Reject keeps the reason as the result and changes nothing.
	id = lexiPropose(t, env, key, "move deal Big renewal to won", "UPDATE_DEAL_STAGE")
	got = lexiReject(t, env, key, id, "too early").MustData(t)["rejectLexiTask"].(map[string]any)
	if got["status"] != "REJECTED" || got["result"] != "too early" || got["decidedAt"] == nil {
		t.Fatalf("rejected = %v", got)
	}
	d = env.Query(t, key, `{ deals { nodes { stage } } }`, nil).MustData(t)
	if testenv.Str(d, "deals", "nodes", 0, "stage") != "PROPOSAL" {
		t.Fatalf("a rejected task moved the deal: %v", d)
	}
	for _, r := range []*testenv.Response{lexiApprove(t, env, key, id), lexiReject(t, env, key, id, nil)} {
		if r.Code() != "CONFLICT" {
			t.Fatalf("deciding a REJECTED task: %s", r.Raw)
		}
	}

	// Unknown ids and conversations.
	for _, r := range []*testenv.Response{lexiApprove(t, env, key, "ltk_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR"), lexiReject(t, env, key, "nope", nil),
		env.Query(t, key, `mutation { lexiChat(input: {message: "hi", conversationId: "lxc_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR"}) { conversationId } }`, nil)} {
		if r.Code() != "NOT_FOUND" {
			t.Fatalf("unknown id: %s", r.Raw)
		}
	}
	if r := env.Query(t, key, `mutation { lexiChat(input: {message: "   "}) { conversationId } }`, nil); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("empty message: %s", r.Raw)
	}
}

func TestLexiPermissions(t *testing.T) {
	env := testenv.New(t)
	ws, key := env.Tenant(t, "Perm")
	env.Query(t, key, `mutation { createContact(input: {email: "a@acme.com", company: "Acme"}) { id } }`, nil).MustData(t)
	readOnly := env.Key(t, ws, "read")
	lexiOnly := env.Key(t, ws, "lexi")
	readLexi := env.Key(t, ws, "read", "lexi")

	for _, q := range []string{`mutation { lexiChat(input: {message: "hi"}) { conversationId } }`, `{ lexiTasks { totalCount } }`} {
		r := env.Query(t, readOnly, q, nil)
		if r.Status != http.StatusForbidden || r.Code() != "FORBIDDEN" || fmt.Sprint(r.Errors[0].Extensions["missing"]) != "[LEXI]" {
			t.Fatalf("read-only %s: %d %s", q, r.Status, r.Raw)
		}
	}

	id := lexiPropose(t, env, lexiOnly, "create a list called Lexi list with contacts at Acme", "CREATE_LIST")
	r := lexiApprove(t, env, lexiOnly, id)
	if r.Code() != "FORBIDDEN" || fmt.Sprint(r.Errors[0].Extensions["missing"]) != "[WRITE]" {
		t.Fatalf("lexi-only approve: %d %s", r.Status, r.Raw)
	}
	if task := lexiGetTask(t, env, lexiOnly, id); task["status"] != "PENDING" {
		t.Fatalf("task after a forbidden approval: %v", task)
	}
	// Rejecting changes no data, so LEXI is enough.
	id2 := lexiPropose(t, env, lexiOnly, "tag contacts at Acme as x", "TAG_CONTACTS")
	lexiReject(t, env, lexiOnly, id2, nil).MustData(t)

	// node needs READ; a Lexi task through it also needs LEXI.
	nodeQ := `query($id: ID!) { node(id: $id) { id ... on LexiTask { status } } }`
	if d := env.Query(t, readOnly, nodeQ, map[string]any{"id": id}).MustData(t); d["node"] != nil {
		t.Fatalf("read-only key saw a Lexi task through node: %v", d)
	}
	if d := env.Query(t, readLexi, nodeQ, map[string]any{"id": id}).MustData(t); testenv.Str(d, "node", "status") != "PENDING" {
		t.Fatalf("read+lexi node: %v", d)
	}
	if got := lexiApprove(t, env, key, id).MustData(t); testenv.Str(got, "approveLexiTask", "status") != "EXECUTED" {
		t.Fatalf("full key approve: %v", got)
	}
}

func TestLexiConcurrentApprovalRunsOnce(t *testing.T) {
	env := testenv.New(t)
	key, _ := lexiTenant(t, env, "Race")
	id := lexiPropose(t, env, key, "create a list called Once with contacts at Acme", "CREATE_LIST")

	const n = 8
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := lexiApprove(t, env, key, id)
			if len(r.Errors) == 0 {
				codes[i] = testenv.Str(r.Data, "approveLexiTask", "status")
			} else {
				codes[i] = r.Code()
			}
		}()
	}
	wg.Wait()
	executed := 0
	for _, c := range codes {
		switch c {
		case "EXECUTED":
			executed++
		case "CONFLICT":
		default:
			t.Fatalf("unexpected outcome %q among %v", c, codes)
		}
	}
	if executed != 1 {
		t.Fatalf("outcomes %v: want exactly one EXECUTED", codes)
	}
	d := env.Query(t, key, `{ lists(filter: {search: "Once"}) { totalCount nodes { contactCount } } }`, nil).MustData(t)
	if testenv.Get(d, "lists", "totalCount") != float64(1) || testenv.Get(d, "lists", "nodes", 0, "contactCount") != float64(3) {
		t.Fatalf("lists = %v", d)
	}
}

func TestLexiTasksPaging(t *testing.T) {
	env := testenv.New(t)
	key, _ := lexiTenant(t, env, "Page")
	var made []string
	for i := range 5 {
		made = append(made, lexiPropose(t, env, key, fmt.Sprintf("create a list called L%d", i), "CREATE_LIST"))
	}
	lexiApprove(t, env, key, made[0]).MustData(t)
	lexiReject(t, env, key, made[1], "no").MustData(t)

	q := `query($s: LexiTaskStatus, $f: Int, $a: String) { lexiTasks(status: $s, first: $f, after: $a) {
		totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status } } nodes { id } } }`
	var seen []string
	var after any
	for {
		d := env.Query(t, key, q, map[string]any{"f": 2, "a": after}).MustData(t)
		for _, n := range testenv.Get(d, "lexiTasks", "nodes").([]any) {
			seen = append(seen, testenv.Str(n, "id"))
		}
		if testenv.Get(d, "lexiTasks", "totalCount") != float64(5) {
			t.Fatalf("totalCount: %v", d)
		}
		if testenv.Get(d, "lexiTasks", "pageInfo", "hasNextPage") != true {
			break
		}
		after = testenv.Str(d, "lexiTasks", "pageInfo", "endCursor")
	}
	want := []string{made[4], made[3], made[2], made[1], made[0]} // newest first
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("pages gave %v, want %v", seen, want)
	}
	d := env.Query(t, key, q, map[string]any{"s": "PENDING"}).MustData(t)
	if testenv.Get(d, "lexiTasks", "totalCount") != float64(3) || len(testenv.Get(d, "lexiTasks", "nodes").([]any)) != 3 {
		t.Fatalf("PENDING: %v", d)
	}
	d = env.Query(t, key, q, map[string]any{"s": "REJECTED"}).MustData(t)
	if testenv.Str(d, "lexiTasks", "nodes", 0, "id") != made[1] {
		t.Fatalf("REJECTED: %v", d)
	}
	if r := env.Query(t, key, q, map[string]any{"f": 101}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("first: 101: %s", r.Raw)
	}
}

func TestLexiIsolation(t *testing.T) {
	env := testenv.New(t)
	keyA, _ := lexiTenant(t, env, "Alpha")
	// B has one contact at Acme and nothing else in common with A.
	_, keyB := env.Tenant(t, "Beta")
	env.Query(t, keyB, `mutation { createContact(input: {email: "zed@acme.com", firstName: "Zed", lastName: "Beta", company: "Acme"}) { id } }`, nil).MustData(t)

	pa := lexiSay(t, env, keyA, "create a list called Alpha only with contacts at Acme", nil)
	taskA := testenv.Str(pa, "tasks", 0, "id")
	convA := testenv.Str(pa, "conversationId")
	before := lexiGetTask(t, env, keyA, taskA)

	// B can neither see nor decide A's task.
	if task := lexiGetTask(t, env, keyB, taskA); task != nil {
		t.Fatalf("B saw A's task: %v", task)
	}
	d := env.Query(t, keyB, `query($id: ID!) { node(id: $id) { id } lexiTasks { totalCount nodes { id } } }`, map[string]any{"id": taskA}).MustData(t)
	if d["node"] != nil || testenv.Get(d, "lexiTasks", "totalCount") != float64(0) {
		t.Fatalf("B's view: %v", d)
	}
	for _, r := range []*testenv.Response{lexiApprove(t, env, keyB, taskA), lexiReject(t, env, keyB, taskA, "mine now"),
		env.Query(t, keyB, `mutation($c: ID) { lexiChat(input: {message: "hi", conversationId: $c}) { conversationId } }`, map[string]any{"c": convA})} {
		if r.Code() != "NOT_FOUND" {
			t.Fatalf("B deciding A's task: %s", r.Raw)
		}
	}
	if after := lexiGetTask(t, env, keyA, taskA); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("A's task changed: %v -> %v", before, after)
	}

	// Lexi's answers in B come from B alone.
	for msg, want := range map[string]string{
		"how many contacts do we have?":    "You have 1 contact.",
		"how many contacts at Acme?":       "There is 1 contact at Acme.",
		"how many contacts tagged vip?":    "There are no contacts tagged vip.",
		"how many deals do we have?":       "You have 0 deals.",
		"how many lists do we have?":       "You have 0 lists.",
		"show contacts at Acme":            "I found 1 contact at Acme:\n- Zed Beta, zed@acme.com, Acme",
		"find contacts tagged vip":         "I found no contacts tagged vip.",
		"move deal Big renewal to won":     "I could not find a deal called Big renewal.",
		"add contacts at Acme to list VIP": "There is no list named VIP.",
	} {
		p := lexiSay(t, env, keyB, msg, nil)
		reply := testenv.Str(p, "reply", "content")
		if !strings.HasPrefix(reply, want) {
			t.Errorf("B %q: reply %q, want %q", msg, reply, want)
		}
		for _, leak := range []string{"Alpha", "ann@acme.com", "bob@", "cy@", "Ann", "Bob", "Big renewal from"} {
			if strings.Contains(reply, leak) {
				t.Errorf("B %q: reply %q mentions A's %q", msg, reply, leak)
			}
		}
		if tasks := p["tasks"].([]any); len(tasks) != 0 {
			t.Errorf("B %q made tasks %v", msg, tasks)
		}
	}
	// B's own change proposal only ever names B's contacts.
	p := lexiSay(t, env, keyB, "create a list called Mine with contacts at Acme", nil)
	if desc := testenv.Str(p, "tasks", 0, "description"); !strings.Contains(desc, "Zed Beta") || strings.Contains(desc, "Ann") {
		t.Fatalf("B's task: %q", desc)
	}
}
