package rest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/textcheck"
)

// apiError is the REST error body's "error" object.
type apiError struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Field   *string `json:"field"`
}

func fieldError(code, message, field string) *apiError {
	return &apiError{Code: code, Message: message, Field: &field}
}

// writeError writes a REST error; no message quotes more of the request than the echo limit.
func writeError(w http.ResponseWriter, status int, e apiError) {
	e.Message = apperr.LimitEcho(e.Message)
	writeJSON(w, status, map[string]any{"error": e})
}

// maxBodyBytes bounds a REST body; /graphql applies its own limit to what it receives.
const maxBodyBytes = 1 << 20

// variables builds the operation's variables from the path, the query string and the body.
// Text that is not valid UTF-8 is marked (textcheck), not repaired: /graphql's text gate
// refuses it with the argument it was in, as it refuses any other bad text.
func (c *compiled) variables(r *http.Request, path map[string]string) (map[string]any, *apperr.Error) {
	vars := map[string]any{}
	if id, ok := path["id"]; ok {
		vars["id"] = textcheck.Mark(id)
	}
	q := r.URL.Query()
	for _, p := range c.params {
		raw, ok := q[p.name]
		if !ok || len(raw) == 0 {
			continue
		}
		v, err := queryValue(p.typ, textcheck.Mark(raw[len(raw)-1]))
		if err == nil {
			err = p.check(v)
		}
		if err != nil {
			return nil, apperr.Invalid(p.name, "?%s %s", p.name, err.Error())
		}
		setPath(vars, strings.Split(p.variable, "."), v)
	}
	if len(c.bodyVars) == 0 {
		return vars, nil
	}
	if r.ContentLength > maxBodyBytes {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, &apperr.Error{Code: apperr.EBADREQUEST, Message: "could not read the request body"}
	}
	if len(body) > maxBodyBytes {
		return nil, tooLarge()
	}
	fields := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		if !isJSON(r.Header.Get("Content-Type")) {
			return nil, &apperr.Error{Code: apperr.EMEDIATYPE, Message: "send the request body as Content-Type: application/json"}
		}
		dec := json.NewDecoder(bytes.NewReader(textcheck.MarkJSON(body)))
		dec.UseNumber() // amounts stay exact
		var decoded any
		if err := dec.Decode(&decoded); err != nil || dec.More() {
			return nil, &apperr.Error{Code: apperr.EBADREQUEST, Message: "the request body is not valid JSON"}
		}
		obj, ok := decoded.(map[string]any)
		if !ok {
			return nil, &apperr.Error{Code: apperr.EBADREQUEST, Message: "the request body must be a JSON object"}
		}
		fields = camelKeys(obj).(map[string]any)
	}
	if c.unwrap {
		vars["input"] = fields
		return vars, nil
	}
	for _, v := range c.bodyVars {
		if val, ok := fields[v.Variable]; ok {
			vars[v.Variable] = val
		}
	}
	return vars, nil
}

func tooLarge() *apperr.Error {
	return &apperr.Error{Code: apperr.ETOOLARGE, Message: "the request body is larger than " + strconv.Itoa(maxBodyBytes) + " bytes"}
}

// isJSON reports whether a Content-Type is JSON: application/json or a +json type.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// queryValue turns a query-string value into a variable of typ: Int and Boolean parse,
// enum values are upper-cased ("pending" is PENDING), the rest stay strings.
func queryValue(typ *ast.Type, raw string) (any, error) {
	switch typ.Name() {
	case "Int":
		n, err := strconv.Atoi(raw)
		if err != nil {
			return nil, errString("must be an integer")
		}
		return n, nil
	case "Boolean":
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, errString("must be true or false")
		}
		return b, nil
	case "String", "ID":
		return raw, nil
	}
	return strings.ToUpper(raw), nil
}

type errString string

func (e errString) Error() string { return string(e) }

func setPath(vars map[string]any, path []string, v any) {
	for _, p := range path[:len(path)-1] {
		next, ok := vars[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			vars[p] = next
		}
		vars = next
	}
	vars[path[len(path)-1]] = v
}

// graphQLResponse is what /graphql answered. The data stays raw: the persisted operations
// alias every field to its REST name, so a result is copied into the REST body as it is.
type graphQLResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// errorStatus is the REST status of an error GraphQL reports inside a 200 answer (errors that
// stop a request before it runs keep the status /graphql gave them).
var errorStatus = map[string]int{
	"NOT_FOUND":                 http.StatusNotFound,
	"BAD_USER_INPUT":            http.StatusBadRequest,
	"GRAPHQL_VALIDATION_FAILED": http.StatusBadRequest,
	"GRAPHQL_PARSE_FAILED":      http.StatusBadRequest,
	"CONFLICT":                  http.StatusConflict,
	"FORBIDDEN":                 http.StatusForbidden,
	"SERVICE_UNAVAILABLE":       http.StatusServiceUnavailable,
	"TIMEOUT":                   http.StatusServiceUnavailable,
}

var null = json.RawMessage("null")

// translate turns the GraphQL answer into the REST status and body.
func (c *compiled) translate(status int, raw []byte) (int, any) {
	if c.shape == shapePage && status == http.StatusOK {
		// The hot path, read in one pass: a page without errors.
		var page struct {
			Data map[string]struct {
				Nodes    json.RawMessage `json:"nodes"`
				PageInfo struct {
					HasNextPage bool    `json:"has_next_page"`
					EndCursor   *string `json:"end_cursor"`
				} `json:"page_info"`
			} `json:"data"`
			Errors json.RawMessage `json:"errors"`
		}
		if json.Unmarshal(raw, &page) == nil && len(page.Errors) == 0 {
			if p, ok := page.Data[c.root.Alias]; ok && len(p.Nodes) > 0 {
				var next *string
				if p.PageInfo.HasNextPage {
					next = p.PageInfo.EndCursor
				}
				return c.status, listBody{Data: p.Nodes, NextCursor: next}
			}
		}
	}
	var resp graphQLResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return http.StatusInternalServerError, map[string]any{"error": apiError{Code: "INTERNAL_SERVER_ERROR", Message: "internal error"}}
	}
	if len(resp.Errors) > 0 {
		e := resp.Errors[0]
		code, _ := e.Extensions["code"].(string)
		out := apiError{Code: code, Message: e.Message}
		if f, ok := e.Extensions["field"].(string); ok {
			rf := c.restField(f)
			out.Field, out.Message = &rf, restMessage(e.Message, f, rf)
		}
		if status == http.StatusOK {
			status = http.StatusInternalServerError
			if s, ok := errorStatus[code]; ok {
				status = s
			}
		}
		return status, map[string]any{"error": out}
	}
	path := c.at
	if len(path) == 0 {
		path = []string{c.root.Alias}
	}
	result := resp.Data
	for _, p := range path {
		var m map[string]json.RawMessage
		if json.Unmarshal(result, &m) != nil {
			return http.StatusInternalServerError, map[string]any{"error": apiError{Code: "INTERNAL_SERVER_ERROR", Message: "internal error"}}
		}
		result = m[p]
	}
	switch c.shape {
	case shapePage:
		var page struct {
			Nodes    json.RawMessage `json:"nodes"`
			PageInfo struct {
				HasNextPage bool    `json:"has_next_page"`
				EndCursor   *string `json:"end_cursor"`
			} `json:"page_info"`
		}
		_ = json.Unmarshal(result, &page)
		var next *string
		if page.PageInfo.HasNextPage {
			next = page.PageInfo.EndCursor
		}
		return c.status, listBody{Data: page.Nodes, NextCursor: next}
	case shapeArray:
		return c.status, listBody{Data: result}
	case shapeDeleted:
		return c.status, map[string]any{"data": map[string]json.RawMessage{"id": result}}
	case shapeObject:
		if len(result) == 0 || bytes.Equal(result, null) {
			return http.StatusNotFound, map[string]any{"error": fieldError("NOT_FOUND", "no such record", "id")}
		}
	}
	return c.status, objectBody{Data: result}
}

// listBody and objectBody write the REST body around the raw result without re-encoding it
// (/graphql wrote it compact and valid).
type listBody struct {
	Data       json.RawMessage
	NextCursor *string
}

func (l listBody) MarshalJSON() ([]byte, error) {
	next := []byte("null")
	if l.NextCursor != nil {
		next, _ = json.Marshal(*l.NextCursor)
	}
	if len(l.Data) == 0 {
		l.Data = null
	}
	b := make([]byte, 0, len(l.Data)+len(next)+24)
	b = append(append(append(append(b, `{"data":`...), l.Data...), `,"next_cursor":`...), next...)
	return append(b, '}'), nil
}

type objectBody struct {
	Data json.RawMessage
}

func (o objectBody) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(o.Data)+10)
	return append(append(append(b, `{"data":`...), o.Data...), '}'), nil
}

// check refuses an integer outside the parameter's bounds.
func (p param) check(v any) error {
	if n, ok := v.(int); ok && p.bounds != nil && (n < p.bounds.min || n > p.bounds.max) {
		return errString("must be between " + strconv.Itoa(p.bounds.min) + " and " + strconv.Itoa(p.bounds.max))
	}
	return nil
}

// restMessage says an error's message in the REST caller's words: a message that starts with
// the GraphQL name of the argument it is about ("first must be …") names it as the caller
// sent it ("limit must be …").
func restMessage(msg, graphqlField, restField string) string {
	name := graphqlField[strings.LastIndexByte(graphqlField, '.')+1:]
	if name != restField && strings.HasPrefix(msg, name+" ") {
		return restField + msg[len(name):]
	}
	return msg
}

// restField names an error's GraphQL argument as the REST caller sent it: "input.email" is
// "email", "first" is "limit".
func (c *compiled) restField(f string) string {
	if name, ok := c.fieldOf[f]; ok {
		return name
	}
	if c.unwrap {
		f = strings.TrimPrefix(f, "input.")
	}
	return snake(f)
}

// camelKeys renames the object keys of a decoded JSON value to GraphQL's camelCase.
func camelKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[camel(k)] = camelKeys(val)
		}
		return out
	case []any:
		for i := range x {
			x[i] = camelKeys(x[i])
		}
		return x
	}
	return v
}

func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 && s[i-1] != '.' {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func camel(s string) string {
	var b strings.Builder
	up := false
	for _, r := range s {
		if r == '_' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
