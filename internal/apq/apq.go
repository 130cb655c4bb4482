// Package apq stores the documents of Apollo's automatic persisted queries (APQ): the query
// text by its SHA-256. The persisted-query extension (internal/httpapi) checks hashes, asks
// this cache and decides what is worth keeping; a hash unknown to it answers
// PERSISTED_QUERY_NOT_FOUND and the client sends the text. In memory the documents are an
// LRU bounded in bytes.
package apq

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/redis/go-redis/v9"

	"github.com/wbk/crm/internal/telemetry"
)

// DefaultCacheBytes bounds the documents one instance keeps in memory (APQ_CACHE_BYTES).
const DefaultCacheBytes = 32 << 20

// MaxDocumentBytes is the largest document a registration stores. Larger documents still
// run when their text is sent; they are only not remembered, so one client cannot fill the
// cache with a few huge documents.
const MaxDocumentBytes = 64 << 10

// entryOverhead is what an entry costs beyond its hash and text: the list element, the map
// slot and the strings' headers.
const entryOverhead = 160

// TTL is how long a registered document stays in Redis after its last registration. Clients
// re-register (send the text again) whenever a hash is unknown, so expiry only costs one
// round trip.
const TTL = 24 * time.Hour

// redisTimeout bounds a Redis call on the request path; a slow Redis makes APQ fall back to
// this instance's memory, never delays the request by more.
const redisTimeout = 100 * time.Millisecond

// NewLocal is the cache of one instance: an LRU of at most maxBytes (DefaultCacheBytes when
// maxBytes is 0).
func NewLocal(maxBytes int64) *Sized[string] {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	return NewSized(maxBytes, func(hash, query string) int64 {
		return int64(len(hash) + len(query) + entryOverhead)
	})
}

// Redis shares documents between instances, with a local LRU in front of it. Redis faults
// are logged and degrade to the local cache: a document registered while Redis was away is
// only known to the instance that saw it, and the client re-registers on a miss elsewhere.
type Redis struct {
	client *redis.Client
	prefix string
	local  graphql.Cache[string]
	log    *slog.Logger
}

// NewRedis connects to url (redis://…). prefix namespaces the keys ("" is "crm:apq:");
// localBytes bounds the local LRU in front of Redis (0: DefaultCacheBytes).
func NewRedis(url, prefix string, localBytes int64, log *slog.Logger) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	if prefix == "" {
		prefix = "crm:apq:"
	}
	if log == nil {
		log = slog.Default()
	}
	client := redis.NewClient(opts)
	if err := telemetry.Redis(client); err != nil {
		return nil, err
	}
	return &Redis{client: client, prefix: prefix, local: NewLocal(localBytes), log: log}, nil
}

// Close closes the Redis connection pool.
func (c *Redis) Close() error { return c.client.Close() }

// Get implements graphql.Cache.
func (c *Redis) Get(ctx context.Context, hash string) (string, bool) {
	if q, ok := c.local.Get(ctx, hash); ok {
		return q, true
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	q, err := c.client.Get(rctx, c.prefix+hash).Result()
	if err != nil {
		if err != redis.Nil {
			c.log.WarnContext(ctx, "apq: redis get failed, using this instance's cache", "err", err)
		}
		return "", false
	}
	c.local.Add(ctx, hash, q)
	return q, true
}

// Add implements graphql.Cache. The persisted-query extension calls it only for a document
// whose hash it checked and that it decided to keep.
func (c *Redis) Add(ctx context.Context, hash, query string) {
	c.local.Add(ctx, hash, query)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	if err := c.client.Set(rctx, c.prefix+hash, query, TTL).Err(); err != nil {
		c.log.WarnContext(ctx, "apq: redis set failed, document kept in this instance only", "err", err)
	}
}
