package lexi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// Provider mode: Lexi backed by a model behind an OpenAI-compatible chat completions API
// (OpenAI itself, or a local Ollama, vLLM or llama.cpp server). The model sees the
// conversation and a set of tools. Read tools run at once through the workspace-scoped store
// that the request's context is scoped to, so a tool result can only ever hold the caller's
// own data. Propose tools build their proposals with the built-in assistant's own code
// (same titles, descriptions, payloads and checks) and only return them: the Service stores
// them as PENDING tasks together with the turn, after Reply returns. A provider failure
// stores nothing.

// Provider defaults.
const (
	DefaultProviderTimeout   = 30 * time.Second
	DefaultProviderMaxRounds = 5

	// maxToolCallsPerRound bounds the tool calls one model answer may make; the extra ones
	// get an error result.
	maxToolCallsPerRound = 10
	// maxProposalsPerTurn bounds the tasks one chat turn may propose.
	maxProposalsPerTurn = 5
	// searchLimit caps the rows a search tool returns.
	searchLimit = 20
	// maxProviderResponse bounds one chat completions response body.
	maxProviderResponse = 4 << 20
	// maxReplyLen bounds the stored reply, in characters.
	maxReplyLen = 2 * store.MaxLexiMessageLen
	// maxArgLen bounds one string argument of a tool call, in characters.
	maxArgLen = 255
)

// Provider is an Assistant that asks an OpenAI-compatible model. It is safe for concurrent
// use; the zero values of the optional fields mean the defaults.
type Provider struct {
	Store *store.Store
	// BaseURL is the API root without the trailing /chat/completions, e.g.
	// https://api.openai.com/v1 or http://localhost:11434/v1.
	BaseURL string
	// APIKey is sent as a bearer token when not empty. It is never logged or shown.
	APIKey string
	Model  string
	// Timeout bounds a whole Reply, tool calls included (default 30 s).
	Timeout time.Duration
	// MaxRounds is how many rounds of tool calls one Reply may run (default 5); a model that
	// still calls tools after them fails the turn.
	MaxRounds int
	// HTTPClient defaults to a client without its own timeout: Timeout governs.
	HTTPClient *http.Client
	// Log hears about provider failures (never the key); nil discards.
	Log *slog.Logger
}

// ProviderFromEnv configures provider mode from the environment: LEXI_OPENAI_BASE_URL turns
// it on and then needs LEXI_OPENAI_MODEL; LEXI_OPENAI_API_KEY is optional (local servers
// such as Ollama or vLLM need none); LEXI_OPENAI_TIMEOUT (a Go duration such as "45s")
// overrides the 30 s budget of one reply. ok is false when the base URL is not set: the
// built-in assistant is then the one to use.
func ProviderFromEnv(getenv func(string) string, st *store.Store) (p *Provider, ok bool, err error) {
	base := strings.TrimSpace(getenv("LEXI_OPENAI_BASE_URL"))
	if base == "" {
		return nil, false, nil
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false, errors.New("LEXI_OPENAI_BASE_URL must be an http:// or https:// URL such as http://localhost:11434/v1")
	}
	model := strings.TrimSpace(getenv("LEXI_OPENAI_MODEL"))
	if model == "" {
		return nil, false, errors.New("LEXI_OPENAI_MODEL must be set when LEXI_OPENAI_BASE_URL is set")
	}
	p = &Provider{Store: st, BaseURL: strings.TrimRight(base, "/"), APIKey: strings.TrimSpace(getenv("LEXI_OPENAI_API_KEY")), Model: model}
	if raw := strings.TrimSpace(getenv("LEXI_OPENAI_TIMEOUT")); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			return nil, false, fmt.Errorf("LEXI_OPENAI_TIMEOUT must be a positive duration such as 30s, not %q", raw)
		}
		p.Timeout = d
	}
	return p, true, nil
}

// String describes the provider for logs, without the key.
func (p *Provider) String() string {
	return fmt.Sprintf("OpenAI-compatible provider %s (model %s, key %s)", redactBaseURL(p.BaseURL), p.Model, providerKeyState(p.APIKey))
}

// GoString keeps %#v from printing the key.
func (p *Provider) GoString() string { return p.String() }

// LogValue keeps slog from printing the key.
func (p *Provider) LogValue() slog.Value {
	return slog.GroupValue(slog.String("baseURL", redactBaseURL(p.BaseURL)), slog.String("model", p.Model),
		slog.String("key", providerKeyState(p.APIKey)))
}

func providerKeyState(k string) string {
	if k == "" {
		return "none"
	}
	return "set"
}

func redactBaseURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Redacted()
}

func (p *Provider) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultProviderTimeout
}

func (p *Provider) maxRounds() int {
	if p.MaxRounds > 0 {
		return p.MaxRounds
	}
	return DefaultProviderMaxRounds
}

func (p *Provider) logger() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.New(slog.DiscardHandler)
}

// ProviderSystemPrompt is the system message of every request.
const ProviderSystemPrompt = `You are Lexi, the assistant of a CRM. You work for exactly one workspace: the one of the person you are talking to. You can see only its contacts, deals, lists and campaigns, and the shared prospect catalog.

Rules:
- Use the tools for every fact about the workspace (counts, names, emails, stages). Never guess or invent data; if a tool returns nothing, say so.
- You cannot change anything yourself. To change data, call a propose_* tool: it creates a task that a person with write access must approve before anything changes. Say that the change is proposed and waiting for approval, never that it is done.
- Propose only what the user asked for. If a propose tool returns an error, explain it or fix the arguments; do not retry the same call.
- Answer briefly, in plain text.`

// Reply answers one message, calling the model until it answers without tools.
func (p *Provider) Reply(ctx context.Context, history []*models.LexiMessage, message string) (string, []Proposal, error) {
	callCtx, cancel := context.WithTimeout(ctx, p.timeout())
	defer cancel()

	msgs := make([]chatMessage, 0, len(history)+2)
	msgs = append(msgs, chatMessage{Role: "system", Content: msgText(ProviderSystemPrompt)})
	for _, m := range history {
		role := "user"
		if m.Role == models.LexiRoleAssistant {
			role = "assistant"
		}
		msgs = append(msgs, chatMessage{Role: role, Content: msgText(m.Content)})
	}
	msgs = append(msgs, chatMessage{Role: "user", Content: msgText(message)})

	run := &toolRun{p: p, b: &Builtin{Store: p.Store}, seen: map[string]bool{}}
	for round := 0; ; round++ {
		answer, err := p.complete(callCtx, msgs)
		if err != nil {
			return "", nil, p.failure(ctx, callCtx, err)
		}
		if len(answer.ToolCalls) == 0 {
			reply := cleanModelReply(answer.text())
			if reply == "" {
				if len(run.proposals) == 0 {
					return "", nil, p.failure(ctx, callCtx, errors.New("the model returned an empty answer"))
				}
				reply = summarizeProposals(run.proposals)
			}
			return reply, run.proposals, nil
		}
		if round == p.maxRounds() {
			return "", nil, p.failure(ctx, callCtx, fmt.Errorf("the model still called tools after %d rounds", round))
		}
		calls := answer.ToolCalls
		for i := range calls {
			if calls[i].ID == "" { // some local servers leave it out
				calls[i].ID = fmt.Sprintf("call_%d_%d", round, i)
			}
			if calls[i].Type == "" {
				calls[i].Type = "function"
			}
		}
		msgs = append(msgs, chatMessage{Role: "assistant", Content: answer.Content.orNil(), ToolCalls: calls})
		for i, c := range calls {
			var result string
			if i >= maxToolCallsPerRound {
				result = toolError(fmt.Sprintf("too many tool calls at once; at most %d per answer", maxToolCallsPerRound))
			} else if result, err = run.call(callCtx, c.Function.Name, c.Function.Arguments.text()); err != nil {
				if callCtx.Err() != nil {
					return "", nil, p.failure(ctx, callCtx, callCtx.Err())
				}
				return "", nil, err
			}
			msgs = append(msgs, chatMessage{Role: "tool", ToolCallID: c.ID, Content: msgText(result)})
		}
	}
}

// failure turns an error of the provider exchange into what the caller sees.
func (p *Provider) failure(parent, callCtx context.Context, err error) error {
	if parent.Err() != nil && !errors.Is(parent.Err(), context.DeadlineExceeded) {
		return parent.Err() // the caller went away; nobody reads the answer
	}
	why := "it did not answer properly"
	var pe *providerError
	switch {
	case errors.Is(callCtx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		why = "it did not answer within " + p.timeout().String()
	case errors.As(err, &pe):
		why = pe.public
	default:
		if msg := err.Error(); strings.HasPrefix(msg, "the model ") {
			why = msg
		}
	}
	p.logger().WarnContext(parent, "lexi provider failed", "provider", p, "err", p.scrub(err.Error()))
	return &apperr.Error{Code: apperr.EUNAVAILABLE, Message: "the Lexi provider is unavailable: " + why + "; try again later",
		Extensions: map[string]any{"service": "LEXI_PROVIDER"}}
}

// providerError is a failure with a caller-safe description and a detailed one for the log.
type providerError struct {
	public string
	detail string
}

func (e *providerError) Error() string { return e.public + ": " + e.detail }

// scrub removes the key from text that may echo it (a provider's error body).
func (p *Provider) scrub(s string) string {
	if p.APIKey != "" {
		s = strings.ReplaceAll(s, p.APIKey, "[redacted]")
	}
	if len(s) > 500 {
		s = strings.ToValidUTF8(s[:500], "") + "…"
	}
	return s
}

// The wire format of OpenAI's chat completions API, as far as Lexi uses it.
type (
	chatRequest struct {
		Model    string        `json:"model"`
		Messages []chatMessage `json:"messages"`
		Tools    []chatTool    `json:"tools"`
		Stream   bool          `json:"stream"`
	}
	chatMessage struct {
		Role       string     `json:"role"`
		Content    *string    `json:"content"`
		ToolCalls  []toolCall `json:"tool_calls,omitempty"`
		ToolCallID string     `json:"tool_call_id,omitempty"`
	}
	chatTool struct {
		Type     string       `json:"type"`
		Function toolFunction `json:"function"`
	}
	toolFunction struct {
		Name        string         `json:"name"`
		Description string         `json:"description"`
		Parameters  map[string]any `json:"parameters"`
	}
	toolCall struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Function struct {
			Name      string       `json:"name"`
			Arguments flexibleText `json:"arguments"`
		} `json:"function"`
	}
	chatResponse struct {
		Choices []struct {
			Message answerMessage `json:"message"`
		} `json:"choices"`
	}
	answerMessage struct {
		Content   flexibleText `json:"content"`
		ToolCalls []toolCall   `json:"tool_calls"`
	}
)

// flexibleText is a JSON string as servers send it in practice: a string, null, an object
// (tool arguments some servers do not encode) or an array of text parts (content).
type flexibleText struct {
	raw json.RawMessage
}

func (f *flexibleText) UnmarshalJSON(b []byte) error {
	f.raw = append(json.RawMessage(nil), b...)
	return nil
}

func (f flexibleText) MarshalJSON() ([]byte, error) {
	// Tool call arguments go back to the model as the string it sent.
	return json.Marshal(f.text())
}

func (f flexibleText) text() string {
	raw := bytes.TrimSpace(f.raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if raw[0] == '[' && json.Unmarshal(raw, &parts) == nil {
		var sb strings.Builder
		for _, p := range parts {
			sb.WriteString(p.Text)
		}
		return sb.String()
	}
	return string(raw) // an object: the arguments themselves
}

func (f flexibleText) orNil() *string {
	if s := f.text(); s != "" {
		return &s
	}
	return nil
}

func (m answerMessage) text() string { return m.Content.text() }

func msgText(s string) *string { return &s }

// complete sends one chat completions request.
func (p *Provider) complete(ctx context.Context, msgs []chatMessage) (*answerMessage, error) {
	body, err := json.Marshal(chatRequest{Model: p.Model, Messages: msgs, Tools: providerTools})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(p.BaseURL, "/")+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return nil, &providerError{public: "its base URL is invalid", detail: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if p.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+p.APIKey)
	}
	client := p.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &providerError{public: "it could not be reached", detail: err.Error()}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxProviderResponse+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &providerError{public: "its answer was cut off", detail: err.Error()}
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return nil, &providerError{public: "it answered HTTP " + strconv.Itoa(res.StatusCode),
			detail: string(raw)}
	}
	if len(raw) > maxProviderResponse {
		return nil, &providerError{public: "its answer is too large", detail: strconv.Itoa(len(raw)) + " bytes"}
	}
	var out chatResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, &providerError{public: "its answer is not valid JSON", detail: err.Error()}
	}
	if len(out.Choices) == 0 {
		return nil, &providerError{public: "its answer has no choices", detail: string(raw)}
	}
	for _, c := range out.Choices[0].Message.ToolCalls {
		if c.Function.Name == "" {
			return nil, &providerError{public: "its answer has a tool call without a name", detail: string(raw)}
		}
	}
	return &out.Choices[0].Message, nil
}

// cleanReply makes a model's text storable: valid UTF-8 without NUL bytes, bounded.
func cleanModelReply(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxReplyLen {
		s = string([]rune(s)[:maxReplyLen]) + "…"
	}
	return s
}

// summarize is the reply when the model proposed tasks but said nothing.
func summarizeProposals(ps []Proposal) string {
	titles := make([]string, len(ps))
	for i, p := range ps {
		titles[i] = p.Title
	}
	if len(ps) == 1 {
		return "I've prepared a task for your approval: " + titles[0] + ". " + approveNote
	}
	return fmt.Sprintf("I've prepared %d tasks for your approval: %s. Nothing changes until a key with WRITE approves them.",
		len(ps), strings.Join(titles, "; "))
}

// The tools.

func toolObject(required []string, props map[string]any) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func toolString(desc string) map[string]any {
	return map[string]any{"type": "string", "description": desc}
}

func toolEnum(desc string, values ...string) map[string]any {
	return map[string]any{"type": "string", "description": desc, "enum": values}
}

var (
	toolStages = []string{"LEAD", "QUALIFIED", "PROPOSAL", "NEGOTIATION", "WON", "LOST"}

	contactFilterProps = map[string]any{
		"company":   toolString("Exact company name, case-insensitive."),
		"tag":       toolString("A tag the contacts have."),
		"search":    toolString("Text to look for in email, first name, last name or company."),
		"list_id":   toolString("Only members of the list with this id."),
		"list_name": toolString("Only members of the list with this name."),
	}
	dealFilterProps = map[string]any{
		"stage":         toolEnum("Only deals in this stage.", toolStages...),
		"contact_id":    toolString("Only deals of the contact with this id."),
		"contact_email": toolString("Only deals of the contact with this email."),
	}
	selectorProps = map[string]any{
		"company":      toolString("Select the contacts at this company (case-insensitive)."),
		"with_tag":     toolString("Select the contacts that have this tag."),
		"all_contacts": map[string]any{"type": "boolean", "description": "Select every contact of the workspace; only when the user asked for all of them."},
	}
)

func mergeProps(base map[string]any, extra map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(extra))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func toolLimitProp() map[string]any {
	return map[string]any{"type": "integer", "minimum": 1, "maximum": searchLimit,
		"description": "At most this many rows (default and maximum " + strconv.Itoa(searchLimit) + ")."}
}

func newTool(name, desc string, params map[string]any) chatTool {
	return chatTool{Type: "function", Function: toolFunction{Name: name, Description: desc, Parameters: params}}
}

// providerTools are the tools every request offers.
var providerTools = []chatTool{
	newTool("count_contacts", "Count the workspace's contacts, optionally filtered.", toolObject(nil, contactFilterProps)),
	newTool("search_contacts", "Find contacts (name, email, company, tags), optionally filtered; returns the total and at most 20 rows.",
		toolObject(nil, mergeProps(contactFilterProps, map[string]any{"limit": toolLimitProp()}))),
	newTool("count_deals", "Count the workspace's deals, optionally by stage or contact.", toolObject(nil, dealFilterProps)),
	newTool("search_deals", "Find deals (title, amount, stage, contact), optionally by stage or contact; returns the total and at most 20 rows.",
		toolObject(nil, mergeProps(dealFilterProps, map[string]any{"limit": toolLimitProp()}))),
	newTool("list_lists", "List the workspace's contact lists with their member counts.",
		toolObject(nil, map[string]any{"search": toolString("Text to look for in the list name."), "limit": toolLimitProp()})),
	newTool("list_campaigns", "List the workspace's campaigns.",
		toolObject(nil, map[string]any{"status": toolEnum("Only campaigns with this status.", "DRAFT", "SCHEDULED", "SENT", "CANCELLED"), "limit": toolLimitProp()})),

	newTool("propose_create_list", "Propose creating a list, empty or with the contacts at a company or with a tag. Creates a task for approval; changes nothing now.",
		toolObject([]string{"name"}, map[string]any{
			"name":     toolString("The new list's name."),
			"company":  toolString("Add the contacts at this company."),
			"with_tag": toolString("Add the contacts that have this tag."),
		})),
	newTool("propose_add_contacts_to_list", "Propose adding contacts to an existing list. Creates a task for approval; changes nothing now.",
		toolObject([]string{"list_name"}, mergeProps(selectorProps, map[string]any{"list_name": toolString("The existing list's name.")}))),
	newTool("propose_tag_contacts", "Propose adding a tag to contacts. Creates a task for approval; changes nothing now.",
		toolObject([]string{"tag"}, mergeProps(selectorProps, map[string]any{"tag": toolString("The tag to add.")}))),
	newTool("propose_update_deal_stage", "Propose moving a deal to another stage. Creates a task for approval; changes nothing now.",
		toolObject([]string{"deal_title", "stage"}, map[string]any{
			"deal_title": toolString("The deal's title."),
			"stage":      toolEnum("The new stage.", toolStages...),
		})),
	newTool("propose_create_campaign", "Propose creating a DRAFT campaign, optionally for a list. Creates a task for approval; nothing is sent.",
		toolObject([]string{"name"}, map[string]any{
			"name":      toolString("The campaign's name."),
			"list_name": toolString("The existing list the campaign is for."),
		})),
	newTool("propose_import_prospects", "Propose importing the prospect catalog's people at a company as contacts, optionally into a list. Creates a task for approval; changes nothing now.",
		toolObject([]string{"company"}, map[string]any{
			"company":   toolString("The prospects' company."),
			"list_name": toolString("An existing list they should join."),
		})),
}

// ProviderToolNames lists the tools offered to the model.
func ProviderToolNames() []string {
	out := make([]string, len(providerTools))
	for i, t := range providerTools {
		out[i] = t.Function.Name
	}
	return out
}

// toolRun executes one Reply's tool calls and collects its proposals.
type toolRun struct {
	p         *Provider
	b         *Builtin
	proposals []Proposal
	seen      map[string]bool
}

// badArgs is an error the model made; it goes back to the model as the tool's result.
type badArgs string

func (e badArgs) Error() string { return string(e) }

func toolError(msg string) string {
	out, _ := json.Marshal(map[string]string{"error": msg})
	return string(out)
}

func toolJSON(v any) string {
	out, err := json.Marshal(v)
	if err != nil {
		return toolError("internal error")
	}
	return string(out)
}

// call runs one tool and returns its JSON result. Mistakes of the model (unknown tool, bad
// arguments, a name that does not exist) become an error result for the model to read; only
// failures of the store itself fail the turn.
func (r *toolRun) call(ctx context.Context, name, args string) (string, error) {
	if strings.TrimSpace(args) == "" {
		args = "{}"
	}
	var (
		result any
		err    error
	)
	switch name {
	case "count_contacts", "search_contacts":
		result, err = r.contacts(ctx, args, name == "count_contacts")
	case "count_deals", "search_deals":
		result, err = r.deals(ctx, args, name == "count_deals")
	case "list_lists":
		result, err = r.lists(ctx, args)
	case "list_campaigns":
		result, err = r.campaigns(ctx, args)
	case "propose_create_list", "propose_add_contacts_to_list", "propose_tag_contacts",
		"propose_update_deal_stage", "propose_create_campaign", "propose_import_prospects":
		result, err = r.propose(ctx, name, args)
	default:
		return toolError(fmt.Sprintf("there is no tool named %q", name)), nil
	}
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

func decodeToolArgs(raw string, v any) error {
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return badArgs("the arguments are not a valid JSON object: " + err.Error())
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

func (r *toolRun) contacts(ctx context.Context, raw string, countOnly bool) (any, error) {
	var a struct {
		Company  string `json:"company"`
		Tag      string `json:"tag"`
		Search   string `json:"search"`
		ListID   string `json:"list_id"`
		ListName string `json:"list_name"`
		Limit    int    `json:"limit"`
	}
	if err := decodeToolArgs(raw, &a); err != nil {
		return nil, err
	}
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

func parseStageArg(raw string) (*models.DealStage, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	st, ok := parseStage(raw)
	if !ok {
		return nil, badArgs(fmt.Sprintf("%q is not a deal stage; use one of %s", raw, strings.Join(toolStages, ", ")))
	}
	return &st, nil
}

func (r *toolRun) deals(ctx context.Context, raw string, countOnly bool) (any, error) {
	var a struct {
		Stage        string `json:"stage"`
		ContactID    string `json:"contact_id"`
		ContactEmail string `json:"contact_email"`
		Limit        int    `json:"limit"`
	}
	if err := decodeToolArgs(raw, &a); err != nil {
		return nil, err
	}
	f := &models.DealFilter{}
	var err error
	if f.Stage, err = parseStageArg(a.Stage); err != nil {
		return nil, err
	}
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

func (r *toolRun) lists(ctx context.Context, raw string) (any, error) {
	var a struct {
		Search string `json:"search"`
		Limit  int    `json:"limit"`
	}
	if err := decodeToolArgs(raw, &a); err != nil {
		return nil, err
	}
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

func (r *toolRun) campaigns(ctx context.Context, raw string) (any, error) {
	var a struct {
		Status string `json:"status"`
		Limit  int    `json:"limit"`
	}
	if err := decodeToolArgs(raw, &a); err != nil {
		return nil, err
	}
	f := &models.CampaignFilter{}
	if s := strings.ToUpper(strings.TrimSpace(a.Status)); s != "" {
		st := models.CampaignStatus(s)
		if !st.IsValid() {
			return nil, badArgs(fmt.Sprintf("%q is not a campaign status; use DRAFT, SCHEDULED, SENT or CANCELLED", a.Status))
		}
		f.Status = &st
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

// selectorArgs are the contacts a propose tool is about.
type selectorArgs struct {
	Company     string `json:"company"`
	WithTag     string `json:"with_tag"`
	AllContacts bool   `json:"all_contacts"`
}

// selectorPhrase renders a selector as the words the built-in assistant parses ("at "Acme"",
// "tagged "vip"", "" for all), so that the proposal comes from its very code. It checks that
// the words read back as the same selector: a name the phrase grammar would misread is
// refused rather than silently matching other contacts.
func selectorPhrase(a selectorArgs, allowAll bool) (string, error) {
	company, err := argText("company", a.Company)
	if err != nil {
		return "", err
	}
	tag, err := argText("with_tag", a.WithTag)
	if err != nil {
		return "", err
	}
	var (
		want   selector
		phrase string
	)
	switch {
	case company != "" && tag != "":
		return "", badArgs("give company or with_tag, not both")
	case company != "":
		want, phrase = selector{company: company}, `at "`+company+`"`
	case tag != "":
		want, phrase = selector{tag: strings.ToLower(tag)}, `tagged "`+tag+`"`
	case a.AllContacts && allowAll:
		return "", nil
	case a.AllContacts:
		return "", badArgs("all_contacts is not available here; give company or with_tag, or neither for an empty list")
	case allowAll:
		return "", badArgs("say which contacts: company, with_tag, or all_contacts: true")
	default:
		return "", nil
	}
	if got, ok := parseSelector(phrase); !ok || got != want {
		return "", badArgs(fmt.Sprintf("I cannot select contacts by %q; try another spelling", company+tag))
	}
	return phrase, nil
}

// propose builds a proposal with the built-in assistant's code and keeps it for the Service
// to store. The model learns what was proposed, or why not.
func (r *toolRun) propose(ctx context.Context, name, raw string) (any, error) {
	var a struct {
		selectorArgs
		Name      string `json:"name"`
		ListName  string `json:"list_name"`
		Tag       string `json:"tag"`
		DealTitle string `json:"deal_title"`
		Stage     string `json:"stage"`
	}
	if err := decodeToolArgs(raw, &a); err != nil {
		return nil, err
	}
	required := func(field, v string) (string, error) {
		v, err := argText(field, v)
		if err == nil && v == "" {
			err = badArgs(field + " is required")
		}
		return v, err
	}
	var (
		reply string
		p     *Proposal
	)
	err := func() error {
		var (
			s1, s2, sel string
			err         error
		)
		switch name {
		case "propose_create_list":
			if s1, err = required("name", a.Name); err != nil {
				return err
			}
			// No selection makes an empty list; all_contacts makes a list of everyone.
			if sel, err = selectorPhrase(a.selectorArgs, a.AllContacts); err != nil {
				return err
			}
			reply, p, err = r.b.createList(ctx, s1, sel != "" || a.AllContacts, sel)
		case "propose_add_contacts_to_list":
			if s1, err = required("list_name", a.ListName); err != nil {
				return err
			}
			if sel, err = selectorPhrase(a.selectorArgs, true); err != nil {
				return err
			}
			reply, p, err = r.b.addToList(ctx, sel, s1)
		case "propose_tag_contacts":
			if s1, err = required("tag", a.Tag); err != nil {
				return err
			}
			if sel, err = selectorPhrase(a.selectorArgs, true); err != nil {
				return err
			}
			reply, p, err = r.b.tagContacts(ctx, sel, s1)
		case "propose_update_deal_stage":
			if s1, err = required("deal_title", a.DealTitle); err != nil {
				return err
			}
			if s2, err = required("stage", a.Stage); err != nil {
				return err
			}
			reply, p, err = r.b.moveDeal(ctx, s1, s2)
		case "propose_create_campaign":
			if s1, err = required("name", a.Name); err != nil {
				return err
			}
			if s2, err = argText("list_name", a.ListName); err != nil {
				return err
			}
			reply, p, err = r.b.createCampaign(ctx, s1, s2)
		case "propose_import_prospects":
			if s1, err = required("company", a.Company); err != nil {
				return err
			}
			if s2, err = argText("list_name", a.ListName); err != nil {
				return err
			}
			reply, p, err = r.b.importProspects(ctx, s1, s2)
		default:
			return fmt.Errorf("lexi: no proposer for tool %s", name)
		}
		return err
	}()
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
