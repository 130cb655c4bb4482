package httpapi

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
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
