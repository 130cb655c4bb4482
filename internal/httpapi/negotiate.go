package httpapi

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
)

// The media types of GraphQL over HTTP. Every /graphql response, rejections included, is in
// the one that responseType picks, so that a client reads every error the same way.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
	mediaEventStream     = "text/event-stream"
)

// allowedMethods is the Allow header of a 405 from /graphql.
const allowedMethods = "GET, POST, OPTIONS"

// retryAfterUnavailable is the Retry-After (seconds) of a 503: a restarting or failing-over
// database is usually back within a few seconds.
const retryAfterUnavailable = "2"

// responseType negotiates the response's media type: application/graphql-response+json when
// the Accept header lists it (with a non-zero q), else application/json, which is also what
// a request without Accept gets (as the GraphQL-over-HTTP spec asks, for older clients).
func responseType(r *http.Request) string {
	if accepts(r, mediaGraphQLResponse) {
		return mediaGraphQLResponse
	}
	return mediaJSON
}

// accepts reports whether r's Accept header lists media (exactly, not through a wildcard).
func accepts(r *http.Request, media string) bool {
	for _, header := range r.Header.Values("Accept") {
		if !containsFold(header, media) {
			continue // the media type is not in this header: nothing to parse
		}
		for part := range strings.SplitSeq(header, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || !strings.EqualFold(mt, media) {
				continue
			}
			if q, ok := params["q"]; ok {
				if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
					continue
				}
			}
			return true
		}
	}
	return false
}

// containsFold reports whether substr is within s, ASCII case-insensitively (media types are
// ASCII tokens), without lowering a copy of s.
func containsFold(s, substr string) bool {
	for i := 0; i+len(substr) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(substr)], substr) {
			return true
		}
	}
	return false
}

// errorBody is a response without a result: the spec's request errors carry no data key.
type errorBody struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeGraphQL writes a GraphQL response body with the negotiated media type. A 503 carries
// Retry-After. An executed operation's *graphql.Response is written by writeResponse, which
// copies the executor's data once instead of re-scanning it; anything else (the refusals'
// errorBody) goes through encoding/json.
func writeGraphQL(w http.ResponseWriter, r *http.Request, status int, body any) {
	h := w.Header()
	if responseType(r) == mediaGraphQLResponse {
		h["Content-Type"] = graphQLResponseType
	} else {
		h["Content-Type"] = jsonResponseType
	}
	if status == http.StatusServiceUnavailable && h.Get("Retry-After") == "" {
		h.Set("Retry-After", retryAfterUnavailable)
	}
	w.WriteHeader(status)
	if resp, ok := body.(*graphql.Response); ok {
		writeResponse(w, resp)
		return
	}
	_ = json.NewEncoder(w).Encode(body)
}

// preferences are the q-values a request's Accept header gives the response types /graphql
// can produce: the best of the two JSON types and the event stream (0: not acceptable).
type preferences struct{ json, stream float64 }

// acceptPreferences reads the Accept header. No header (or an empty one) accepts JSON (the GraphQL-over-HTTP
// spec's default for older clients); wildcards accept JSON but never choose a stream, which
// a client must ask for by name. An exact type overrides a wildcard whatever their order.
func acceptPreferences(r *http.Request) preferences {
	var p preferences
	wild, exactJSON, listed := 0.0, false, false
	for _, header := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(header, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			listed = true
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
					continue
				}
			}
			switch mt {
			case mediaGraphQLResponse, mediaJSON:
				if !exactJSON || q > p.json {
					p.json = q
				}
				exactJSON = true
			case mediaEventStream:
				p.stream = q
			case "*/*", "application/*":
				wild = max(wild, q)
			}
		}
	}
	switch {
	case !listed: // no Accept, or an empty one
		p.json = 1
	case !exactJSON:
		p.json = wild
	}
	return p
}

// chooseStream decides, once per request, whether /graphql answers with an event stream
// (true) or with one JSON response: a subscription streams when the client accepts a stream;
// any other operation streams only when text/event-stream is the only acceptable type or has
// a higher q than every JSON type. What no transport can produce is refused with a code:
// a subscription without a stream (400), and a request that accepts neither JSON nor a
// stream it can be given (406). Event streams answer POST requests only.
func chooseStream(r *http.Request, op ast.Operation) (bool, *apperr.Error) {
	p := acceptPreferences(r)
	canStream := p.stream > 0 && r.Method == http.MethodPost
	if op == ast.Subscription {
		if canStream {
			return true, nil
		}
		return false, badRequest("subscriptions are not served over plain HTTP: use the graphql-transport-ws websocket " +
			"at /graphql, or POST with Accept: text/event-stream")
	}
	if canStream && p.stream > p.json {
		return true, nil
	}
	if p.json > 0 {
		return false, nil
	}
	msg := "/graphql answers application/graphql-response+json or application/json: list one of them in Accept"
	if p.stream > 0 {
		msg = "text/event-stream is served to POST requests: POST the operation, or accept application/json"
	}
	return false, &apperr.Error{Code: apperr.ENOTACCEPT, Message: msg}
}
