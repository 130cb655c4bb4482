// Package webhooks delivers a workspace's events to its integrations' URLs, on the Standard
// Webhooks scheme (standardwebhooks.com, docs/webhooks.md): the management service that
// checks URLs and makes secrets, the signing, the URL safety rules, the retry schedule and
// the delivery worker that every instance runs. The events themselves are written by the
// store, in the transaction of each change (internal/store/webhooks_emit.go).
package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every signing secret; the rest is the base64 of the HMAC key.
const SecretPrefix = "whsec_"

// NewSecret returns a fresh signing secret: 32 random bytes, base64, after SecretPrefix.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on the platforms Go supports
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// Headers are the Standard Webhooks headers of one attempt.
type Headers struct {
	ID        string
	Timestamp string
	Signature string
}

// Sign signs body as message id at time at with every secret: "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>", space-separated when several secrets sign (during a rotation).
func Sign(id string, at time.Time, body []byte, secrets []string) (Headers, error) {
	ts := strconv.FormatInt(at.Unix(), 10)
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, SecretPrefix))
		if err != nil {
			return Headers{}, fmt.Errorf("webhooks: malformed secret: %w", err)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id))
		mac.Write([]byte{'.'})
		mac.Write([]byte(ts))
		mac.Write([]byte{'.'})
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return Headers{ID: id, Timestamp: ts, Signature: strings.Join(sigs, " ")}, nil
}
