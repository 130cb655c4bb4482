package httpapi_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wbk/crm/internal/testenv"
)

// TestWebsocketInitIsEnforced covers issue 7 finding 8: a socket that never sends
// connection_init is closed with 4408 once the (injected) timeout passes, and a
// connection_init whose payload is not an object is closed with 4400 at once.
func TestWebsocketInitIsEnforced(t *testing.T) {
	env := testenv.New(t, testenv.Options{WebsocketInitTimeout: 300 * time.Millisecond})
	srv := httptest.NewServer(env.Handler)
	t.Cleanup(srv.Close)
	dial := func() *websocket.Conn {
		ctx, cancel := context.WithTimeout(context.Background(), wsWait)
		defer cancel()
		conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		if resp.Body != nil {
			_ = resp.Body.Close()
		}
		t.Cleanup(func() { _ = conn.CloseNow() })
		return conn
	}
	closeCode := func(conn *websocket.Conn) websocket.StatusCode {
		ctx, cancel := context.WithTimeout(context.Background(), wsWait)
		defer cancel()
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return websocket.CloseStatus(err)
			}
			if strings.Contains(string(data), "connection_ack") {
				t.Fatalf("want the connection closed, got %s", data)
			}
		}
	}

	t.Run("no connection_init", func(t *testing.T) {
		conn := dial()
		if got := closeCode(conn); got != 4408 {
			t.Errorf("close code = %d, want 4408", got)
		}
	})
	for name, init := range map[string]string{
		"string payload": `{"type":"connection_init","payload":"x"}`,
		"array payload":  `{"type":"connection_init","payload":[1]}`,
		"number payload": `{"type":"connection_init","payload":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			conn := dial()
			if err := conn.Write(context.Background(), websocket.MessageText, []byte(init)); err != nil {
				t.Fatal(err)
			}
			if got := closeCode(conn); got != 4400 {
				t.Errorf("close code = %d, want 4400", got)
			}
		})
	}
	t.Run("an object payload is read (and a bad key refused with 4401)", func(t *testing.T) {
		conn := dial()
		if err := conn.Write(context.Background(), websocket.MessageText,
			[]byte(`{"type":"connection_init","payload":{"Authorization":"Bearer wbk_nope"}}`)); err != nil {
			t.Fatal(err)
		}
		if got := closeCode(conn); got != 4401 {
			t.Errorf("close code = %d, want 4401", got)
		}
	})
}
