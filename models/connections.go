package models

import "context"

// Counter computes a connection's totalCount only when a query asks for it.
type Counter func(ctx context.Context) (int, error)

type ContactEdge struct {
	Cursor string
	Node   *Contact
}

type ContactConnection struct {
	Edges    []*ContactEdge
	PageInfo *PageInfo
	Count    Counter `json:"-"`
}

func (c *ContactConnection) Nodes() []*Contact {
	out := make([]*Contact, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

func (c *ContactConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type ListEdge struct {
	Cursor string
	Node   *List
}

type ListConnection struct {
	Edges    []*ListEdge
	PageInfo *PageInfo
	Count    Counter `json:"-"`
}

func (c *ListConnection) Nodes() []*List {
	out := make([]*List, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

func (c *ListConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type CampaignEdge struct {
	Cursor string
	Node   *Campaign
}

type CampaignConnection struct {
	Edges    []*CampaignEdge
	PageInfo *PageInfo
	Count    Counter `json:"-"`
}

func (c *CampaignConnection) Nodes() []*Campaign {
	out := make([]*Campaign, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

func (c *CampaignConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type DealEdge struct {
	Cursor string
	Node   *Deal
}

type DealConnection struct {
	Edges    []*DealEdge
	PageInfo *PageInfo
	Count    Counter `json:"-"`
}

func (c *DealConnection) Nodes() []*Deal {
	out := make([]*Deal, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

func (c *DealConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type ProspectEdge struct {
	Cursor string
	Node   *Prospect
}

type ProspectConnection struct {
	Edges    []*ProspectEdge
	PageInfo *PageInfo
	Count    Counter `json:"-"`
}

func (c *ProspectConnection) Nodes() []*Prospect {
	out := make([]*Prospect, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

func (c *ProspectConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }
