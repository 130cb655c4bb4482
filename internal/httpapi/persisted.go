package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/apq"
	"github.com/wbk/crm/internal/cost"
)

// persistedQueryNotFound is the code of an unknown hash; Apollo's PersistedQueryLink reacts
// to it by sending the query text.
const persistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"

func init() {
	// gqlgen leaves the code unregistered, which its transports answer with 200; state it.
	errcode.RegisterErrorType(persistedQueryNotFound, errcode.KindUser)
}

// persistedQueries is Apollo's automatic persisted queries: a request with
// extensions.persistedQuery and no query runs the document registered under its hash, or
// answers PERSISTED_QUERY_NOT_FOUND (200, the client's normal first step); a request with
// both registers the document. Every other APQ failure (a hash that does not match the text,
// an unsupported version, a malformed extension) is the client's mistake: BAD_REQUEST, 400.
//
// A registration stores only what is worth keeping: a document that parsed and passed the
// cheap pre-check (so one that will be priced and charged), of at most apq.MaxDocumentBytes,
// all of it text. Anything else still runs (or is refused) as sent, and is not remembered;
// with the cache bounded in bytes, no client can make the server keep what it never ran.
type persistedQueries struct {
	api   *API
	cache graphql.Cache[string]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = persistedQueries{}

func (persistedQueries) ExtensionName() string                   { return "AutomaticPersistedQuery" }
func (persistedQueries) Validate(graphql.ExecutableSchema) error { return nil }

func (p persistedQueries) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	ext, ok := raw.Extensions["persistedQuery"]
	if !ok || ext == nil {
		return nil
	}
	fields, ok := ext.(map[string]any)
	if !ok {
		return apqRefusal("extensions.persistedQuery must be an object")
	}
	if !isVersionOne(fields["version"]) {
		return apqRefusal("unsupported persisted query version: send version 1")
	}
	hash, ok := fields["sha256Hash"].(string)
	if !ok || hash == "" {
		return apqRefusal("extensions.persistedQuery.sha256Hash must be a string")
	}
	sent := raw.Query != ""
	if !sent {
		q, ok := p.cache.Get(ctx, hash)
		if !ok {
			err := gqlerror.Errorf("PersistedQueryNotFound")
			errcode.Set(err, persistedQueryNotFound)
			return err
		}
		raw.Query = q
	} else if markedText(ctx) == nil {
		// A document that was not all text was changed by the decoder: its hash cannot match,
		// and it is refused anyway (the text gate), so it is neither checked nor kept.
		sum := sha256.Sum256([]byte(raw.Query))
		if hex.EncodeToString(sum[:]) != hash {
			return apqRefusal("the sha256Hash does not match the query")
		}
		if p.worthKeeping(ctx, raw.Query) {
			p.cache.Add(ctx, hash, raw.Query)
		}
	}
	if oc := graphql.GetOperationContext(ctx); oc != nil {
		oc.Stats.SetExtension("APQ", &extension.ApqStats{Hash: hash, SentQuery: sent})
	}
	return nil
}

// worthKeeping: small enough, and parsed and within the cheap limits (the decoder's pass,
// cached by text, so this costs nothing more for a request that made it this far).
func (p persistedQueries) worthKeeping(ctx context.Context, query string) bool {
	if len(query) > apq.MaxDocumentBytes {
		return false
	}
	shape := p.api.shapeOf(ctx, query)
	return shape.Parsed && shape.Refused == cost.ReasonNone
}

func isVersionOne(v any) bool {
	switch n := v.(type) {
	case json.Number:
		return n.String() == "1"
	case float64:
		return n == 1
	case int:
		return n == 1
	case int64:
		return n == 1
	}
	return false
}

func apqRefusal(msg string) *gqlerror.Error {
	e := &apperr.Error{Code: apperr.EBADREQUEST, Message: "persisted query: " + msg}
	return &gqlerror.Error{Message: e.Message, Err: e}
}
