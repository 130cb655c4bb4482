package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkProtocolGzip measures the protocol middleware (request id, CORS, cache headers,
// gzip) around a handler that writes a dashboard-sized body in one Write, as writeGraphQL does.
func BenchmarkProtocolGzip(b *testing.B) {
	body := bytes.Repeat([]byte(`{"id":"ct_0123456789","email":"c01@example.com","company":"Acme"},`), 200)
	h := (&API{}).protocol(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", mediaJSON)
		_, _ = w.Write(body)
	}))
	for _, encoding := range []string{"identity", "gzip"} {
		b.Run(encoding, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			req.Header.Set("Authorization", "Bearer x")
			req.Header.Set("Accept-Encoding", encoding)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(discardWriter{header: http.Header{}}, req)
			}
		})
	}
}
