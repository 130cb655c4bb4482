package rest_test

import (
	"strings"
	"testing"
)

// TestWebhookRoutes: the /v1/webhooks routes run the webhook operations, answer what
// openapi.json declares, and refuse what GraphQL refuses.
func TestWebhookRoutes(t *testing.T) {
	a := newAPI(t)
	ws, key := a.env.Tenant(t, "Hooks")
	readKey := a.env.Key(t, ws, "read")
	_, otherKey := a.env.Tenant(t, "Other")

	type endpoint struct {
		ID      string
		URL     string
		Events  []string
		Enabled bool
	}
	created := doc[struct {
		Endpoint endpoint
		Secret   string
	}](t, a.call(t, key, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/crm",
		"events": []string{"contact.created", "deal.stage_changed"}, "description": "CRM sync"}).must(t, 201)).Data
	if !strings.HasPrefix(created.Secret, "whsec_") || created.Endpoint.ID == "" || !created.Endpoint.Enabled {
		t.Fatalf("created: %+v", created)
	}
	id := created.Endpoint.ID
	list := a.call(t, readKey, "GET", "/v1/webhooks?limit=10", nil).must(t, 200)
	if strings.Contains(string(list.Raw), created.Secret) || !strings.Contains(string(list.Raw), id) {
		t.Errorf("list: %s", list.Raw)
	}
	patched := doc[endpoint](t, a.call(t, key, "PATCH", "/v1/webhooks/"+id, map[string]any{"events": []string{"list.created"}}).must(t, 200)).Data
	if len(patched.Events) != 1 || patched.Events[0] != "list.created" {
		t.Errorf("patched: %+v", patched)
	}
	rotated := doc[struct{ Secret string }](t, a.call(t, key, "POST", "/v1/webhooks/"+id+"/rotate-secret", nil).must(t, 200)).Data
	if rotated.Secret == created.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") {
		t.Errorf("rotated: %+v", rotated)
	}
	type delivery struct {
		ID        string
		EventType string `json:"event_type"`
		Status    string
	}
	test := doc[delivery](t, a.call(t, key, "POST", "/v1/webhooks/"+id+"/test", nil).must(t, 202)).Data
	if test.EventType != "webhook.test" || test.Status != "PENDING" {
		t.Errorf("test: %+v", test)
	}
	log := doc[[]delivery](t, a.call(t, readKey, "GET", "/v1/webhooks/"+id+"/deliveries?status=pending", nil).must(t, 200)).Data
	if len(log) != 1 || log[0].ID != test.ID {
		t.Errorf("deliveries: %+v", log)
	}
	a.call(t, key, "POST", "/v1/webhook-deliveries/"+test.ID+"/redeliver", nil).must(t, 200)

	refusals := []struct {
		key, method, path string
		body              any
		status            int
		code, field       string
	}{
		{key, "POST", "/v1/webhooks", map[string]any{"url": "http://hooks.example.com", "events": []string{"contact.created"}}, 400, "BAD_USER_INPUT", "url"},
		{key, "POST", "/v1/webhooks", map[string]any{"url": "https://169.254.169.254/", "events": []string{"contact.created"}}, 400, "BAD_USER_INPUT", "url"},
		{key, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com", "events": []string{"contact.exploded"}}, 400, "BAD_USER_INPUT", "events"},
		{key, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com", "events": []string{}}, 400, "BAD_USER_INPUT", "events"},
		{readKey, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com", "events": []string{"contact.created"}}, 403, "FORBIDDEN", ""},
		{otherKey, "PATCH", "/v1/webhooks/" + id, map[string]any{"enabled": false}, 404, "NOT_FOUND", ""},
		{otherKey, "GET", "/v1/webhooks/" + id + "/deliveries", nil, 404, "NOT_FOUND", ""},
		{otherKey, "POST", "/v1/webhook-deliveries/" + test.ID + "/redeliver", nil, 404, "NOT_FOUND", ""},
	}
	for _, r := range refusals {
		got := a.call(t, r.key, r.method, r.path, r.body)
		e := doc[any](t, got).Error
		if got.Status != r.status || e.Code != r.code || (r.field != "" && e.Field != r.field) {
			t.Errorf("%s %s %v: %d %s", r.method, r.path, r.body, got.Status, got.Raw)
		}
	}
	a.call(t, key, "DELETE", "/v1/webhooks/"+id, nil).must(t, 200)
	if d := doc[[]endpoint](t, a.call(t, key, "GET", "/v1/webhooks", nil).must(t, 200)).Data; len(d) != 0 {
		t.Errorf("after delete: %+v", d)
	}
}
