// Package reqinfo carries what the layers under the HTTP surface learn about a request — the
// route that served it, the GraphQL operation it ran, its charge and the key's display
// prefix — up to the one middleware that writes its log line and counts it in the metrics.
package reqinfo

import "context"

// Info is one request as its log line and metrics describe it. The handler that serves the
// request fills it in; the middleware that made it reads it once the handler has returned.
type Info struct {
	Route     string // the route pattern, e.g. /v1/contacts/{id}; "" leaves it to the mux
	Operation string // the GraphQL root fields it ran, e.g. "contacts"
	Key       string // the API key's display prefix, never the key
	Cost      int64  // what the rate limiter charged
}

type key struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the Info of ctx's request, or nil outside one (a websocket's operations, a test
// calling a handler directly).
func From(ctx context.Context) *Info {
	info, _ := ctx.Value(key{}).(*Info)
	return info
}
