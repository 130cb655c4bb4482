package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"math/big"
	"strings"
	"testing"
)

// The checksum computed without allocating is the base62 CRC32 the keys were issued with.
func TestChecksumMatchesBigIntEncoding(t *testing.T) {
	for _, body := range []string{"", "0", strings.Repeat("z", bodyLen), "3fA9c2kLmNoPqRsTuVwXyZ0123456789abcdefghijk"} {
		want := encodeBase62(big.NewInt(int64(crc32.ChecksumIEEE([]byte(body)))), checksumLen)
		if got := checksum(body); got != want {
			t.Errorf("checksum(%q) = %q, want %q", body, got, want)
		}
	}
	for range 1000 {
		key, _, _ := NewKey()
		body := key[len(KeyPrefix) : len(KeyPrefix)+bodyLen]
		if want := encodeBase62(big.NewInt(int64(crc32.ChecksumIEEE([]byte(body)))), checksumLen); checksum(body) != want {
			t.Fatalf("checksum(%q) = %q, want %q", body, checksum(body), want)
		}
	}
}

func TestHashKeyIsHexSHA256(t *testing.T) {
	key, _, _ := NewKey()
	for _, k := range []string{key, "", "short", strings.Repeat("x", 200)} {
		sum := sha256.Sum256([]byte(k))
		if got, want := HashKey(k), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("HashKey(%q) = %s, want %s", k, got, want)
		}
	}
}
