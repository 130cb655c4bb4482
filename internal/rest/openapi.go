package rest

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// openAPI is the OpenAPI 3.1 document of the routes, derived from the route table and from
// the GraphQL schema and persisted operations: a response schema is the selection its
// operation makes, a body schema the operation's input type, so nothing is written twice.
// What a client generator needs to name things is made reusable: every fragment
// "XFields" of operations.graphql is the component schema X, every input type its own, every
// answer an "XPage" or "XResult", the headers and error responses components of their own.
func openAPI(schema *ast.Schema, routes []*compiled) map[string]any {
	b := &specBuilder{schema: schema, schemas: map[string]any{}}
	paths := map[string]any{}
	tags := map[string]bool{}
	var tagList []any
	for _, c := range routes {
		item, _ := paths[c.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[c.path] = item
		}
		item[strings.ToLower(c.method)] = b.operation(c)
		if t := tagOf(c.path); !tags[t] {
			tags[t] = true
			tagList = append(tagList, map[string]any{"name": t, "description": tagDescriptions[t]})
		}
	}
	b.schemas["Error"] = errorSchema()
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "CRM REST API", "version": "1",
			"description": "Each endpoint runs one persisted GraphQL operation through /graphql: same keys, permissions, " +
				"cost, rate limits, usage and errors. Authenticate with `Authorization: Bearer wbk_…`. " +
				"Lists answer `{\"data\":[…],\"next_cursor\":…}`: pass `next_cursor` as `?cursor=` for the next page " +
				"(`null` on the last). Errors answer `{\"error\":{\"code\",\"message\",\"field\"}}`. See docs/rest.md."},
		// Relative: the document is served by the API it describes, so a generated client
		// calls the host it was generated from unless told otherwise.
		"servers": []any{map[string]any{"url": "/", "description": "the server that serves this document"}},
		"tags":    tagList,
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "A workspace API key: `Authorization: Bearer wbk_…`."}},
			"schemas":    b.schemas,
			"parameters": map[string]any{"IdempotencyKey": idempotencyKeyParameter()},
			"headers":    headerComponents(),
			"responses":  errorResponses(),
		},
		"security": []any{map[string]any{"bearer": []string{}}},
	}
}

// tagOf groups a path by its resource: /v1/lexi/tasks is "lexi".
func tagOf(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 2 {
		return parts[0]
	}
	return parts[1]
}

var tagDescriptions = map[string]string{
	"contacts":           "People in the workspace.",
	"lists":              "Named sets of contacts.",
	"campaigns":          "Emails sent to a list.",
	"deals":              "Sales opportunities, optionally tied to a contact.",
	"prospects":          "The shared prospect catalog.",
	"lexi":               "Lexi, the assistant: chats, and the tasks it proposes for a key holder to approve.",
	"usage":              "The calling key's usage.",
	"webhooks":           "Endpoints that receive signed events, and their delivery logs.",
	"webhook-deliveries": "Single deliveries of the webhook events.",
}

// patchSemantics is how every PATCH reads its body.
const patchSemantics = "Partial update: a field left out, or sent as `null`, stays as it is; `\"\"` clears an " +
	"optional text field (a required one, such as a contact's email or a list's name, refuses it with " +
	"BAD_USER_INPUT); a list value (`tags`) replaces the whole list, `[]` empties it."

func (b *specBuilder) operation(c *compiled) map[string]any {
	var params []any
	if strings.Contains(c.path, "{id}") {
		params = append(params, map[string]any{"name": "id", "in": "path", "required": true,
			"description": "The object's id.", "schema": map[string]any{"type": "string"}})
	}
	for _, p := range c.params {
		s := b.input(p.typ, false)
		if p.bounds != nil {
			s["minimum"], s["maximum"], s["default"] = p.bounds.min, p.bounds.max, p.bounds.def
		}
		param := map[string]any{"name": p.name, "in": "query", "required": false, "schema": s}
		if d := paramDescriptions[p.name]; d != "" {
			param["description"] = d
		}
		params = append(params, param)
	}
	writes := c.method != http.MethodGet
	if writes {
		params = append(params, map[string]any{"$ref": "#/components/parameters/IdempotencyKey"})
	}

	responses := map[string]any{
		strconv.Itoa(c.status): map[string]any{"description": http.StatusText(c.status),
			"headers": successHeaders(writes), "content": jsonContent(b.result(c))},
	}
	errs := []int{400, 401, 403, 429, 503}
	if strings.Contains(c.path, "{id}") {
		errs = append(errs, 404)
	}
	if writes {
		errs = append(errs, 409, 413, 415, 422)
	}
	for _, s := range errs {
		responses[strconv.Itoa(s)] = map[string]any{"$ref": "#/components/responses/" + errorResponseName[s]}
	}
	description := "Runs the persisted GraphQL operation " + c.operation + " (root field " + c.root.Name + ")."
	if c.method == http.MethodPatch {
		description += " " + patchSemantics
	}
	op := map[string]any{"operationId": c.operation, "summary": c.summary, "tags": []string{tagOf(c.path)},
		"description": description, "responses": responses}
	if params != nil {
		op["parameters"] = params
	}
	if len(c.bodyVars) > 0 {
		body, required := b.body(c)
		rb := map[string]any{"required": required, "content": jsonContent(body)}
		if c.method == http.MethodPatch {
			rb["description"] = patchSemantics
		}
		op["requestBody"] = rb
	}
	return op
}

var paramDescriptions = map[string]string{
	"limit":  "The page size.",
	"cursor": "The `next_cursor` of the previous page.",
	"days":   "How many UTC days, today included.",
}

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

func idempotencyKeyParameter() map[string]any {
	return map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
		"description": "Makes a retry safe: within 24 hours a request with the same key (per API key) and the " +
			"same body answers the first response again, with `Idempotent-Replayed: true`, without running or " +
			"charging it; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED, and a retry while the " +
			"first still runs is 409 CONFLICT.",
		"schema": map[string]any{"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]+$"}}
}

// rateLimitHeaders are on every authenticated answer.
var rateLimitHeaders = []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset",
	"X-RateLimit-Minute-Limit", "X-RateLimit-Minute-Remaining", "X-RateLimit-Minute-Reset", "X-RateLimit-Cost",
	"RateLimit", "RateLimit-Policy"}

func headerComponents() map[string]any {
	integer := func(d string) map[string]any {
		return map[string]any{"description": d, "schema": map[string]any{"type": "integer", "minimum": 0}}
	}
	text := func(d string) map[string]any {
		return map[string]any{"description": d, "schema": map[string]any{"type": "string"}}
	}
	return map[string]any{
		"X-RateLimit-Limit":            integer("Calls (cost units) the key's plan allows per UTC day."),
		"X-RateLimit-Remaining":        integer("Calls left today."),
		"X-RateLimit-Used":             integer("Calls used today."),
		"X-RateLimit-Reset":            integer("When the day window resets: epoch seconds of the next 00:00 UTC."),
		"X-RateLimit-Minute-Limit":     integer("Calls the plan allows per minute."),
		"X-RateLimit-Minute-Remaining": integer("Calls left in this minute."),
		"X-RateLimit-Minute-Reset":     integer("When the minute window resets, in epoch seconds."),
		"X-RateLimit-Cost":             integer("What this request was charged."),
		"RateLimit":                    text(`The IETF draft's remaining quota per window: "day";r=…;t=…, "minute";r=…;t=…`),
		"RateLimit-Policy":             text(`The IETF draft's quota policies: "day";q=…;w=86400, "minute";q=…;w=60`),
		"Retry-After":                  integer("Seconds to wait before retrying."),
		"Idempotent-Replayed":          map[string]any{"description": "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.", "schema": map[string]any{"type": "string", "enum": []string{"true"}}},
		"X-Request-Id":                 text("The request's id (the client's, if it sent a sane one); logs and errors carry the same."),
		"WWW-Authenticate":             text(`The authentication challenge: Bearer realm="api".`),
	}
}

func headerRefs(names ...string) map[string]any {
	out := make(map[string]any, len(names))
	for _, n := range names {
		out[n] = map[string]any{"$ref": "#/components/headers/" + n}
	}
	return out
}

func successHeaders(writes bool) map[string]any {
	names := append([]string{"X-Request-Id"}, rateLimitHeaders...)
	if writes {
		names = append(names, "Idempotent-Replayed")
	}
	return headerRefs(names...)
}

var errorResponseName = map[int]string{
	400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
	413: "TooLarge", 415: "UnsupportedMediaType", 422: "IdempotencyKeyReused", 429: "RateLimited", 503: "Unavailable",
}

var errorResponseDescription = map[int]string{
	400: "The request is malformed or an argument is invalid (BAD_REQUEST, BAD_USER_INPUT, QUERY_TOO_COMPLEX); `field` names the argument.",
	401: "No usable API key (UNAUTHENTICATED): missing, malformed, unknown, revoked or expired.",
	403: "The key lacks a permission this endpoint needs (FORBIDDEN).",
	404: "No such object in the key's workspace (NOT_FOUND).",
	409: "A conflict (CONFLICT): a uniqueness violation, a task no longer pending, or a retry while the first request with its Idempotency-Key still runs.",
	413: "The request body is over the size limit (REQUEST_TOO_LARGE).",
	415: "The request body is not JSON (UNSUPPORTED_MEDIA_TYPE).",
	422: "The Idempotency-Key was used before with another body (IDEMPOTENCY_KEY_REUSED).",
	429: "The key's plan limit is reached (RATE_LIMITED); retry after Retry-After seconds.",
	503: "A dependency is unavailable or the request ran out of time (SERVICE_UNAVAILABLE, TIMEOUT); retry after Retry-After seconds.",
}

func errorResponses() map[string]any {
	out := map[string]any{}
	for status, name := range errorResponseName {
		var headers map[string]any
		switch status {
		case 401:
			headers = headerRefs("X-Request-Id", "WWW-Authenticate")
		case 413, 415:
			headers = headerRefs("X-Request-Id")
		case 429, 503:
			headers = headerRefs(append([]string{"X-Request-Id", "Retry-After"}, rateLimitHeaders...)...)
		default:
			headers = headerRefs(append([]string{"X-Request-Id"}, rateLimitHeaders...)...)
		}
		out[name] = map[string]any{"description": errorResponseDescription[status], "headers": headers,
			"content": jsonContent(map[string]any{"$ref": "#/components/schemas/Error"})}
	}
	return out
}

func errorSchema() map[string]any {
	return map[string]any{
		"type": "object", "required": []string{"error"}, "additionalProperties": false,
		"properties": map[string]any{"error": map[string]any{
			"type": "object", "required": []string{"code", "message", "field"}, "additionalProperties": false,
			"properties": map[string]any{
				"code":    map[string]any{"type": "string", "description": "The error code, as extensions.code on /graphql (NOT_FOUND, BAD_USER_INPUT, …)."},
				"message": map[string]any{"type": "string"},
				"field":   map[string]any{"type": []string{"string", "null"}, "description": "The parameter or body field the error is about, by its REST name."},
			},
		}},
	}
}
