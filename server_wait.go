package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/wbk/crm/internal/httpapi"
	"github.com/wbk/crm/internal/store"
)

// Backoff between attempts to reach the database at start.
const (
	startRetryFirst = 500 * time.Millisecond
	startRetryMax   = 15 * time.Second
)

// openStoreWhenReachable opens (and migrates) the store. If the database does not answer, it
// does not give up: it serves ln, the server's listener, at once with httpapi.Starting
// (/healthz 200, /readyz 503, everything else 503) and retries with exponential backoff
// until the database answers or ctx ends, then hands ln back open for the real server.
func (c *cli) openStoreWhenReachable(ctx context.Context, ln net.Listener) (*store.Store, error) {
	setup := context.WithoutCancel(ctx)
	st, err := c.openStore(setup)
	if err == nil || c.cfg.DatabaseURL == "" { // the embedded database has nothing to wait for
		return st, err
	}
	if store.Permanent(err) {
		return nil, fmt.Errorf("database: %w (check DATABASE_URL)", err)
	}
	tcp := ln.(*net.TCPListener)
	starting := &http.Server{Handler: httpapi.Starting(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = starting.Serve(keepOpen{tcp})
	}()
	stop := func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = starting.Shutdown(shutdown)
		<-served
		_ = tcp.SetDeadline(time.Time{}) // the real server accepts on it from now on
	}
	delay := startRetryFirst
	for {
		c.log.Warn("database unavailable at start; retrying", "err", err, "retry_in_ms", delay.Milliseconds())
		select {
		case <-ctx.Done():
			stop()
			return nil, errors.Join(ctx.Err(), err)
		case <-time.After(delay):
		}
		if st, err = c.openStore(setup); err == nil {
			stop()
			c.log.Info("database reachable")
			return st, nil
		}
		if store.Permanent(err) { // the database answered now, and said no
			stop()
			return nil, fmt.Errorf("database: %w (check DATABASE_URL)", err)
		}
		delay = min(2*delay, startRetryMax)
	}
}

// keepOpen lets the starting server stop serving without closing the listener that the
// real server takes over: "closing" it only ends the pending Accept (a deadline in the past),
// after which the shutting-down server returns.
type keepOpen struct{ *net.TCPListener }

func (k keepOpen) Close() error { return k.SetDeadline(time.Now()) }

// parseRequestTimeout reads REQUEST_TIMEOUT: "" is the default, "15" is seconds, "1500ms" a
// Go duration.
func parseRequestTimeout(v string) (time.Duration, error) {
	if v == "" {
		return httpapi.DefaultRequestTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		if n, nerr := strconv.Atoi(v); nerr == nil {
			d, err = time.Duration(n)*time.Second, nil
		}
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("REQUEST_TIMEOUT must be a positive duration such as 10s, got %q", v)
	}
	return d, nil
}
