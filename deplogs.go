package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// installDependencyLoggers sends what dependencies log through log, so that every line on
// stderr is one JSON object: go-redis has a logger of its own (plain text on stderr by
// default), and anything that writes through the standard library's log package (database
// drivers, net/http's internals) reaches slog's default, which becomes log.
func installDependencyLoggers(log *slog.Logger) {
	slog.SetDefault(log)
	redis.SetLogger(redisLog{log: log.With("component", "redis")})
}

// redisLog is go-redis's logger on slog: its messages report connection trouble, worth a
// warning.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, strings.TrimSpace(fmt.Sprintf(format, v...)))
}
