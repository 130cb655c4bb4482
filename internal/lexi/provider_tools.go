package lexi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wbk/crm/internal/apperr"
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
func proposeTool[A Action](name, description string, check func(*A) error) *tool {
	t := newTool(name, description+" Creates a task for approval; changes nothing now.", func(ctx context.Context, r *toolRun, a *A) (any, error) {
		if err := check(a); err != nil {
			return nil, err
		}
		return r.propose(ctx, *a)
	})
	return &t
}

// tools are the tools every request offers, in the order offered: the read tools, then one
// propose tool for every intent that changes data.
var tools = func() []tool {
	out := readTools()
	for _, in := range intents {
		if in.tool != nil {
			out = append(out, *in.tool)
		}
	}
	return out
}()

func readTools() []tool {
	return []tool{
		newTool("count_contacts", "Count the workspace's contacts, optionally filtered.",
			func(ctx context.Context, r *toolRun, a *contactQuery) (any, error) { return r.contacts(ctx, a, true) }),
		newTool("search_contacts", "Find contacts (name, email, company, title, tags), optionally filtered; returns the total and at most 20 rows.",
			func(ctx context.Context, r *toolRun, a *contactQuery) (any, error) { return r.contacts(ctx, a, false) }),
		newTool("count_deals", "Count the workspace's deals, optionally by stage or contact.",
			func(ctx context.Context, r *toolRun, a *dealQuery) (any, error) { return r.deals(ctx, a, true) }),
		newTool("search_deals", "Find deals (title, amount, stage, close date, contact), optionally by stage or contact; returns the total and at most 20 rows.",
			func(ctx context.Context, r *toolRun, a *dealQuery) (any, error) { return r.deals(ctx, a, false) }),
		newTool("list_lists", "List the workspace's contact lists with their member counts.",
			func(ctx context.Context, r *toolRun, a *listQuery) (any, error) { return r.lists(ctx, a) }),
		newTool("list_campaigns", "List the workspace's campaigns.",
			func(ctx context.Context, r *toolRun, a *campaignQuery) (any, error) { return r.campaigns(ctx, a) }),
	}
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
			case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
				p["type"], p["items"] = "array", map[string]any{"type": "string"}
			case f.Type.Kind() == reflect.Float64:
				p["type"] = "number"
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

// checkSelector checks the contacts a propose tool is about; needed says a selection is
// required. Its parts narrow each other; all_contacts stands alone.
func checkSelector(s *Selector, needed bool) error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"company", &s.Company}, {"with_tag", &s.Tag}, {"in_list", &s.List}, {"title", &s.Title}} {
		if err := optional(f.name, f.v); err != nil {
			return err
		}
	}
	for i := range s.Contacts {
		if err := required("contacts", &s.Contacts[i]); err != nil {
			return err
		}
	}
	all := s.All
	s.All = false
	switch {
	case all && !s.IsZero():
		return badArgs("all_contacts cannot be combined with contacts, company, with_tag, in_list or title")
	case !all && s.IsZero() && needed:
		return badArgs("say which contacts: contacts, company, with_tag, in_list, title, or all_contacts: true")
	}
	s.All = all
	return nil
}

// propose hands an action to the proposer and keeps the proposal for the Service to store.
// The model learns what was proposed, or why not.
func (r *toolRun) propose(ctx context.Context, a Action) (any, error) {
	res, err := a.run(ctx, r.pr)
	if err != nil {
		return nil, err
	}
	p, reply := res.proposal, res.reply
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
