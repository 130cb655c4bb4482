package store_test

import (
	"net"
	"testing"
	"time"

	"github.com/wbk/crm/internal/store"
)

// TestOpenGivesUpOnADatabaseThatDoesNotAnswer: a PostgreSQL address that accepts TCP
// connections but never answers the startup handshake (a frozen server, a half-failed-over
// proxy) makes Open fail after its connect timeout instead of hanging the server's start,
// which then keeps retrying with backoff.
func TestOpenGivesUpOnADatabaseThatDoesNotAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // accepted, never answered
		}
	}()
	done := make(chan error, 1)
	go func() {
		st, err := store.Open(store.Options{URL: "postgres://postgres@" + ln.Addr().String() + "/crm?sslmode=disable",
			ConnectTimeout: 300 * time.Millisecond})
		if err == nil {
			_ = st.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Open succeeded against a server that never answered")
		}
	case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("Open still waiting after 30 s on a server that never answers")
	}
}
