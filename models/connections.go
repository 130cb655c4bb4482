package models

import "context"

// Page sizes: a connection returns DefaultPageSize items unless asked, never more than MaxPageSize.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// PageSize is the number of items a connection asked for first or last returns at most:
// first or last, else DefaultPageSize, within [0, MaxPageSize]. The store reads a page by
// this rule and the cost calculation (internal/cost) prices every connection by it.
func PageSize(first, last *int) int {
	n := DefaultPageSize
	switch {
	case first != nil:
		n = *first
	case last != nil:
		n = *last
	}
	return min(max(n, 0), MaxPageSize)
}

func nodesOf[E, N any](edges []E, node func(E) N) []N {
	out := make([]N, len(edges))
	for i, e := range edges {
		out[i] = node(e)
	}
	return out
}

// Counter computes a connection's totalCount only when a query asks for it.
type Counter func(ctx context.Context) (int, error)

// Exactness reports whether a connection's totalCount is exact or stopped at a cap; nil
// means exact.
type Exactness func(ctx context.Context) (bool, error)

func exact(ctx context.Context, e Exactness) (bool, error) {
	if e == nil {
		return true, nil
	}
	return e(ctx)
}

type ContactEdge struct {
	Cursor string
	Node   *Contact
}

type ContactConnection struct {
	Edges    []*ContactEdge
	PageInfo *PageInfo
	Count    Counter   `json:"-"`
	Exact    Exactness `json:"-"`
}

func (c *ContactConnection) Nodes() []*Contact {
	return nodesOf(c.Edges, func(e *ContactEdge) *Contact { return e.Node })
}

func (c *ContactConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

func (c *ContactConnection) TotalCountIsExact(ctx context.Context) (bool, error) {
	return exact(ctx, c.Exact)
}

type ListEdge struct {
	Cursor string
	Node   *List
}

type ListConnection struct {
	Edges    []*ListEdge
	PageInfo *PageInfo
	Count    Counter   `json:"-"`
	Exact    Exactness `json:"-"`
}

func (c *ListConnection) Nodes() []*List {
	return nodesOf(c.Edges, func(e *ListEdge) *List { return e.Node })
}

func (c *ListConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

func (c *ListConnection) TotalCountIsExact(ctx context.Context) (bool, error) {
	return exact(ctx, c.Exact)
}

type CampaignEdge struct {
	Cursor string
	Node   *Campaign
}

type CampaignConnection struct {
	Edges    []*CampaignEdge
	PageInfo *PageInfo
	Count    Counter   `json:"-"`
	Exact    Exactness `json:"-"`
}

func (c *CampaignConnection) Nodes() []*Campaign {
	return nodesOf(c.Edges, func(e *CampaignEdge) *Campaign { return e.Node })
}

func (c *CampaignConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

func (c *CampaignConnection) TotalCountIsExact(ctx context.Context) (bool, error) {
	return exact(ctx, c.Exact)
}

type DealEdge struct {
	Cursor string
	Node   *Deal
}

type DealConnection struct {
	Edges    []*DealEdge
	PageInfo *PageInfo
	Count    Counter   `json:"-"`
	Exact    Exactness `json:"-"`
}

func (c *DealConnection) Nodes() []*Deal {
	return nodesOf(c.Edges, func(e *DealEdge) *Deal { return e.Node })
}

func (c *DealConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

func (c *DealConnection) TotalCountIsExact(ctx context.Context) (bool, error) {
	return exact(ctx, c.Exact)
}

type ProspectEdge struct {
	Cursor string
	Node   *Prospect
}

type ProspectConnection struct {
	Edges    []*ProspectEdge
	PageInfo *PageInfo
	Count    Counter   `json:"-"`
	Exact    Exactness `json:"-"`
}

func (c *ProspectConnection) Nodes() []*Prospect {
	return nodesOf(c.Edges, func(e *ProspectEdge) *Prospect { return e.Node })
}

func (c *ProspectConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

func (c *ProspectConnection) TotalCountIsExact(ctx context.Context) (bool, error) {
	return exact(ctx, c.Exact)
}
