package lexi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// The provider's tools: ONE table. Each tool's JSON schema is generated from the Go type its
// arguments decode into; the propose tools' types are Lexi's actions themselves (action.go),
// handed to the same proposer as the built-in assistant's.

// tool is one function the model may call.
type tool struct {
	name, description string
	params            map[string]any
	run               func(ctx context.Context, r *toolRun, raw string) (any, error)
}

// newTool declares a tool whose arguments are an A.
func newTool[A any](name, description string, run func(ctx context.Context, r *toolRun, args *A) (any, error)) tool {
	return tool{name: name, description: description, params: schemaOf(reflect.TypeFor[A]()),
		run: func(ctx context.Context, r *toolRun, raw string) (any, error) {
			var a A
			if err := decodeToolArgs(raw, &a); err != nil {
				return nil, err
			}
			return run(ctx, r, &a)
		}}
}

// proposeTool declares a tool that proposes action A after check accepts its arguments.
func proposeTool[A Action](name, description string, check func(*A) error) tool {
	return newTool(name, description+" Creates a task for approval; changes nothing now.", func(ctx context.Context, r *toolRun, a *A) (any, error) {
		if err := check(a); err != nil {
			return nil, err
		}
		return r.propose(ctx, *a)
	})
}

// tools are the tools every request offers, in the order offered.
var tools = []tool{
	newTool("count_contacts", "Count the workspace's contacts, optionally filtered.",
		func(ctx context.Context, r *toolRun, a *contactQuery) (any, error) { return r.contacts(ctx, a, true) }),
	newTool("search_contacts", "Find contacts (name, email, company, tags), optionally filtered; returns the total and at most 20 rows.",
		func(ctx context.Context, r *toolRun, a *contactQuery) (any, error) { return r.contacts(ctx, a, false) }),
	newTool("count_deals", "Count the workspace's deals, optionally by stage or contact.",
		func(ctx context.Context, r *toolRun, a *dealQuery) (any, error) { return r.deals(ctx, a, true) }),
	newTool("search_deals", "Find deals (title, amount, stage, contact), optionally by stage or contact; returns the total and at most 20 rows.",
		func(ctx context.Context, r *toolRun, a *dealQuery) (any, error) { return r.deals(ctx, a, false) }),
	newTool("list_lists", "List the workspace's contact lists with their member counts.",
		func(ctx context.Context, r *toolRun, a *listQuery) (any, error) { return r.lists(ctx, a) }),
	newTool("list_campaigns", "List the workspace's campaigns.",
		func(ctx context.Context, r *toolRun, a *campaignQuery) (any, error) { return r.campaigns(ctx, a) }),

	proposeTool("propose_create_list", "Propose creating a list, empty (no selection) or with the selected contacts.",
		func(a *CreateList) error {
			if err := required("name", &a.Name); err != nil {
				return err
			}
			return checkSelector(&a.Selector, false)
		}),
	proposeTool("propose_add_contacts_to_list", "Propose adding contacts to an existing list.",
		func(a *AddToList) error {
			if err := required("list_name", &a.List); err != nil {
				return err
			}
			return checkSelector(&a.Selector, true)
		}),
	proposeTool("propose_tag_contacts", "Propose adding a tag to contacts.",
		func(a *TagContacts) error {
			if err := required("tag", &a.Tag); err != nil {
				return err
			}
			return checkSelector(&a.Selector, true)
		}),
	proposeTool("propose_update_deal_stage", "Propose moving a deal to another stage.",
		func(a *MoveDeal) error {
			if a.Stage == "" {
				return badArgs("stage is required")
			}
			return required("deal_title", &a.Deal)
		}),
	proposeTool("propose_create_campaign", "Propose creating a DRAFT campaign, optionally for a list; nothing is sent.",
		func(a *DraftCampaign) error {
			if err := required("name", &a.Name); err != nil {
				return err
			}
			return optional("list_name", &a.List)
		}),
	proposeTool("propose_import_prospects", "Propose importing the prospect catalog's people at a company as contacts, optionally into a list.",
		func(a *ImportProspects) error {
			if err := required("company", &a.Company); err != nil {
				return err
			}
			return optional("list_name", &a.List)
		}),
}

var (
	toolsByName = func() map[string]tool {
		m := make(map[string]tool, len(tools))
		for _, t := range tools {
			m[t.name] = t
		}
		return m
	}()
	providerTools = func() []chatTool {
		out := make([]chatTool, len(tools))
		for i, t := range tools {
			out[i] = chatTool{Type: "function", Function: toolFunction{Name: t.name, Description: t.description, Parameters: t.params}}
		}
		return out
	}()
)

// ProviderToolNames lists the tools offered to the model.
func ProviderToolNames() []string {
	out := make([]string, len(tools))
	for i, t := range tools {
		out[i] = t.name
	}
	return out
}

// schemaOf is the JSON schema of an arguments type: its json-named fields (embedded structs
// flattened), described by their desc tags; enums for the schema's enum types.
func schemaOf(t reflect.Type) map[string]any {
	props := map[string]any{}
	var req []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			p := map[string]any{"description": f.Tag.Get("desc")}
			switch {
			case f.Type == reflect.TypeFor[models.DealStage]():
				p["type"], p["enum"] = "string", enumNames(models.AllDealStage)
			case f.Type == reflect.TypeFor[models.CampaignStatus]():
				p["type"], p["enum"] = "string", enumNames(models.AllCampaignStatus)
			case f.Type.Kind() == reflect.String:
				p["type"] = "string"
			case f.Type.Kind() == reflect.Bool:
				p["type"] = "boolean"
			case f.Type.Kind() == reflect.Int:
				p["type"] = "integer"
				for _, k := range []string{"minimum", "maximum"} {
					if v, err := strconv.Atoi(f.Tag.Get(k)); err == nil {
						p[k] = v
					}
				}
			default:
				panic(fmt.Sprintf("lexi: no JSON schema for %s.%s", t, f.Name))
			}
			if f.Tag.Get("required") == "true" {
				req = append(req, name)
			}
			props[name] = p
		}
	}
	walk(t)
	o := map[string]any{"type": "object", "properties": props}
	if len(req) > 0 {
		o["required"] = req
	}
	return o
}

func enumNames[E ~string](values []E) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// call runs one tool and returns its JSON result. Mistakes of the model (unknown tool, bad
// arguments, a name that does not exist) become an error result for the model to read; only
// failures of the store itself fail the turn.
func (r *toolRun) call(ctx context.Context, name, args string) (string, error) {
	if strings.TrimSpace(args) == "" {
		args = "{}"
	}
	t, ok := toolsByName[name]
	if !ok {
		return toolError(fmt.Sprintf("there is no tool named %q", name)), nil
	}
	result, err := t.run(ctx, r, args)
	var bad badArgs
	switch {
	case errors.As(err, &bad):
		return toolError(string(bad)), nil
	case err != nil:
		switch apperr.CodeOf(err) {
		case apperr.EINVALID, apperr.ENOTFOUND, apperr.ECONFLICT:
			return toolError(apperr.As(err).Message), nil
		}
		return "", err
	}
	return toolJSON(result), nil
}

// required trims a required text argument and checks it.
func required(field string, v *string) error {
	s, err := argText(field, *v)
	if err == nil && s == "" {
		err = badArgs(field + " is required")
	}
	*v = s
	return err
}

func optional(field string, v *string) error {
	s, err := argText(field, *v)
	*v = s
	return err
}

// checkSelector checks the contacts a propose tool is about: at most one of company,
// with_tag and in_list, or all_contacts; needed says a selection is required.
func checkSelector(s *Selector, needed bool) error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"company", &s.Company}, {"with_tag", &s.Tag}, {"in_list", &s.List}} {
		if err := optional(f.name, f.v); err != nil {
			return err
		}
	}
	s.Name = ""
	n := 0
	for _, v := range []string{s.Company, s.Tag, s.List} {
		if v != "" {
			n++
		}
	}
	switch {
	case n > 1:
		return badArgs("give one of company, with_tag or in_list, not both")
	case n == 1 && s.All:
		return badArgs("all_contacts cannot be combined with company, with_tag or in_list")
	case n == 0 && !s.All && needed:
		return badArgs("say which contacts: company, with_tag, in_list, or all_contacts: true")
	}
	return nil
}

// propose hands an action to the proposer and keeps the proposal for the Service to store.
// The model learns what was proposed, or why not.
func (r *toolRun) propose(ctx context.Context, a Action) (any, error) {
	reply, p, err := r.pr.run(ctx, a)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, badArgs("nothing was proposed: " + reply)
	}
	payload, err := json.Marshal(p.Payload)
	if err != nil {
		return nil, err
	}
	key := string(p.Action) + "\x00" + string(payload)
	if r.seen[key] {
		return map[string]any{"status": "already_proposed", "title": p.Title,
			"message": "This exact task was already proposed in this turn; it is not proposed twice."}, nil
	}
	if len(r.proposals) >= maxProposalsPerTurn {
		return nil, badArgs(fmt.Sprintf("at most %d tasks can be proposed in one answer", maxProposalsPerTurn))
	}
	r.seen[key] = true
	r.proposals = append(r.proposals, *p)
	return map[string]any{"status": "proposed", "action": string(p.Action), "title": p.Title,
		"description": p.Description, "message": reply}, nil
}

func decodeToolArgs(raw string, v any) error {
	// Models write stages as people do ("negotiation", "closed won"): read them as the enum.
	var fields map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &fields) == nil {
		var stage string
		if json.Unmarshal(fields["stage"], &stage) == nil {
			if st, ok := parseStage(stage); ok {
				fields["stage"], _ = json.Marshal(st)
				if b, err := json.Marshal(fields); err == nil {
					raw = string(b)
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		msg := "the arguments are not valid: " + err.Error()
		if strings.Contains(err.Error(), "DealStage") {
			msg += "; use one of " + strings.Join(enumNames(models.AllDealStage), ", ")
		}
		return badArgs(msg)
	}
	return nil
}

// text trims an argument and checks its length.
func argText(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxArgLen {
		return "", badArgs(fmt.Sprintf("%s must be at most %d characters", field, maxArgLen))
	}
	return s, nil
}

func argOptional(field, s string) (*string, error) {
	s, err := argText(field, s)
	if err != nil || s == "" {
		return nil, err
	}
	return &s, nil
}

func argLimit(n int) int {
	if n <= 0 || n > searchLimit {
		return searchLimit
	}
	return n
}

type toolContactRow struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Company string   `json:"company,omitempty"`
	Tags    []string `json:"tags,omitempty"`
}

// contactQuery are the arguments of count_contacts and search_contacts.
type contactQuery struct {
	Company  string `json:"company,omitempty" desc:"Exact company name, case-insensitive."`
	Tag      string `json:"tag,omitempty" desc:"A tag the contacts have."`
	Search   string `json:"search,omitempty" desc:"Text to look for in email, first name, last name or company."`
	ListID   string `json:"list_id,omitempty" desc:"Only members of the list with this id."`
	ListName string `json:"list_name,omitempty" desc:"Only members of the list with this name."`
	Limit    int    `json:"limit,omitempty" desc:"At most this many rows (default and maximum 20)." minimum:"1" maximum:"20"`
}

func (r *toolRun) contacts(ctx context.Context, a *contactQuery, countOnly bool) (any, error) {
	f := &models.ContactFilter{}
	var err error
	if f.Company, err = argOptional("company", a.Company); err != nil {
		return nil, err
	}
	if f.Tag, err = argOptional("tag", a.Tag); err != nil {
		return nil, err
	}
	if f.Search, err = argOptional("search", a.Search); err != nil {
		return nil, err
	}
	if f.ListID, err = argOptional("list_id", a.ListID); err != nil {
		return nil, err
	}
	listName, err := argText("list_name", a.ListName)
	if err != nil {
		return nil, err
	}
	if listName != "" {
		l, err := r.p.Store.ListByName(ctx, listName)
		if err != nil {
			if apperr.CodeOf(err) == apperr.ENOTFOUND {
				return nil, badArgs(fmt.Sprintf("there is no list named %q", listName))
			}
			return nil, err
		}
		if f.ListID != nil && *f.ListID != l.ID {
			return nil, badArgs("list_id and list_name name different lists")
		}
		f.ListID = &l.ID
	}
	limit := argLimit(a.Limit)
	if countOnly {
		limit = 0
	}
	cs, n, err := r.p.Store.MatchContacts(ctx, f, limit)
	if err != nil {
		return nil, err
	}
	if countOnly {
		return map[string]any{"count": n}, nil
	}
	rows := make([]toolContactRow, len(cs))
	for i, c := range cs {
		rows[i] = toolContactRow{ID: c.ID, Name: c.FullName(), Email: c.Email, Tags: c.Tags()}
		if c.Company != nil {
			rows[i].Company = *c.Company
		}
	}
	return map[string]any{"total": n, "contacts": rows}, nil
}

// dealQuery are the arguments of count_deals and search_deals.
type dealQuery struct {
	Stage        models.DealStage `json:"stage,omitempty" desc:"Only deals in this stage."`
	ContactID    string           `json:"contact_id,omitempty" desc:"Only deals of the contact with this id."`
	ContactEmail string           `json:"contact_email,omitempty" desc:"Only deals of the contact with this email."`
	Limit        int              `json:"limit,omitempty" desc:"At most this many rows (default and maximum 20)." minimum:"1" maximum:"20"`
}

func (r *toolRun) deals(ctx context.Context, a *dealQuery, countOnly bool) (any, error) {
	f := &models.DealFilter{}
	if a.Stage != "" {
		f.Stage = &a.Stage
	}
	var err error
	if f.ContactID, err = argOptional("contact_id", a.ContactID); err != nil {
		return nil, err
	}
	email, err := argText("contact_email", a.ContactEmail)
	if err != nil {
		return nil, err
	}
	if email != "" {
		c, err := r.contactByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		if f.ContactID != nil && *f.ContactID != c.ID {
			return nil, badArgs("contact_id and contact_email name different contacts")
		}
		f.ContactID = &c.ID
	}
	first := argLimit(a.Limit)
	if countOnly {
		first = 0
	}
	conn, err := r.p.Store.Deals(ctx, store.PageArgs{First: &first}, f)
	if err != nil {
		return nil, err
	}
	n, err := conn.TotalCount(ctx)
	if err != nil {
		return nil, err
	}
	if countOnly {
		return map[string]any{"count": n}, nil
	}
	deals := conn.Nodes()
	var contactIDs []string
	for _, d := range deals {
		if d.ContactID != nil {
			contactIDs = append(contactIDs, *d.ContactID)
		}
	}
	contacts := map[string]*models.Contact{}
	if len(contactIDs) > 0 {
		cs, err := r.p.Store.ContactsByID(ctx, contactIDs)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			contacts[c.ID] = c
		}
	}
	type dealRow struct {
		ID           string `json:"id"`
		Title        string `json:"title"`
		Amount       string `json:"amount"`
		Stage        string `json:"stage"`
		CloseDate    string `json:"close_date,omitempty"`
		ContactName  string `json:"contact_name,omitempty"`
		ContactEmail string `json:"contact_email,omitempty"`
	}
	rows := make([]dealRow, len(deals))
	for i, d := range deals {
		rows[i] = dealRow{ID: d.ID, Title: d.Title, Amount: providerAmount(d.Amount, d.Currency), Stage: string(d.Stage)}
		if d.CloseDate != nil {
			rows[i].CloseDate = string(*d.CloseDate)
		}
		if d.ContactID != nil {
			if c := contacts[*d.ContactID]; c != nil {
				rows[i].ContactName, rows[i].ContactEmail = c.FullName(), c.Email
			}
		}
	}
	return map[string]any{"total": n, "deals": rows}, nil
}

// formatAmount shows minor units as "1234.50 USD" (two decimals; currencies without minor
// units are rare in a CRM and read well enough).
func providerAmount(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, minor/100, minor%100, currency)
}

func (r *toolRun) contactByEmail(ctx context.Context, email string) (*models.Contact, error) {
	cs, _, err := r.p.Store.MatchContacts(ctx, &models.ContactFilter{Search: &email}, searchLimit)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if strings.EqualFold(c.Email, email) {
			return c, nil
		}
	}
	return nil, badArgs("there is no contact with that email")
}

// listQuery are the arguments of list_lists.
type listQuery struct {
	Search string `json:"search,omitempty" desc:"Text to look for in the list name."`
	Limit  int    `json:"limit,omitempty" desc:"At most this many rows (default and maximum 20)." minimum:"1" maximum:"20"`
}

func (r *toolRun) lists(ctx context.Context, a *listQuery) (any, error) {
	search, err := argOptional("search", a.Search)
	if err != nil {
		return nil, err
	}
	first := argLimit(a.Limit)
	conn, err := r.p.Store.Lists(ctx, store.PageArgs{First: &first}, &models.ListFilter{Search: search})
	if err != nil {
		return nil, err
	}
	n, err := conn.TotalCount(ctx)
	if err != nil {
		return nil, err
	}
	lists := conn.Nodes()
	listIDs := make([]string, len(lists))
	for i, l := range lists {
		listIDs[i] = l.ID
	}
	members := map[string]int{}
	if len(listIDs) > 0 {
		if members, err = r.p.Store.CountChildren(ctx, store.MembersOfList, listIDs); err != nil {
			return nil, err
		}
	}
	type listRow struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
		Contacts    int    `json:"contacts"`
	}
	rows := make([]listRow, len(lists))
	for i, l := range lists {
		rows[i] = listRow{ID: l.ID, Name: l.Name, Contacts: members[l.ID]}
		if l.Description != nil {
			rows[i].Description = *l.Description
		}
	}
	return map[string]any{"total": n, "lists": rows}, nil
}

// campaignQuery are the arguments of list_campaigns.
type campaignQuery struct {
	Status models.CampaignStatus `json:"status,omitempty" desc:"Only campaigns with this status."`
	Limit  int                   `json:"limit,omitempty" desc:"At most this many rows (default and maximum 20)." minimum:"1" maximum:"20"`
}

func (r *toolRun) campaigns(ctx context.Context, a *campaignQuery) (any, error) {
	f := &models.CampaignFilter{}
	if a.Status != "" {
		f.Status = &a.Status
	}
	first := argLimit(a.Limit)
	conn, err := r.p.Store.Campaigns(ctx, store.PageArgs{First: &first}, f)
	if err != nil {
		return nil, err
	}
	n, err := conn.TotalCount(ctx)
	if err != nil {
		return nil, err
	}
	campaigns := conn.Nodes()
	var listIDs []string
	for _, c := range campaigns {
		if c.ListID != nil {
			listIDs = append(listIDs, *c.ListID)
		}
	}
	listNames := map[string]string{}
	if len(listIDs) > 0 {
		ls, err := r.p.Store.ListsByID(ctx, listIDs)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			listNames[l.ID] = l.Name
		}
	}
	type campaignRow struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Status      string `json:"status"`
		Subject     string `json:"subject,omitempty"`
		List        string `json:"list,omitempty"`
		ScheduledAt string `json:"scheduled_at,omitempty"`
	}
	rows := make([]campaignRow, len(campaigns))
	for i, c := range campaigns {
		rows[i] = campaignRow{ID: c.ID, Name: c.Name, Status: string(c.Status)}
		if c.Subject != nil {
			rows[i].Subject = *c.Subject
		}
		if c.ListID != nil {
			rows[i].List = listNames[*c.ListID]
		}
		if c.ScheduledAt != nil {
			rows[i].ScheduledAt = c.ScheduledAt.UTC().Format(time.RFC3339)
		}
	}
	return map[string]any{"total": n, "campaigns": rows}, nil
}
