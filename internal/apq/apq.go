// Package apq stores the documents of Apollo's automatic persisted queries (APQ): the query
// text by its SHA-256. gqlgen's extension.AutomaticPersistedQuery checks hashes and asks this
// cache; a hash unknown to it answers PERSISTED_QUERY_NOT_FOUND and the client sends the text.
package apq

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"
)

// LocalSize bounds the documents kept in process memory.
const LocalSize = 1000

// TTL is how long a registered document stays in Redis after its last registration. Clients
// re-register (send the text again) whenever a hash is unknown, so expiry only costs one
// round trip.
const TTL = 24 * time.Hour

// redisTimeout bounds a Redis call on the request path; a slow Redis makes APQ fall back to
// this instance's memory, never delays the request by more.
const redisTimeout = 100 * time.Millisecond

// NewLocal is the cache of one instance: a bounded LRU.
func NewLocal() graphql.Cache[string] { return lru.New[string](LocalSize) }

// Redis shares documents between instances, with a local LRU in front of it. Redis faults
// are logged and degrade to the local cache: a document registered while Redis was away is
// only known to the instance that saw it, and the client re-registers on a miss elsewhere.
type Redis struct {
	client *redis.Client
	prefix string
	local  graphql.Cache[string]
	log    *slog.Logger
}

// NewRedis connects to url (redis://…). prefix namespaces the keys ("" is "crm:apq:").
func NewRedis(url, prefix string, log *slog.Logger) (*Redis, error) {
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
	return &Redis{client: redis.NewClient(opts), prefix: prefix, local: NewLocal(), log: log}, nil
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

// Add implements graphql.Cache. gqlgen calls it only after checking the hash against the text.
func (c *Redis) Add(ctx context.Context, hash, query string) {
	c.local.Add(ctx, hash, query)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	if err := c.client.Set(rctx, c.prefix+hash, query, TTL).Err(); err != nil {
		c.log.WarnContext(ctx, "apq: redis set failed, document kept in this instance only", "err", err)
	}
}
