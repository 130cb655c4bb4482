package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/wbk/crm/internal/seed"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
)

const lexiTaskFields = `id title description action status result error conversationId createdAt decidedAt`

// lexiTask is a task as lexiTaskFields selects it.
type lexiTask struct {
	ID, Title, Description, Action, Status, ConversationID, CreatedAt string
	Result, Error, DecidedAt                                          *string
}

// lexiPayload is lexiChat's answer.
type lexiPayload struct {
	ConversationID string
	Reply          struct{ ID, Role, Content, CreatedAt string }
	Tasks          []lexiTask
}

// lexiConn is a connection as the tests below select it.
type lexiConn struct {
	TotalCount *int
	Nodes      []lexiNode
	Edges      []struct {
		Cursor string
		Node   lexiNode
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
}

// lexiNode is a node of any connection below: the fields each selects.
type lexiNode struct {
	ID, Name, Title, Stage, Status string
	ContactCount                   *int
}

// lexiAnswer is every answer the Lexi tests read; each declares only what it selects.
type lexiAnswer struct {
	LexiChat                                  lexiPayload
	ApproveLexiTask, RejectLexiTask, LexiTask *lexiTask
	Node                                      *lexiTask
	Contacts, Lists, Deals, LexiTasks         lexiConn
}

func lexiData(t *testing.T, r *testenv.Response) lexiAnswer {
	t.Helper()
	return testenv.Decode[lexiAnswer](t, r)
}

// lexiDecided is the task an approve or reject answered; it fails the test when there is none.
func lexiDecided(t *testing.T, r *testenv.Response) lexiTask {
	t.Helper()
	d := lexiData(t, r)
	for _, task := range []*lexiTask{d.ApproveLexiTask, d.RejectLexiTask} {
		if task != nil {
			return *task
		}
	}
	t.Fatalf("no decided task: %s", r.Raw)
	return lexiTask{}
}

// lexiStr is *s, or "<nil>".
func lexiStr(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// lexiSay sends one message and returns the payload.
func lexiSay(t *testing.T, env *testenv.Env, key, msg string, conversation any) lexiPayload {
	t.Helper()
	return lexiData(t, env.Query(t, key, `mutation($m: String!, $c: ID) { lexiChat(input: {message: $m, conversationId: $c}) {
		conversationId reply { id role content createdAt } tasks { `+lexiTaskFields+` } } }`,
		map[string]any{"m": msg, "c": conversation})).LexiChat
}

// lexiPropose sends a message that must make exactly one task, of action, and returns its id.
func lexiPropose(t *testing.T, env *testenv.Env, key, msg, action string) string {
	t.Helper()
	p := lexiSay(t, env, key, msg, nil)
	tasks := p.Tasks
	if len(tasks) != 1 || tasks[0].Action != action || tasks[0].Status != "PENDING" || tasks[0].ID == "" {
		t.Fatalf("%q: want one PENDING %s task, got %+v (reply %q)", msg, action, tasks, p.Reply.Content)
	}
	return tasks[0].ID
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

func lexiGetTask(t *testing.T, env *testenv.Env, key, id string) *lexiTask {
	t.Helper()
	return lexiData(t, env.Query(t, key, `query($id: ID!) { lexiTask(id: $id) { `+lexiTaskFields+` } }`, map[string]any{"id": id})).LexiTask
}

// lexiTenant is a workspace with contacts at Acme (two tagged vip), one elsewhere, a list
// VIP and a deal "Big renewal" in PROPOSAL.
func lexiTenant(t *testing.T, env *testenv.Env, name string) (string, map[string]struct{ ID string }) {
	t.Helper()
	_, key := env.Tenant(t, name)
	r := env.Query(t, key, `mutation($n: String!) {
		a: createContact(input: {email: "ann@acme.com", firstName: "Ann", lastName: $n, company: "Acme", tags: ["vip"]}) { id }
		b: createContact(input: {email: "bob@acme.com", firstName: "Bob", lastName: $n, company: "Acme", tags: ["vip", "enterprise"]}) { id }
		c: createContact(input: {email: "cy@acme.com", firstName: "Cy", lastName: $n, company: "Acme"}) { id }
		d: createContact(input: {email: "dee@other.com", firstName: "Dee", lastName: $n, company: "Other"}) { id }
		l: createList(input: {name: "VIP"}) { id }
		deal: createDeal(input: {title: "Big renewal", amount: 100, stage: PROPOSAL}) { id }
	}`, map[string]any{"n": name})
	d := testenv.Decode[map[string]struct{ ID string }](t, r)
	for _, k := range []string{"a", "b", "c", "d", "l", "deal"} {
		if d[k].ID == "" {
			t.Fatalf("no %s.id: %s", k, r.Raw)
		}
	}
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
	conv := p.ConversationID
	if got := p.Reply.Content; got != "You have 4 contacts." || p.Reply.Role != "ASSISTANT" || conv == "" {
		t.Fatalf("reply = %+v", p)
	}
	if tasks := p.Tasks; tasks == nil || len(tasks) != 0 {
		t.Fatalf("a question made tasks: %v", tasks)
	}
	p = lexiSay(t, env, key, `Please create a list called "Key people" with contacts tagged vip.`, conv)
	if p.ConversationID != conv {
		t.Fatalf("conversation changed: %+v", p)
	}
	if len(p.Tasks) == 0 {
		t.Fatalf("no task: %+v", p)
	}
	task := p.Tasks[0]
	if task.Title != "Create list Key people with the 2 contacts tagged vip" || task.Status != "PENDING" ||
		task.ConversationID != conv || task.DecidedAt != nil || !strings.Contains(task.Description, "Ann Flow, Bob Flow") {
		t.Fatalf("task = %+v", task)
	}
	// Proposing changed nothing.
	r := env.Query(t, key, `{ lists(filter: {search: "Key people"}) { totalCount } }`, nil)
	if n := lexiData(t, r).Lists.TotalCount; n == nil || *n != 0 {
		t.Fatalf("lexiChat created the list: %s", r.Raw)
	}

	got := lexiDecided(t, lexiApprove(t, env, key, task.ID))
	if got.Status != "EXECUTED" || lexiStr(got.Result) != "Created list Key people with 2 contacts" || got.DecidedAt == nil || got.Error != nil {
		t.Fatalf("approved = %+v", got)
	}
	r = env.Query(t, key, `{ lists(filter: {search: "Key people"}) { nodes { name contactCount } } }`, nil)
	if n := lexiData(t, r).Lists.Nodes; len(n) == 0 || n[0].ContactCount == nil || *n[0].ContactCount != 2 {
		t.Fatalf("list = %s", r.Raw)
	}
	// Decided tasks are final.
	for _, r := range []*testenv.Response{lexiApprove(t, env, key, task.ID), lexiReject(t, env, key, task.ID, nil)} {
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
			`{ list(id: "` + ids["l"].ID + `") { contactCount } }`, `"contactCount":3`},
		{"draft a campaign called Q4 launch for list VIP", "CREATE_CAMPAIGN", "Created draft campaign Q4 launch for list VIP",
			`{ campaigns { nodes { name status list { name } } } }`, `{"name":"Q4 launch","status":"DRAFT","list":{"name":"VIP"}}`},
		{"import prospects at " + *seedCompany(t, 0) + " into list VIP", "IMPORT_PROSPECTS", "Imported ",
			`{ contacts(filter: {company: "` + *seedCompany(t, 0) + `"}) { totalCount } }`, `"totalCount":`},
	}
	for _, s := range steps {
		id := lexiPropose(t, env, key, s.msg, s.action)
		got := lexiDecided(t, lexiApprove(t, env, key, id))
		if got.Status != "EXECUTED" || got.Result == nil || !strings.HasPrefix(*got.Result, s.result) {
			t.Fatalf("%q: approved = %+v", s.msg, got)
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
	got := lexiDecided(t, lexiApprove(t, env, key, id))
	if got.Status != "FAILED" || got.Result != nil || !strings.Contains(lexiStr(got.Error), "already exists") || got.DecidedAt == nil {
		t.Fatalf("approved = %+v", got)
	}
	r := env.Query(t, key, `{ lists(filter: {search: "late"}) { nodes { name contactCount } } }`, nil)
	if n := lexiData(t, r).Lists.Nodes; len(n) != 1 || n[0].ContactCount == nil || *n[0].ContactCount != 0 {
		t.Fatalf("lists = %s", r.Raw)
	}
	if r := lexiApprove(t, env, key, id); r.Code() != "CONFLICT" {
		t.Fatalf("approving a FAILED task: %s", r.Raw)
	}

	// A contact deleted since the proposal fails the task instead of silently changing less.
	id = lexiPropose(t, env, key, "tag contacts at Acme as gone", "TAG_CONTACTS")
	cs := lexiData(t, env.Query(t, key, `{ contacts(filter: {company: "Acme"}, first: 1) { nodes { id } } }`, nil)).Contacts.Nodes
	if len(cs) != 1 {
		t.Fatalf("contacts at Acme: %+v", cs)
	}
	env.Query(t, key, `mutation($id: ID!) { deleteContact(id: $id) }`, map[string]any{"id": cs[0].ID}).MustData(t)
	got = lexiDecided(t, lexiApprove(t, env, key, id))
	if got.Status != "FAILED" || !strings.Contains(lexiStr(got.Error), "not found") {
		t.Fatalf("approved = %+v", got)
	}
	r = env.Query(t, key, `{ contacts(filter: {tag: "gone"}) { totalCount } }`, nil)
	if n := lexiData(t, r).Contacts.TotalCount; n == nil || *n != 0 {
		t.Fatalf("a FAILED task tagged contacts: %s", r.Raw)
	}

	// Reject keeps the reason as the result and changes nothing.
	id = lexiPropose(t, env, key, "move deal Big renewal to won", "UPDATE_DEAL_STAGE")
	got = lexiDecided(t, lexiReject(t, env, key, id, "too early"))
	if got.Status != "REJECTED" || lexiStr(got.Result) != "too early" || got.DecidedAt == nil {
		t.Fatalf("rejected = %+v", got)
	}
	r = env.Query(t, key, `{ deals { nodes { stage } } }`, nil)
	if n := lexiData(t, r).Deals.Nodes; len(n) == 0 || n[0].Stage != "PROPOSAL" {
		t.Fatalf("a rejected task moved the deal: %s", r.Raw)
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
	if task := lexiGetTask(t, env, lexiOnly, id); task == nil || task.Status != "PENDING" {
		t.Fatalf("task after a forbidden approval: %+v", task)
	}
	// Rejecting changes no data, so LEXI is enough.
	id2 := lexiPropose(t, env, lexiOnly, "tag contacts at Acme as x", "TAG_CONTACTS")
	lexiReject(t, env, lexiOnly, id2, nil).MustData(t)

	// node needs READ; a Lexi task through it also needs LEXI.
	nodeQ := `query($id: ID!) { node(id: $id) { id ... on LexiTask { status } } }`
	if r := env.Query(t, readOnly, nodeQ, map[string]any{"id": id}); lexiData(t, r).Node != nil {
		t.Fatalf("read-only key saw a Lexi task through node: %s", r.Raw)
	}
	if r := env.Query(t, readLexi, nodeQ, map[string]any{"id": id}); lexiData(t, r).Node == nil || lexiData(t, r).Node.Status != "PENDING" {
		t.Fatalf("read+lexi node: %s", r.Raw)
	}
	if got := lexiDecided(t, lexiApprove(t, env, key, id)); got.Status != "EXECUTED" {
		t.Fatalf("full key approve: %+v", got)
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
				// Not lexiDecided: t.Fatal must not be called from this goroutine.
				var doc struct{ Data lexiAnswer }
				if err := json.Unmarshal(r.Raw, &doc); err == nil && doc.Data.ApproveLexiTask != nil {
					codes[i] = doc.Data.ApproveLexiTask.Status
				}
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
	r := env.Query(t, key, `{ lists(filter: {search: "Once"}) { totalCount nodes { contactCount } } }`, nil)
	l := lexiData(t, r).Lists
	if l.TotalCount == nil || *l.TotalCount != 1 || len(l.Nodes) == 0 || l.Nodes[0].ContactCount == nil || *l.Nodes[0].ContactCount != 3 {
		t.Fatalf("lists = %s", r.Raw)
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
		r := env.Query(t, key, q, map[string]any{"f": 2, "a": after})
		page := lexiData(t, r).LexiTasks
		for _, n := range page.Nodes {
			seen = append(seen, n.ID)
		}
		if page.TotalCount == nil || *page.TotalCount != 5 {
			t.Fatalf("totalCount: %s", r.Raw)
		}
		if !page.PageInfo.HasNextPage {
			break
		}
		if page.PageInfo.EndCursor == nil {
			t.Fatalf("a next page without endCursor: %s", r.Raw)
		}
		after = *page.PageInfo.EndCursor
	}
	want := []string{made[4], made[3], made[2], made[1], made[0]} // newest first
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("pages gave %v, want %v", seen, want)
	}
	r := env.Query(t, key, q, map[string]any{"s": "PENDING"})
	if page := lexiData(t, r).LexiTasks; page.TotalCount == nil || *page.TotalCount != 3 || len(page.Nodes) != 3 {
		t.Fatalf("PENDING: %s", r.Raw)
	}
	r = env.Query(t, key, q, map[string]any{"s": "REJECTED"})
	if n := lexiData(t, r).LexiTasks.Nodes; len(n) == 0 || n[0].ID != made[1] {
		t.Fatalf("REJECTED: %s", r.Raw)
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
	if len(pa.Tasks) == 0 {
		t.Fatalf("A's proposal made no task: %+v", pa)
	}
	taskA := pa.Tasks[0].ID
	convA := pa.ConversationID
	before := lexiGetTask(t, env, keyA, taskA)

	// B can neither see nor decide A's task.
	if task := lexiGetTask(t, env, keyB, taskA); task != nil {
		t.Fatalf("B saw A's task: %+v", task)
	}
	r := env.Query(t, keyB, `query($id: ID!) { node(id: $id) { id } lexiTasks { totalCount nodes { id } } }`, map[string]any{"id": taskA})
	if d := lexiData(t, r); d.Node != nil || d.LexiTasks.TotalCount == nil || *d.LexiTasks.TotalCount != 0 {
		t.Fatalf("B's view: %s", r.Raw)
	}
	for _, r := range []*testenv.Response{lexiApprove(t, env, keyB, taskA), lexiReject(t, env, keyB, taskA, "mine now"),
		env.Query(t, keyB, `mutation($c: ID) { lexiChat(input: {message: "hi", conversationId: $c}) { conversationId } }`, map[string]any{"c": convA})} {
		if r.Code() != "NOT_FOUND" {
			t.Fatalf("B deciding A's task: %s", r.Raw)
		}
	}
	if after := lexiGetTask(t, env, keyA, taskA); before == nil || !reflect.DeepEqual(after, before) {
		t.Fatalf("A's task changed: %+v -> %+v", before, after)
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
		reply := p.Reply.Content
		if !strings.HasPrefix(reply, want) {
			t.Errorf("B %q: reply %q, want %q", msg, reply, want)
		}
		for _, leak := range []string{"Alpha", "ann@acme.com", "bob@", "cy@", "Ann", "Bob", "Big renewal from"} {
			if strings.Contains(reply, leak) {
				t.Errorf("B %q: reply %q mentions A's %q", msg, reply, leak)
			}
		}
		if tasks := p.Tasks; tasks == nil || len(tasks) != 0 {
			t.Errorf("B %q made tasks %v", msg, tasks)
		}
	}
	// B's own change proposal only ever names B's contacts.
	p := lexiSay(t, env, keyB, "create a list called Mine with contacts at Acme", nil)
	if len(p.Tasks) == 0 {
		t.Fatalf("B's proposal made no task: %+v", p)
	}
	if desc := p.Tasks[0].Description; !strings.Contains(desc, "Zed Beta") || strings.Contains(desc, "Ann") {
		t.Fatalf("B's task: %q", desc)
	}
}
