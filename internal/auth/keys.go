// Package auth makes and checks workspace API keys and carries the authenticated caller
// (the principal) through a request's context.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"math/big"
	"strings"
)

// Key format, after GitHub's tokens: "wbk_", 43 base62 characters of 32 random bytes, and a
// 6-character base62 CRC32 of those, so that a typo or a truncated paste is rejected without a
// database lookup and secret scanners can recognise the format.
const (
	KeyPrefix      = "wbk_"
	bodyLen        = 43
	checksumLen    = 6
	keyLen         = len(KeyPrefix) + bodyLen + checksumLen
	displayBodyLen = 6
	base62         = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// NewKey returns a fresh key, its display prefix and the hash to store.
func NewKey() (key, prefix, hash string) {
	var raw [32]byte
	_, _ = rand.Read(raw[:]) // never returns an error: it crashes the program instead
	body := encodeBase62(new(big.Int).SetBytes(raw[:]), bodyLen)
	key = KeyPrefix + body + checksum(body)
	return key, DisplayPrefix(key), HashKey(key)
}

// DisplayPrefix is the part of a key that may be shown and logged, e.g. wbk_3fA9c2.
func DisplayPrefix(key string) string {
	if len(key) < len(KeyPrefix)+displayBodyLen {
		return KeyPrefix
	}
	return key[:len(KeyPrefix)+displayBodyLen]
}

// HashKey is what the database stores. Keys carry 256 bits of randomness, so a fast hash is
// enough: nothing is left to brute-force.
func HashKey(key string) string {
	var sum [sha256.Size]byte
	if len(key) == keyLen { // every request's key: hashed from the stack, not a heap copy
		var b [keyLen]byte
		copy(b[:], key)
		sum = sha256.Sum256(b[:])
	} else {
		sum = sha256.Sum256([]byte(key))
	}
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// WellFormed reports whether s has the key format and a matching checksum.
func WellFormed(s string) bool {
	if len(s) != keyLen || !strings.HasPrefix(s, KeyPrefix) {
		return false
	}
	body := s[len(KeyPrefix) : len(KeyPrefix)+bodyLen]
	for i := len(KeyPrefix); i < len(s); i++ {
		if strings.IndexByte(base62, s[i]) < 0 {
			return false
		}
	}
	sum := checksumOf(body)
	return s[len(KeyPrefix)+bodyLen:] == string(sum[:])
}

func checksum(body string) string {
	sum := checksumOf(body)
	return string(sum[:])
}

// checksumOf is the base62 CRC32 (IEEE) of body, computed without allocating: every request
// checks one.
func checksumOf(body string) [checksumLen]byte {
	crc := ^uint32(0)
	for i := 0; i < len(body); i++ {
		crc = crc32.IEEETable[byte(crc)^body[i]] ^ (crc >> 8)
	}
	n := uint64(^crc) // 62^6 > 2^32: six digits hold any CRC32
	var out [checksumLen]byte
	for i := checksumLen - 1; i >= 0; i-- {
		out[i] = base62[n%62]
		n /= 62
	}
	return out
}

func encodeBase62(n *big.Int, width int) string {
	out := make([]byte, width)
	base := big.NewInt(62)
	mod := new(big.Int)
	n = new(big.Int).Set(n)
	for i := width - 1; i >= 0; i-- {
		n.DivMod(n, base, mod)
		out[i] = base62[mod.Int64()]
	}
	return string(out)
}
