package webhooks_test

import (
	"strings"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/webhooks"
)

// TestCheckURL: what can be known when a URL is set is refused then, as BAD_USER_INPUT on the
// field; WEBHOOK_ALLOW_PRIVATE lifts the scheme and address rules, not the URL's shape.
func TestCheckURL(t *testing.T) {
	cases := []struct {
		url          string
		allowPrivate bool
		refused      string // part of the message; "" accepted
	}{
		{url: "https://hooks.example.com/crm", refused: ""},
		{url: "https://93.184.216.34:8443/x?a=1", refused: ""},
		{url: "http://hooks.example.com/crm", refused: "https://"},
		{url: "ftp://hooks.example.com/", refused: "https://"},
		{url: "hooks.example.com/crm", refused: "absolute"},
		{url: "", refused: "required"},
		{url: "https://" + strings.Repeat("a", 2050) + ".com", refused: "at most"},
		{url: "https://user:pw@hooks.example.com/", refused: "user name"},
		{url: "https://hooks.example.com/#frag", refused: "fragment"},
		{url: "https://localhost/x", refused: "localhost"},
		{url: "https://api.localhost/x", refused: "localhost"},
		{url: "https://127.0.0.1/x", refused: "loopback"},
		{url: "https://[::1]/x", refused: "loopback"},
		{url: "https://10.1.2.3/x", refused: "private"},
		{url: "https://192.168.0.10/x", refused: "private"},
		{url: "https://172.16.5.4/x", refused: "private"},
		{url: "https://169.254.169.254/latest/meta-data", refused: "metadata"},
		{url: "https://[fe80::1]/x", refused: "link-local"},
		{url: "https://[fd00::1]/x", refused: "private"},
		{url: "https://[::ffff:127.0.0.1]/x", refused: "loopback"},
		{url: "https://100.64.0.1/x", refused: "private"},
		{url: "https://0.0.0.0/x", refused: "loopback"},
		{url: "https://metadata.google.internal/x", refused: "metadata.google.internal"},
		{url: "https://intranet/x", refused: "public name"},
		{url: "http://127.0.0.1:8080/hook", allowPrivate: true, refused: ""},
		{url: "http://localhost/hook", allowPrivate: true, refused: ""},
		{url: "ftp://localhost/hook", allowPrivate: true, refused: "https://"},
	}
	for _, tc := range cases {
		_, err := webhooks.CheckURL("input.url", tc.url, tc.allowPrivate)
		switch {
		case tc.refused == "" && err != nil:
			t.Errorf("%.60q (allowPrivate %v): refused: %v", tc.url, tc.allowPrivate, err)
		case tc.refused != "" && err == nil:
			t.Errorf("%.60q (allowPrivate %v): accepted", tc.url, tc.allowPrivate)
		case err != nil:
			e := apperr.As(err)
			if e == nil || e.Code != apperr.EINVALID || e.Field != "input.url" || !strings.Contains(e.Message, tc.refused) {
				t.Errorf("%.60q: %v, want BAD_USER_INPUT on input.url mentioning %q", tc.url, err, tc.refused)
			}
		}
	}
}
