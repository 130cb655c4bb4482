package seed

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{SQLitePath: filepath.Join(t.TempDir(), "t.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// seeded returns a store with the demo in one workspace and a context scoped to it.
func seeded(t *testing.T) (*store.Store, context.Context, *models.Workspace) {
	t.Helper()
	st := openStore(t)
	ctx := context.Background()
	ws, err := st.CreateWorkspace(ctx, "Demo", models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Demo(ctx, st, ws); err != nil {
		t.Fatalf("Demo: %v", err)
	}
	return st, store.WithWorkspace(ctx, ws.ID), ws
}

func countContacts(t *testing.T, ctx context.Context, st *store.Store, f *models.ContactFilter) int {
	t.Helper()
	n := 1
	conn, err := st.Contacts(ctx, store.PageArgs{First: &n}, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	total, err := conn.TotalCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func countDeals(t *testing.T, ctx context.Context, st *store.Store, f *models.DealFilter) int {
	t.Helper()
	n := 1
	conn, err := st.Deals(ctx, store.PageArgs{First: &n}, f)
	if err != nil {
		t.Fatal(err)
	}
	total, err := conn.TotalCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func TestDemoContacts(t *testing.T) {
	st, ctx, _ := seeded(t)
	for _, tc := range []struct {
		name   string
		filter *models.ContactFilter
		min    int
	}{
		{"all", nil, 50},
		{"Acme", &models.ContactFilter{Company: new("Acme")}, 5},
		{"Globex", &models.ContactFilter{Company: new("Globex")}, 3},
		{"Initech", &models.ContactFilter{Company: new("Initech")}, 1},
		{"Umbrella", &models.ContactFilter{Company: new("Umbrella")}, 1},
		{"Stark Industries", &models.ContactFilter{Company: new("Stark Industries")}, 1},
		{"Wayne Enterprises", &models.ContactFilter{Company: new("Wayne Enterprises")}, 1},
		{"Acme vip", &models.ContactFilter{Company: new("Acme"), Tag: new("vip")}, 2},
		{"tag vip", &models.ContactFilter{Tag: new("vip")}, 8},
		{"tag enterprise", &models.ContactFilter{Tag: new("enterprise")}, 1},
		{"tag newsletter", &models.ContactFilter{Tag: new("newsletter")}, 1},
		{"tag trial", &models.ContactFilter{Tag: new("trial")}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := countContacts(t, ctx, st, tc.filter); got < tc.min {
				t.Errorf("got %d contacts, want at least %d", got, tc.min)
			}
		})
	}

	n := 100
	conn, err := st.Contacts(ctx, store.PageArgs{First: &n}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conn.Nodes() {
		if c.FirstName == nil || c.LastName() == nil || c.Title == nil || c.Phone == nil || c.Company == nil {
			t.Errorf("contact %s lacks a name, title, phone or company", c.Email)
		}
		if !strings.Contains(c.Email, ".") || strings.ContainsAny(c.Email, "' ") {
			t.Errorf("unexpected email %q", c.Email)
		}
	}
}

func TestDemoDeals(t *testing.T) {
	st, ctx, _ := seeded(t)

	d, err := st.DealByTitle(ctx, "Globex renewal")
	if err != nil {
		t.Fatalf("Globex renewal: %v", err)
	}
	if d.Stage != models.DealStageProposal || d.ContactID == nil {
		t.Fatalf("Globex renewal: stage %s, contact %v; want PROPOSAL with a contact", d.Stage, d.ContactID)
	}
	c, err := st.Contact(ctx, *d.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Company == nil || *c.Company != "Globex" {
		t.Errorf("Globex renewal contact is at %v, want Globex", c.Company)
	}

	mins := map[models.DealStage]int{models.DealStageNegotiation: 3}
	for _, stage := range models.AllDealStage {
		t.Run(string(stage), func(t *testing.T) {
			want := max(mins[stage], 1)
			if got := countDeals(t, ctx, st, &models.DealFilter{Stage: &stage}); got < want {
				t.Errorf("got %d deals, want at least %d", got, want)
			}
		})
	}
	if got := countDeals(t, ctx, st, nil); got < 20 {
		t.Errorf("got %d deals, want about 25", got)
	}
}

func TestDemoListsAndCampaigns(t *testing.T) {
	st, ctx, _ := seeded(t)
	for _, tc := range []struct {
		name string
		min  int
	}{
		{"VIP", 8}, {"Newsletter", 5}, {"Acme accounts", 5}, {"Q4 prospects", 3},
		{"Enterprise customers", 5}, {"Trial users", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := st.ListByName(ctx, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if got := countContacts(t, ctx, st, &models.ContactFilter{ListID: &l.ID}); got < tc.min {
				t.Errorf("list has %d members, want at least %d", got, tc.min)
			}
		})
	}

	n := 100
	conn, err := st.Campaigns(ctx, store.PageArgs{First: &n}, nil)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*models.Campaign{}
	for _, e := range conn.Edges {
		byName[e.Node.Name] = e.Node
	}
	if _, ok := byName["Q4 launch"]; ok {
		t.Error(`"Q4 launch" must be left for the assistant demo to create`)
	}
	if c := byName["Welcome series"]; c == nil || c.Status != models.CampaignStatusDraft || c.ListID == nil {
		t.Errorf("Welcome series = %+v, want a DRAFT with a list", c)
	}
	c := byName["Spring webinar"]
	if c == nil || c.Status != models.CampaignStatusScheduled || c.ScheduledAt == nil || !c.ScheduledAt.After(time.Now()) {
		t.Errorf("Spring webinar = %+v, want SCHEDULED in the future", c)
	}
}

// The demo must land only in its own workspace, so a second workspace can be seeded with the
// same emails and list names, and an unrelated workspace stays empty.
func TestDemoIsTenantScoped(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	var wss []*models.Workspace
	for _, name := range []string{"A", "B", "Empty"} {
		ws, err := st.CreateWorkspace(ctx, name, models.PlanOrg)
		if err != nil {
			t.Fatal(err)
		}
		wss = append(wss, ws)
	}
	for _, ws := range wss[:2] {
		if err := Demo(ctx, st, ws); err != nil {
			t.Fatalf("Demo(%s): %v", ws.Name, err)
		}
	}
	a := countContacts(t, store.WithWorkspace(ctx, wss[0].ID), st, nil)
	b := countContacts(t, store.WithWorkspace(ctx, wss[1].ID), st, nil)
	empty := countContacts(t, store.WithWorkspace(ctx, wss[2].ID), st, nil)
	if a != len(people) || b != len(people) || empty != 0 {
		t.Errorf("contacts per workspace = %d, %d, %d; want %d, %d, 0", a, b, empty, len(people), len(people))
	}
}

func TestDemoRejectsMissingWorkspace(t *testing.T) {
	st := openStore(t)
	if err := Demo(context.Background(), st, nil); err == nil {
		t.Error("Demo with a nil workspace succeeded")
	}
}

func TestProspects(t *testing.T) {
	ps := Prospects()
	if len(ps) != ProspectCount {
		t.Fatalf("got %d prospects, want %d", len(ps), ProspectCount)
	}
	if !reflect.DeepEqual(ps, Prospects()) {
		t.Error("Prospects is not deterministic")
	}
	emails := map[string]bool{}
	for i, p := range ps {
		if p.FullName == "" || p.Title == "" || p.Company == "" || p.Industry == "" || p.Location == "" {
			t.Errorf("row %d has an empty field: %+v", i, p)
		}
		if p.Email != strings.ToLower(p.Email) || strings.Count(p.Email, "@") != 1 {
			t.Errorf("row %d: bad email %q", i, p.Email)
		}
		if emails[p.Email] {
			t.Errorf("row %d: duplicate email %q", i, p.Email)
		}
		emails[p.Email] = true
	}
	// A catalog where everyone is at one company or city makes filtering pointless.
	for _, tc := range []struct {
		field string
		value func(store.ProspectRecord) string
		min   int
	}{
		{"company", func(p store.ProspectRecord) string { return p.Company }, 20},
		{"title", func(p store.ProspectRecord) string { return p.Title }, 15},
		{"industry", func(p store.ProspectRecord) string { return p.Industry }, 10},
		{"location", func(p store.ProspectRecord) string { return p.Location }, 15},
	} {
		distinct := map[string]bool{}
		for _, p := range ps {
			distinct[tc.value(p)] = true
		}
		if len(distinct) < tc.min {
			t.Errorf("%d distinct %s values, want at least %d", len(distinct), tc.field, tc.min)
		}
	}
}

func TestUpsertProspects(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	// Twice: a re-import updates rows in place instead of adding or failing.
	for range 2 {
		n, err := st.UpsertProspects(ctx, Prospects())
		if err != nil {
			t.Fatal(err)
		}
		if n != ProspectCount {
			t.Fatalf("UpsertProspects = %d, want %d", n, ProspectCount)
		}
	}
	first := 1
	conn, err := st.Prospects(ctx, store.PageArgs{First: &first}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if total, err := conn.TotalCount(ctx); err != nil || total != ProspectCount {
		t.Errorf("catalog holds %d prospects (err %v), want %d", total, err, ProspectCount)
	}
}
