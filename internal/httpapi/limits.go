package httpapi

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/cost"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/usage"
	"github.com/wbk/crm/models"
)

// priceGate prices each operation (internal/cost) and refuses one too complex to run. It
// runs after the permission gate, so a forbidden operation is not priced, and before the
// limit gate, which charges the price it leaves in the request's state.
type priceGate struct{ es graphql.ExecutableSchema }

func (priceGate) ExtensionName() string                   { return "Price" }
func (priceGate) Validate(graphql.ExecutableSchema) error { return nil }

func (g priceGate) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if auth.PrincipalFrom(ctx) == nil {
		return nil // the permission gate refused it already
	}
	estimate := cost.Of(ctx, g.es, oc.Operation, oc.Variables)
	if state := stateOf(ctx, oc); state != nil {
		state.setEstimate(&estimate)
	}
	if estimate.Refused != cost.ReasonNone {
		return asGraphQLError(tooComplex(estimate))
	}
	return nil
}

// limitGate charges the operation's price to the caller's key; a charge over either window
// refuses the operation with 429. A dry run is charged nothing: it keeps only its rateLimit
// fields.
type limitGate struct{ api *API }

func (limitGate) ExtensionName() string                   { return "RateLimit" }
func (limitGate) Validate(graphql.ExecutableSchema) error { return nil }

func (g limitGate) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	p := auth.PrincipalFrom(ctx)
	if p == nil {
		return nil // the permission gate refused it already
	}
	state := stateOf(ctx, oc)
	var estimate *cost.Estimate
	if state != nil {
		estimate = state.estimate.Load()
	}
	if estimate == nil {
		// Nothing runs that was not charged, and nothing is charged that was not priced.
		g.api.cfg.Log.ErrorContext(ctx, "the limit gate found no price: the price gate must run before it")
		return asGraphQLError(&apperr.Error{Code: apperr.EINTERNAL, Message: "internal error"})
	}
	limiter := g.api.cfg.Limiter
	if estimate.DryRun {
		res, err := limiter.Peek(ctx, p.Key.ID, p.Workspace.Plan)
		if err != nil {
			return asGraphQLError(err)
		}
		dry := *res
		state.setRate(&dry)
		oc.Operation = onlyRateLimit(oc.Operation)
		return nil
	}
	res, err := limiter.Charge(ctx, p.Key.ID, p.Workspace.Plan, int64(estimate.Cost))
	if err != nil {
		return asGraphQLError(err)
	}
	state.setRate(res)
	if !res.Allowed() {
		g.api.metrics.rateLimited.WithLabelValues(string(p.Workspace.Plan), res.Exceeded.String()).Inc()
		return asGraphQLError(rateLimited(res))
	}
	return nil
}

// countWebsocketOperation counts a websocket operation (a subscription) in the key's usage:
// HTTP requests are counted when they finish, but a websocket has no request to finish.
func (a *API) countWebsocketOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if stateFrom(ctx) == nil {
		if p := auth.PrincipalFrom(ctx); p != nil {
			if s := stateOf(ctx, graphql.GetOperationContext(ctx)); s != nil {
				sum := s.summary(http.StatusOK)
				a.cfg.Usage.Record(usage.Event{KeyID: p.Key.ID, WorkspaceID: p.Workspace.ID, At: a.cfg.Limiter.Now(),
					Cost: int(sum.charged), Operations: sum.fields})
			}
		}
	}
	return next(ctx)
}

// onlyRateLimit keeps a dry run's rateLimit fields: the rest of the operation is priced but
// does not run. The operation is copied, not changed: the parsed document is cached and
// shared between requests.
func onlyRateLimit(op *ast.OperationDefinition) *ast.OperationDefinition {
	dry := *op
	dry.SelectionSet = nil
	for _, f := range cost.RootFields(op.SelectionSet) {
		if f.Name == "rateLimit" || f.Name == "__typename" {
			dry.SelectionSet = append(dry.SelectionSet, f)
		}
	}
	return &dry
}

func asGraphQLError(err error) *gqlerror.Error {
	return &gqlerror.Error{Message: err.Error(), Err: err}
}

func tooComplex(e cost.Estimate) *apperr.Error {
	msg := fmt.Sprintf("this operation may return %d nodes; the limit is %d: ask for smaller pages", e.Nodes, cost.MaxNodes)
	switch e.Refused {
	case cost.ReasonFields:
		msg = fmt.Sprintf("this operation selects more than %d fields", cost.MaxFields)
	case cost.ReasonDepth:
		msg = fmt.Sprintf("this operation nests deeper than %d levels", cost.MaxDepth)
	}
	return &apperr.Error{Code: apperr.ETOOCOMPLEX, Message: msg, Extensions: map[string]any{
		"cost": e.Cost, "maxCost": cost.MaxCost, "nodes": e.Nodes, "maxNodes": cost.MaxNodes, "reason": string(e.Refused),
	}}
}

func rateLimited(r *ratelimit.Result) *apperr.Error {
	retry := retrySeconds(r.RetryAfter)
	limit := r.Minute.Limit
	if r.Exceeded == ratelimit.WindowDay {
		limit = r.Day.Limit
	}
	msg := fmt.Sprintf("the %s rate limit of this key's %s plan is reached; retry in %d s", r.Exceeded, r.Plan, retry)
	if r.Asked > limit {
		msg = fmt.Sprintf("this operation costs %d, more than the %d per %s of this key's %s plan: ask for smaller pages",
			r.Asked, limit, r.Exceeded, r.Plan)
	}
	return &apperr.Error{Code: apperr.ERATELIMITED, Message: msg,
		Extensions: map[string]any{"window": r.Exceeded.String(), "retryAfter": retry, "cost": r.Asked}}
}

func retrySeconds(d time.Duration) int64 {
	return max(1, int64(math.Ceil(d.Seconds())))
}

// rateLimitHeaders writes the rate-limit headers (docs/api.md) of an authenticated response. A request
// that was not charged (refused earlier, or a dry run) reports its key's windows as they are.
//
// Every response carries them, so they are set with two allocations instead of two or three
// per header: the values are appended to one buffer on the stack and cut from one string,
// their one-element slices from one array.
func (a *API) rateLimitHeaders(h http.Header, state *requestState) {
	res := currentRate(context.Background(), a.cfg.Limiter, state)
	if res == nil {
		return
	}
	now := a.cfg.Limiter.Now()
	day, minute := res.Day, res.Minute
	var ends [len(rateLimitHeaderKeys)]int
	b := make([]byte, 0, 320)
	// The plain numbers, in the order of rateLimitHeaderKeys.
	for i, n := range [...]int64{day.Limit, day.Remaining, day.Used, day.ResetAt.Unix(),
		minute.Limit, minute.Remaining, minute.ResetAt.Unix(), res.Cost} {
		b = strconv.AppendInt(b, n, 10)
		ends[i] = len(b)
	}
	// "day";q=%d;w=86400, "minute";q=%d;w=60
	b = strconv.AppendInt(append(b, `"day";q=`...), day.Limit, 10)
	b = strconv.AppendInt(append(b, `;w=86400, "minute";q=`...), minute.Limit, 10)
	b = append(b, ";w=60"...)
	ends[8] = len(b)
	// "day";r=%d;t=%d, "minute";r=%d;t=%d
	b = strconv.AppendInt(append(b, `"day";r=`...), day.Remaining, 10)
	b = strconv.AppendInt(append(b, ";t="...), secondsUntil(now, day.ResetAt), 10)
	b = strconv.AppendInt(append(b, `, "minute";r=`...), minute.Remaining, 10)
	b = strconv.AppendInt(append(b, ";t="...), secondsUntil(now, minute.ResetAt), 10)
	ends[9] = len(b)
	n := 10
	if res.Exceeded != ratelimit.WindowNone {
		b = strconv.AppendInt(b, retrySeconds(res.RetryAfter), 10)
		ends[10] = len(b)
		n = 11
	}
	text := string(b)
	values := make([]string, n)
	start := 0
	for i := range n {
		values[i] = text[start:ends[i]]
		start = ends[i]
		h[rateLimitHeaderKeys[i]] = values[i : i+1 : i+1] // full: an Add to one cannot reach the next
	}
}

// rateLimitHeaderKeys are the rate-limit headers in the order rateLimitHeaders writes their
// values, in the canonical form Header.Set stores them in (X-RateLimit-Limit is stored, and
// sent, as X-Ratelimit-Limit).
var rateLimitHeaderKeys = [...]string{
	"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Used", "X-Ratelimit-Reset",
	"X-Ratelimit-Minute-Limit", "X-Ratelimit-Minute-Remaining", "X-Ratelimit-Minute-Reset", "X-Ratelimit-Cost",
	"Ratelimit-Policy", "Ratelimit", "Retry-After",
}

func secondsUntil(now, t time.Time) int64 {
	return max(0, int64(math.Ceil(t.Sub(now).Seconds())))
}

// currentRate is the request's charge, or, when it was not charged, a look at the key's
// windows (kept, so that the header and the body agree).
func currentRate(ctx context.Context, limiter *ratelimit.Limiter, state *requestState) *ratelimit.Result {
	if state == nil {
		return nil
	}
	if r := state.getRate(); r != nil {
		return r
	}
	p := state.who()
	if p == nil {
		return nil
	}
	r, err := limiter.Peek(ctx, p.Key.ID, p.Workspace.Plan)
	if err != nil {
		return nil
	}
	state.setRate(r)
	return r
}

// rateLimitExtension adds extensions.rateLimit to every response of an authenticated request.
func (a *API) rateLimitExtension(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if r := currentRate(ctx, a.cfg.Limiter, stateFrom(ctx)); r != nil {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["rateLimit"] = rateLimitDoc(r, reportedCost(ctx, r))
	}
	return resp
}

// reportedCost is the cost a response reports: the charge, or for a dry run the price.
func reportedCost(ctx context.Context, r *ratelimit.Result) int64 {
	if s := stateFrom(ctx); s != nil {
		if price, ok := s.dryRunPrice(); ok {
			return price
		}
	}
	return r.Cost
}

// rateLimitReport is extensions.rateLimit. Its members are in the order encoding/json writes
// the keys of a map (sorted), which is what this document was: the bytes clients see did not
// change when it became a struct, which encodes without sorting keys or boxing each value.
type rateLimitReport struct {
	Cost      int64                 `json:"cost"`
	Limit     int64                 `json:"limit"`
	Minute    rateLimitWindowReport `json:"minute"`
	Remaining int64                 `json:"remaining"`
	ResetAt   string                `json:"resetAt"`
	Used      int64                 `json:"used"`
}

type rateLimitWindowReport struct {
	Limit     int64  `json:"limit"`
	Remaining int64  `json:"remaining"`
	ResetAt   string `json:"resetAt"`
	Used      int64  `json:"used"`
}

func rateLimitDoc(r *ratelimit.Result, cost int64) *rateLimitReport {
	return &rateLimitReport{
		Cost: cost, Limit: r.Day.Limit, Remaining: r.Day.Remaining, Used: r.Day.Used,
		ResetAt: r.Day.ResetAt.UTC().Format(time.RFC3339),
		Minute: rateLimitWindowReport{Limit: r.Minute.Limit, Remaining: r.Minute.Remaining, Used: r.Minute.Used,
			ResetAt: r.Minute.ResetAt.UTC().Format(time.RFC3339)},
	}
}

// RateLimits answers the rateLimit query field from the state of the request that asks:
// the same numbers as its headers and extensions.rateLimit.
type RateLimits struct {
	Limiter *ratelimit.Limiter
}

// Report implements the rateLimit query field.
func (l RateLimits) Report(ctx context.Context) (*models.RateLimit, error) {
	state := stateFrom(ctx)
	r := currentRate(ctx, l.Limiter, state)
	if r == nil { // a websocket operation: no HTTP request state
		p := auth.PrincipalFrom(ctx)
		var err error
		if r, err = l.Limiter.Peek(ctx, p.Key.ID, p.Workspace.Plan); err != nil {
			return nil, err
		}
	}
	return &models.RateLimit{
		Plan: r.Plan, Cost: int(reportedCost(ctx, r)),
		Limit: int(r.Day.Limit), Remaining: int(r.Day.Remaining), Used: int(r.Day.Used), ResetAt: r.Day.ResetAt,
		Minute: &models.RateLimitWindow{Limit: int(r.Minute.Limit), Remaining: int(r.Minute.Remaining),
			Used: int(r.Minute.Used), ResetAt: r.Minute.ResetAt},
	}, nil
}
