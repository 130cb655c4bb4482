package httpapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// TestWebsocketOperationsGetTheCheapPass: an oversized document subscribed over the websocket
// is refused by the same cheap pass as over HTTP (400-equivalent QUERY_TOO_COMPLEX with its
// reason, as an error message for that operation), not parsed and validated in full; the
// connection stays usable for the next operation.
func TestWebsocketOperationsGetTheCheapPass(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	srv := httptest.NewServer(env.Handler)
	defer srv.Close()
	ws := env.Workspace(t, "Sockets", models.PlanOrg)
	key := env.Key(t, ws, "read,lexi")

	c := wsDial(t, srv, map[string]any{"Authorization": "Bearer " + key})
	if m := c.next(); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %s %s", m.Type, m.Payload)
	}
	deep := "subscription { lexiTaskUpdated { id " + strings.Repeat("... on LexiTask { ", 20) + "id" + strings.Repeat(" }", 20) + " } }"
	for _, tc := range []struct{ id, query, reason string }{
		{"1", "subscription { lexiTaskUpdated { " + strings.Repeat("id ", 2500) + "} }", "FIELDS"},
		{"2", "subscription { lexiTaskUpdated { " + strings.Repeat("__typename ", 7000) + "} }", "FIELDS"},
		{"3", "subscription { lexiTaskUpdated { id " + strings.Repeat("a: id ", 8000) + "} }", "TOKENS"},
		{"4", deep, "DEPTH"},
	} {
		c.subscribe(tc.id, tc.query)
		// gqlgen answers a refused operation with one result carrying the errors, then ends it.
		m := c.next()
		if m.ID != tc.id || m.Type != "next" {
			t.Fatalf("operation %s: want its refusal, got %s %s %.200s", tc.id, m.Type, m.ID, m.Payload)
		}
		var result struct {
			Errors []struct {
				Extensions struct {
					Code   string `json:"code"`
					Reason string `json:"reason"`
				} `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(m.Payload, &result); err != nil || len(result.Errors) != 1 {
			t.Fatalf("operation %s: payload %.300s (%v)", tc.id, m.Payload, err)
		}
		if got := result.Errors[0].Extensions; got.Code != "QUERY_TOO_COMPLEX" || got.Reason != tc.reason {
			t.Errorf("operation %s: extensions %+v, want QUERY_TOO_COMPLEX / %s", tc.id, got, tc.reason)
		}
		if m := c.next(); m.ID != tc.id || m.Type != "complete" {
			t.Fatalf("operation %s: want complete, got %s %s", tc.id, m.Type, m.ID)
		}
	}
}
