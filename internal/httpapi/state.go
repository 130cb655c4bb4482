package httpapi

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// requestState is what one /graphql request learns while gqlgen runs it: the status its
// errors call for, which root fields it ran (for metrics and logs), and the display prefix
// of the key that authenticated it (for logs; never the key itself).
type requestState struct {
	mu        sync.Mutex
	status    int
	operation string
	keyPrefix string
}

type stateKey struct{}

func withState(ctx context.Context, s *requestState) context.Context {
	return context.WithValue(ctx, stateKey{}, s)
}

func stateFrom(ctx context.Context) *requestState {
	s, _ := ctx.Value(stateKey{}).(*requestState)
	return s
}

// setStatus keeps the first non-200 status: the error that stopped the request.
func (s *requestState) setStatus(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status == 0 && code != http.StatusOK {
		s.status = code
	}
}

func (s *requestState) setKeyPrefix(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyPrefix = prefix
}

func (s *requestState) getKeyPrefix() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyPrefix
}

func (s *requestState) get() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status, s.operation
}

// operationRecorder names the operation by its root fields ("contacts", "createContact,
// createDeal"): bounded by the schema, unlike client-chosen operation names.
type operationRecorder struct{}

func (operationRecorder) ExtensionName() string                   { return "OperationRecorder" }
func (operationRecorder) Validate(graphql.ExecutableSchema) error { return nil }
func (operationRecorder) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if s := stateFrom(ctx); s != nil && oc.Operation != nil {
		names := RootFields(oc.Operation.SelectionSet)
		s.mu.Lock()
		s.operation = strings.Join(names, ",")
		s.mu.Unlock()
	}
	return nil
}

// RootFields lists the distinct root field names an operation selects, fragments included.
func RootFields(set ast.SelectionSet) []string {
	var names []string
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if !seen[s.Name] {
					seen[s.Name] = true
					names = append(names, s.Name)
				}
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil {
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	walk(set)
	return names
}

// statusWriter holds back the status line until the body starts, so that an error that
// gqlgen reports after choosing its status (a 403 from the permission gate, say) still sets
// the status the contract gives it.
type statusWriter struct {
	http.ResponseWriter
	state       *requestState
	code        int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader && w.code == 0 {
		w.code = code
	}
}

func (w *statusWriter) flushHeader() {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	code := w.code
	if code == 0 {
		code = http.StatusOK
	}
	if s, _ := w.state.get(); s != 0 {
		code = s
	}
	w.code = code
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="graphql"`)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.flushHeader()
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	w.flushHeader()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
