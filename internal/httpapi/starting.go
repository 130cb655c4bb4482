package httpapi

import (
	"net/http"

	"github.com/wbk/crm/internal/apperr"
)

// Starting is the handler of a server whose database has not answered yet: it is alive
// (/healthz 200) but not ready (/readyz 503), and every other request is 503
// SERVICE_UNAVAILABLE with Retry-After, in the negotiated media type.
func Starting() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", retryAfterUnavailable)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting", "database": "down"})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, &apperr.Error{Code: apperr.EUNAVAILABLE,
			Message: "the server is starting: its database does not answer yet, try again shortly"})
	})
	return mux
}
