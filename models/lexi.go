package models

import (
	"context"
	"time"
)

// LexiConversation groups the messages of one chat with Lexi.
type LexiConversation struct {
	ID          string `gorm:"primaryKey"`
	WorkspaceID string `json:"-"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// LexiMessage is one turn of a conversation, the user's or Lexi's.
type LexiMessage struct {
	ID             string `gorm:"primaryKey"`
	WorkspaceID    string `json:"-"`
	ConversationID string `json:"-"`
	Role           LexiRole
	Content        string
	CreatedAt      time.Time
}

// LexiTask is a change Lexi proposed. It does nothing until a key holder approves it; its
// Payload holds the action's parameters (JSON) so that approval runs exactly what the title
// and description announced.
type LexiTask struct {
	ID             string `gorm:"primaryKey"`
	WorkspaceID    string `json:"-"`
	ConversationID *string
	Action         LexiAction
	Payload        string `json:"-"`
	Status         LexiTaskStatus
	Title          string
	Description    string
	Result         *string
	Error          *string
	// DecidedBy is the id of the API key that approved or rejected the task.
	DecidedBy *string `json:"-"`
	CreatedAt time.Time
	DecidedAt *time.Time
}

func (t *LexiTask) IsNode()       {}
func (t *LexiTask) GetID() string { return t.ID }

type LexiTaskEdge struct {
	Cursor string
	Node   *LexiTask
}

type LexiTaskConnection struct {
	Edges    []*LexiTaskEdge
	PageInfo *PageInfo
	Count    Counter   `json:"-"`
	Exact    Exactness `json:"-"`
}

func (c *LexiTaskConnection) Nodes() []*LexiTask {
	return nodesOf(c.Edges, func(e *LexiTaskEdge) *LexiTask { return e.Node })
}

func (c *LexiTaskConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

func (c *LexiTaskConnection) TotalCountIsExact(ctx context.Context) (bool, error) {
	return exact(ctx, c.Exact)
}
