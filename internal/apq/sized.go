package apq

import (
	"container/list"
	"context"
	"sync"
)

// Sized is an LRU bounded in bytes, not entries: what one entry costs varies by orders of
// magnitude (a 200-byte query and a 60 KB one), so a count bounds nothing. Size estimates
// what an entry keeps alive; an entry larger than the whole budget is not kept.
type Sized[T any] struct {
	max  int64
	size func(key string, value T) int64

	mu    sync.Mutex
	used  int64
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type sizedEntry[T any] struct {
	key   string
	value T
	size  int64
}

// NewSized returns an LRU that keeps entries while their sizes add up to at most maxBytes.
func NewSized[T any](maxBytes int64, size func(key string, value T) int64) *Sized[T] {
	return &Sized[T]{max: maxBytes, size: size, order: list.New(), items: map[string]*list.Element{}}
}

// Get implements graphql.Cache.
func (c *Sized[T]) Get(_ context.Context, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*sizedEntry[T]).value, true
	}
	var zero T
	return zero, false
}

// Add implements graphql.Cache: the entry is kept, and the least recently used ones are
// dropped until the cache is within its budget again.
func (c *Sized[T]) Add(_ context.Context, key string, value T) {
	n := c.size(key, value)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.remove(e)
	}
	if n > c.max {
		return
	}
	c.items[key] = c.order.PushFront(&sizedEntry[T]{key: key, value: value, size: n})
	c.used += n
	for c.used > c.max {
		c.remove(c.order.Back())
	}
}

func (c *Sized[T]) remove(e *list.Element) {
	entry := e.Value.(*sizedEntry[T])
	c.order.Remove(e)
	delete(c.items, entry.key)
	c.used -= entry.size
}

// Bytes is what the entries kept add up to.
func (c *Sized[T]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// Len is the number of entries kept.
func (c *Sized[T]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
