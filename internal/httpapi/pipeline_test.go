package httpapi

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// The pipeline's order is what keeps its promises: no document is looked at without a key, a
// forbidden operation is neither priced nor charged, nothing is charged that was not priced,
// a refused call still counts in usage, and nothing runs that was not charged.
func TestPipelineOrder(t *testing.T) {
	var names []string
	for _, s := range (&API{}).pipeline() {
		names = append(names, s.name)
	}
	// Each stage must come before the next one in this list.
	want := []string{"options and websocket", "request state", "envelope", "body limit", "key", "usage",
		"decode", "idempotency", "persisted queries", "socket shape", "parse and validate", "operation",
		"permission", "price", "limit", "direct reads", "execution"}
	at := -1
	for _, name := range want {
		i := slices.Index(names, name)
		if i < 0 {
			t.Fatalf("the pipeline has no stage %q: %v", name, names)
		}
		if i < at {
			t.Errorf("stage %q comes before %q: the pipeline is %v", name, want[slices.Index(want, name)-1], names)
		}
		at = i
	}
	if names[len(names)-1] != "execution" {
		t.Errorf("the last stage is %q, want execution: %v", names[len(names)-1], names)
	}
}

// recordingServer records the operation stages the pipeline registers, in order.
type recordingServer struct {
	http.Handler
	used []graphql.HandlerExtension
}

func (s *recordingServer) Use(e graphql.HandlerExtension) { s.used = append(s.used, e) }

// The executor is given the operation stages in the list's order: the list is the chain.
func TestPipelineBuildsTheChainInListOrder(t *testing.T) {
	a := &API{cfg: Config{PerOperation: func(ctx context.Context) context.Context { return ctx }}}
	srv := &recordingServer{Handler: http.NotFoundHandler()}
	a.buildPipeline(srv)
	var want []string
	for _, s := range a.pipeline() {
		if s.operation != nil {
			want = append(want, s.operation.ExtensionName())
		}
	}
	var got []string
	for _, e := range srv.used {
		got = append(got, e.ExtensionName())
	}
	if !slices.Equal(got, want) || len(got) < 8 {
		t.Errorf("the executor got the extensions\n%v\nwant, in the pipeline's order,\n%v", got, want)
	}
	if i, j := slices.Index(got, "PermissionGate"), slices.Index(got, "Price"); i < 0 || j < i {
		t.Errorf("the permission gate (%d) must be registered before the price (%d): %v", i, j, got)
	}
	if i, j := slices.Index(got, "Price"), slices.Index(got, "RateLimit"); i < 0 || j < i {
		t.Errorf("the price (%d) must be registered before the limit (%d): %v", i, j, got)
	}
}
