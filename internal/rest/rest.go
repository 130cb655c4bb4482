// Package rest serves the documented REST API (/v1). It has no data path of its own: each
// route is a persisted GraphQL operation (operations.graphql) that the handler sends, with
// the route's parameters as variables, through the very /graphql handler every GraphQL client
// uses — authentication, the permission gate, cost, rate limits and their headers, usage
// accounting, the tenant scope, idempotency and the error mapping all happen there, once.
// This package only translates: REST request in, GraphQL request through, snake_case REST
// response out.
package rest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/reqinfo"
)

//go:embed operations.graphql
var operationsDoc string

// Handler serves /v1.
type Handler struct {
	graphql  http.Handler
	codes    Codes
	compiled []*compiled
	openapi  []byte
}

// Codes is how an application error reaches callers: its GraphQL code and the HTTP status
// of a request it stops. It is /graphql's one table (internal/httpapi), handed in so that
// /v1 refuses a request (413, 415, 405, …) exactly as /graphql does.
type Codes func(apperr.Code) (code string, status int)

// compiled is a route with what its operation tells about it.
type compiled struct {
	route
	segments []string
	op       *ast.OperationDefinition
	document string          // the operation and the fragments it uses, as sent to /graphql
	root     *ast.Field      // the result's field (the root field, or the one at route.at)
	params   []compiledParam // query-string parameters
	bodyVars []*ast.VariableDefinition
	unwrap   bool              // the body is $input's fields
	fieldOf  map[string]string // GraphQL argument path → REST name, for errors' field
}

type compiledParam struct {
	param
	typ *ast.Type
}

// New returns the /v1 handler in front of graphql, the application's /graphql handler;
// schema is that handler's schema, which the persisted operations are validated against, and
// codes its table of error codes.
func New(graphql http.Handler, schema *ast.Schema, codes Codes) (*Handler, error) {
	doc, errs := gqlparser.LoadQueryWithRules(schema, operationsDoc, nil)
	if errs != nil {
		return nil, fmt.Errorf("rest: operations.graphql: %w", errs)
	}
	h := &Handler{graphql: graphql, codes: codes}
	for _, r := range routes {
		c, err := compile(schema, doc, r)
		if err != nil {
			return nil, err
		}
		h.compiled = append(h.compiled, c)
	}
	spec, err := json.Marshal(openAPI(schema, h.compiled))
	if err != nil {
		return nil, err
	}
	h.openapi = spec
	return h, nil
}

func compile(schema *ast.Schema, doc *ast.QueryDocument, r route) (*compiled, error) {
	op := doc.Operations.ForName(r.operation)
	if op == nil {
		return nil, fmt.Errorf("rest: %s %s: no operation %s", r.method, r.path, r.operation)
	}
	c := &compiled{route: r, segments: strings.Split(strings.Trim(r.path, "/"), "/"), op: op,
		fieldOf: map[string]string{}}
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.document = operationDocument(doc, op)
	c.root = rootField(op.SelectionSet)
	for _, name := range r.at[min(1, len(r.at)):] {
		c.root = fieldNamed(c.root.SelectionSet, name)
		if c.root == nil {
			return nil, fmt.Errorf("rest: %s: no field %s", r.operation, strings.Join(r.at, "."))
		}
	}
	bound := map[string]bool{}
	if strings.Contains(r.path, "{id}") {
		bound["id"] = true
	}
	for _, p := range r.query {
		typ, err := variableType(schema, op, p.variable)
		if err != nil {
			return nil, fmt.Errorf("rest: %s ?%s: %w", r.operation, p.name, err)
		}
		c.params = append(c.params, compiledParam{param: p, typ: typ})
		bound[strings.Split(p.variable, ".")[0]] = true
		c.fieldOf[p.variable] = p.name
	}
	for _, v := range op.VariableDefinitions {
		if !bound[v.Variable] {
			c.bodyVars = append(c.bodyVars, v)
			c.fieldOf[v.Variable] = snake(v.Variable)
		}
	}
	c.unwrap = len(c.bodyVars) == 1 && c.bodyVars[0].Variable == "input"
	if (r.method == http.MethodGet || r.method == http.MethodDelete) && len(c.bodyVars) > 0 {
		return nil, fmt.Errorf("rest: %s %s: variables %v bound to nothing", r.method, r.path, c.bodyVars)
	}
	return c, nil
}

// operationDocument prints op with the fragments it uses: a small document per route keeps
// what /graphql reads, and caches parsed, per request small.
func operationDocument(doc *ast.QueryDocument, op *ast.OperationDefinition) string {
	out := &ast.QueryDocument{Operations: ast.OperationList{op}}
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			switch x := s.(type) {
			case *ast.Field:
				walk(x.SelectionSet)
			case *ast.InlineFragment:
				walk(x.SelectionSet)
			case *ast.FragmentSpread:
				if !seen[x.Name] {
					seen[x.Name] = true
					f := doc.Fragments.ForName(x.Name)
					out.Fragments = append(out.Fragments, f)
					walk(f.SelectionSet)
				}
			}
		}
	}
	walk(op.SelectionSet)
	var b strings.Builder
	formatter.NewFormatter(&b).FormatQueryDocument(out)
	return b.String()
}

func rootField(set ast.SelectionSet) *ast.Field {
	for _, s := range set {
		if f, ok := s.(*ast.Field); ok {
			return f
		}
	}
	return nil
}

func fieldNamed(set ast.SelectionSet, name string) *ast.Field {
	for _, s := range set {
		if f, ok := s.(*ast.Field); ok && f.Name == name {
			return f
		}
	}
	return nil
}

// variableType is the type of a dotted variable path: "filter.search" is the search field of
// the input type of $filter.
func variableType(schema *ast.Schema, op *ast.OperationDefinition, path string) (*ast.Type, error) {
	parts := strings.Split(path, ".")
	v := op.VariableDefinitions.ForName(parts[0])
	if v == nil {
		return nil, fmt.Errorf("no variable $%s", parts[0])
	}
	typ := v.Type
	for _, name := range parts[1:] {
		def := schema.Types[typ.Name()]
		if def == nil || def.Fields.ForName(name) == nil {
			return nil, fmt.Errorf("no field %s in %s", name, typ.Name())
		}
		typ = def.Fields.ForName(name).Type
	}
	return typ, nil
}

// ServeHTTP answers one REST request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/v1/openapi.json" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(h.openapi)
		return
	}
	c, params, allowed := h.match(r.Method, r.URL.EscapedPath())
	if c == nil {
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			h.refuse(w, &apperr.Error{Code: apperr.EMETHOD,
				Message: r.Method + " is not allowed here; allowed: " + strings.Join(allowed, ", ")})
			return
		}
		h.refuse(w, &apperr.Error{Code: apperr.ENOTFOUND, Message: "no such endpoint: " + apperr.Quote(r.Method+" "+r.URL.Path)})
		return
	}
	if info := reqinfo.From(r.Context()); info != nil {
		info.Route = c.path // the request's log line and metrics name the route, not /v1/
	}
	vars, err := c.variables(r, params)
	if err != nil {
		h.refuse(w, err)
		return
	}
	h.run(w, r, c, vars)
}

// refuse answers a request /v1 stops before running it, with the status /graphql gives the
// error's code; an error /graphql reports inside a 200 answer (BAD_USER_INPUT) takes the
// status REST gives it (400).
func (h *Handler) refuse(w http.ResponseWriter, e *apperr.Error) {
	code, status := h.codes(e.Code)
	if s, ok := errorStatus[code]; ok && status == http.StatusOK {
		status = s
	}
	out := apiError{Code: code, Message: e.Message}
	if e.Field != "" {
		out.Field = &e.Field
	}
	writeError(w, status, out)
}

// Methods are the methods /v1 answers at path (an escaped path, as in a request line),
// OPTIONS included; nil when no route has that path.
func (h *Handler) Methods(path string) []string {
	_, _, allowed := h.match("", path)
	if len(allowed) == 0 {
		return nil
	}
	return append(allowed, http.MethodOptions)
}

// match finds the route for method and the escaped path; when the path exists with other
// methods it returns them instead. A path is split at its slashes before its segments are
// unescaped: "%2F" is a character of an id, never a separator, and since no id holds one,
// a segment bound to {id} that does after unescaping matches no route.
func (h *Handler) match(method, escapedPath string) (*compiled, map[string]string, []string) {
	segments := strings.Split(strings.Trim(escapedPath, "/"), "/")
	for i, s := range segments {
		u, err := url.PathUnescape(s)
		if err != nil || strings.Contains(u, "/") {
			return nil, nil, nil
		}
		segments[i] = u
	}
	var allowed []string
	for _, c := range h.compiled {
		params, ok := matchSegments(c.segments, segments)
		if !ok {
			continue
		}
		if c.method == method {
			return c, params, nil
		}
		allowed = append(allowed, c.method)
	}
	sort.Strings(allowed)
	return nil, nil, allowed
}

func matchSegments(pattern, segments []string) (map[string]string, bool) {
	if len(pattern) != len(segments) {
		return nil, false
	}
	var params map[string]string
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") {
			if segments[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[strings.Trim(p, "{}")] = segments[i]
			continue
		}
		if p != segments[i] {
			return nil, false
		}
	}
	return params, true
}

// graphQLRequest is the body sent to /graphql.
type graphQLRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// run sends the route's operation through the /graphql handler and translates the answer.
func (h *Handler) run(w http.ResponseWriter, r *http.Request, c *compiled, vars map[string]any) {
	body, err := json.Marshal(graphQLRequest{Query: c.document, OperationName: c.operation, Variables: vars})
	if err != nil {
		h.refuse(w, &apperr.Error{Code: apperr.EBADREQUEST, Message: "the request cannot be encoded"})
		return
	}
	inner, err := http.NewRequestWithContext(r.Context(), http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		h.refuse(w, &apperr.Error{Code: apperr.EBADREQUEST, Message: "the request cannot be built"})
		return
	}
	for _, name := range forwardedRequestHeaders {
		if v, ok := r.Header[name]; ok {
			inner.Header[name] = v
		}
	}
	inner.Header.Set("Content-Type", "application/json")
	// The GraphQL-over-HTTP media type keeps every rejection's HTTP status (400 for a
	// variable that does not coerce, rather than 200).
	inner.Header.Set("Accept", "application/graphql-response+json")
	inner.RemoteAddr = r.RemoteAddr
	rec := &recorder{header: http.Header{}, body: buffers.Get().(*bytes.Buffer)}
	defer func() { rec.body.Reset(); buffers.Put(rec.body) }()
	h.graphql.ServeHTTP(rec, inner)
	for name, v := range rec.header {
		if forwardedResponseHeader(name) {
			w.Header()[name] = v
		}
	}
	status, out := c.translate(rec.status(), rec.body.Bytes())
	writeJSON(w, status, out)
}

// forwardedRequestHeaders reach /graphql as the client sent them.
var forwardedRequestHeaders = []string{"Authorization", "Idempotency-Key", "X-Request-Id"}

// forwardedResponseHeader reports whether a header of the GraphQL answer belongs in the REST
// answer: rate limits, Retry-After, WWW-Authenticate, the idempotency replay marker.
func forwardedResponseHeader(name string) bool {
	switch name {
	case "Content-Type", "Content-Length":
		return false
	}
	return true
}

// buffers hold GraphQL answers while they are translated; reusing them spares growing a
// buffer to the size of a page for every request.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// recorder keeps the GraphQL answer in memory for translation.
type recorder struct {
	header http.Header
	code   int
	body   *bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	switch b := body.(type) {
	case json.Marshaler: // a raw result: written as it is, not compacted again by an Encoder
		out, _ := b.MarshalJSON()
		_, _ = w.Write(out)
		_, _ = w.Write([]byte{'\n'})
	default:
		_ = json.NewEncoder(w).Encode(body)
	}
}
