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
