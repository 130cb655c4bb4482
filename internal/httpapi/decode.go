package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/cost"
	"github.com/wbk/crm/internal/textcheck"
)

// This file is the one request decoder of /graphql: it turns an HTTP request into gqlgen's
// RawParams or into the answer docs/errors.md gives a request that is not GraphQL over HTTP
// (BAD_REQUEST, 405, 415), and refuses oversized documents before gqlgen parses and
// validates them. Messages name the problem and never echo the body.

// checkEnvelope refuses what can be refused from the request line and headers alone.
func checkEnvelope(r *http.Request) *apperr.Error {
	switch r.Method {
	case http.MethodGet, http.MethodPost:
	default:
		return &apperr.Error{Code: apperr.EMETHOD, Message: fmt.Sprintf("/graphql answers GET and POST, not %s", r.Method)}
	}
	if len(r.Header.Values("Authorization")) > 1 {
		return &apperr.Error{Code: apperr.EBADREQUEST, Message: "send exactly one Authorization header"}
	}
	if r.Method == http.MethodPost {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || (mt != mediaJSON && mt != mediaGraphQLResponse) {
			return &apperr.Error{Code: apperr.EMEDIATYPE,
				Message: "send the request as Content-Type: application/json"}
		}
	}
	return nil
}

func badRequest(format string, args ...any) *apperr.Error {
	return &apperr.Error{Code: apperr.EBADREQUEST, Message: fmt.Sprintf(format, args...)}
}

// readParams reads the request's GraphQL parameters: a POST's JSON body (at most limit
// bytes) or a GET's query string.
func readParams(w http.ResponseWriter, r *http.Request, limit int64) (*graphql.RawParams, *apperr.Error) {
	if r.Method == http.MethodGet {
		return paramsFromQuery(r.URL.RawQuery)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return nil, tooLarge(limit)
		}
		return nil, badRequest("could not read the request body")
	}
	// Before any decoder repairs it (see textcheck): text that is not text reaches the text
	// gate as NUL, and is refused there with the argument it was in.
	body = textcheck.MarkJSON(body)
	// gqlgen's own transports (server-sent events) read the body again.
	replay := new(replayedBody)
	replay.Reset(body)
	r.Body = replay
	return paramsFromBody(body)
}

// replayedBody is a request body read already, to be read again: one allocation where
// io.NopCloser(bytes.NewReader(body)) takes two.
type replayedBody struct{ bytes.Reader }

func (*replayedBody) Close() error { return nil }

// rawBody is a POST body before its members' types are checked.
type rawBody struct {
	Query         json.RawMessage `json:"query"`
	OperationName json.RawMessage `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

func paramsFromBody(body []byte) (*graphql.RawParams, *apperr.Error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, badRequest("the request body is empty: send a JSON object with a query")
	case trimmed[0] == '[':
		return nil, badRequest("batched requests (a JSON array) are not supported: send one JSON object per request")
	case trimmed[0] != '{':
		if json.Valid(body) {
			return nil, badRequest("the request body must be a JSON object with a query, not another JSON value")
		}
		return nil, badRequest("the request body is not valid JSON")
	}
	var raw rawBody
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, badRequest("the request body is not valid JSON")
	}
	p := &graphql.RawParams{}
	if err := decodeMember("query", raw.Query, '"', &p.Query); err != nil {
		return nil, err
	}
	if err := decodeMember("operationName", raw.OperationName, '"', &p.OperationName); err != nil {
		return nil, err
	}
	if err := decodeMember("variables", raw.Variables, '{', &p.Variables); err != nil {
		return nil, err
	}
	if err := decodeMember("extensions", raw.Extensions, '{', &p.Extensions); err != nil {
		return nil, err
	}
	return p, checkRequest(p)
}

// decodeMember decodes one member that must be null or of the JSON kind that starts with
// first ('"' a string, '{' an object). Numbers keep their text, as gqlgen expects.
func decodeMember(name string, raw json.RawMessage, first byte, into any) *apperr.Error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != first {
		kind := "a string"
		if first == '{' {
			kind = "a JSON object"
		}
		return badRequest("%s must be %s", name, kind)
	}
	if first == '"' {
		// A string has no numbers to keep: Unmarshal spares the Decoder and its buffer.
		if err := json.Unmarshal(raw, into); err != nil {
			return badRequest("%s could not be decoded", name)
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return badRequest("%s could not be decoded", name)
	}
	return nil
}

func paramsFromQuery(rawQuery string) (*graphql.RawParams, *apperr.Error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, badRequest("the query string is malformed")
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	for _, m := range []struct {
		name string
		into *map[string]any
	}{{"variables", &p.Variables}, {"extensions", &p.Extensions}} {
		v := q.Get(m.name)
		if v == "" {
			continue
		}
		raw := textcheck.MarkJSON([]byte(strings.TrimSpace(v)))
		if e := decodeMember(m.name, raw, '{', m.into); e != nil {
			if !json.Valid([]byte(v)) {
				return nil, badRequest("%s is not valid JSON", m.name)
			}
			return nil, e
		}
	}
	return p, checkRequest(p)
}

// checkRequest: operationName, when sent, is a GraphQL name (so no message can repeat
// arbitrary text as one); a request without a query is only meaningful as an automatic
// persisted query (a hash of a document sent before), which the APQ extension resolves.
func checkRequest(p *graphql.RawParams) *apperr.Error {
	if p.OperationName != "" && !isName(p.OperationName) {
		return badRequest("operationName must be a GraphQL name: letters, digits and _, not starting with a digit")
	}
	if p.Query != "" {
		return nil
	}
	if _, ok := p.Extensions["persistedQuery"]; ok {
		return nil
	}
	return badRequest("the request has no query")
}

// isName reports whether s is a GraphQL Name: /[_A-Za-z][_0-9A-Za-z]*/.
func isName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// checkShape refuses a document over the token, field or depth limit with QUERY_TOO_COMPLEX
// before gqlgen parses and validates it, and chooses between a JSON response and an event
// stream for the operation the request names (chooseStream), refusing what neither serves.
// A document that does not parse goes on: gqlgen reports its syntax error.
func (a *API) checkShape(ctx context.Context, r *http.Request, p *graphql.RawParams) (stream bool, _ *apperr.Error) {
	var op ast.Operation // unknown for a persisted query sent by its hash alone
	if p.Query != "" {
		shape := a.shapeOf(ctx, p.Query)
		if shape.Refused != cost.ReasonNone {
			return false, tooComplexShape(shape.Refused)
		}
		op = shape.Operation(p.OperationName)
	}
	return chooseStream(r, op)
}

// maxCachedShapeQuery bounds the documents whose shape is remembered: the cache must not
// hold megabytes of query text.
const maxCachedShapeQuery = 16 << 10

func (a *API) shapeOf(ctx context.Context, query string) cost.Shape {
	if len(query) <= maxCachedShapeQuery {
		if s, ok := a.shapes.Get(ctx, query); ok {
			return s
		}
	}
	s := cost.Precheck(query)
	if len(query) <= maxCachedShapeQuery {
		a.shapes.Add(ctx, query, s)
	}
	return s
}

// tooComplexShape is the refusal of the cheap pass; the node limit is refused after
// validation, by the rate-limit gate (tooComplex), with the operation's price.
func tooComplexShape(reason cost.Reason) *apperr.Error {
	msg := fmt.Sprintf("this operation selects more than %d fields (fragments expanded)", cost.MaxFields)
	switch reason {
	case cost.ReasonTokens:
		msg = fmt.Sprintf("this document has more than %d tokens", cost.MaxTokens)
	case cost.ReasonDepth:
		msg = fmt.Sprintf("this operation nests deeper than %d levels", cost.MaxDepth)
	}
	return &apperr.Error{Code: apperr.ETOOCOMPLEX, Message: msg, Extensions: map[string]any{"reason": string(reason)}}
}

type paramsKey struct{}

// graphQLTransport serves the GraphQL-over-HTTP requests that the decoder has read: it is
// gqlgen's POST and GET transports with the statuses of docs/errors.md. Parse, validation and
// variable-coercion failures answer 400 without a data key when the client accepts
// application/graphql-response+json, 200 when it accepts only application/json; errors of
// the gates (403, 429, …) set their own status through the request state.
// Requests answered with an event stream (chooseStream) are left to the transport that
// streams them.
type graphQLTransport struct{}

var _ graphql.Transport = graphQLTransport{}

func (graphQLTransport) Supports(r *http.Request) bool {
	_, ok := r.Context().Value(paramsKey{}).(*graphql.RawParams)
	return ok && !streaming(r.Context())
}

func (graphQLTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	params := ctx.Value(paramsKey{}).(*graphql.RawParams)
	params.Headers = r.Header
	start := graphql.Now()
	params.ReadTime = graphql.TraceTiming{Start: start, End: start}
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		status := http.StatusOK
		if responseType(r) == mediaGraphQLResponse && errcode.GetErrorKind(errs) == errcode.KindProtocol {
			status = http.StatusBadRequest
		}
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		writeGraphQL(w, r, status, errorBody{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeGraphQL(w, r, http.StatusOK, responses(ctx))
}
