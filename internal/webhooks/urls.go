package webhooks

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/wbk/crm/internal/apperr"
)

// URL safety. An endpoint's URL is chosen by a workspace's key holder and called by our
// servers: without these rules it could make them reach the loopback interface, the private
// network they run in, or a cloud metadata service. The URL is checked when it is set (what
// can be known then: the scheme, a literal address, localhost), and the address actually
// dialled is checked at send time, after DNS resolution, so that a name that later resolves
// to a forbidden address (DNS rebinding) is refused too. AllowPrivate lifts both rules for
// local development and tests.

const maxURLLen = 2048

// ErrForbiddenAddress is the refusal of a destination address at send time.
var ErrForbiddenAddress = errors.New("webhooks: destination address is not allowed")

// forbiddenPrefixes are ranges that are neither loopback, private nor link-local by
// netip's rules but are not public destinations either.
var forbiddenPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),         // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),     // carrier-grade NAT, shared address space
	netip.MustParsePrefix("192.0.0.0/24"),      // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),     // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),       // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),      // NAT64 of any IPv4 address, private ones included
	netip.MustParsePrefix("64:ff9b:1::/48"),    // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),     // documentation
	netip.MustParsePrefix("fd00:ec2::254/128"), // AWS metadata over IPv6 (also fc00::/7)
}

// forbiddenAddr reports whether ip is no place for a webhook: loopback, private (RFC 1918,
// unique-local), link-local (169.254.0.0/16 holds the metadata services), multicast,
// unspecified, or one of forbiddenPrefixes. IPv4-mapped IPv6 addresses are judged as IPv4.
func forbiddenAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsValid() {
		return true
	}
	for _, p := range forbiddenPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// CheckURL checks an endpoint URL when it is set; the error is BAD_USER_INPUT on field.
func CheckURL(field, raw string, allowPrivate bool) (string, error) {
	raw = strings.TrimSpace(raw)
	bad := func(format string, args ...any) (string, error) {
		return "", apperr.Invalid(field, format, args...)
	}
	if raw == "" {
		return bad("url is required")
	}
	if len(raw) > maxURLLen {
		return bad("url must be at most %d characters", maxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return bad("%q is not an absolute URL", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowPrivate:
	default:
		return bad("url must start with https://")
	}
	if u.User != nil {
		return bad("url must not carry a user name or password")
	}
	if u.Fragment != "" {
		return bad("url must not have a #fragment")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" {
		return bad("%q has no host", raw)
	}
	if !allowPrivate {
		if host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "metadata.google.internal" {
			return bad("url must not point to %s", host)
		}
		if ip, err := netip.ParseAddr(host); err == nil && forbiddenAddr(ip) {
			return bad("url must not point to a loopback, private, link-local or metadata address (%s)", ip)
		}
		if !strings.Contains(host, ".") && net.ParseIP(host) == nil {
			return bad("url's host %q is not a public name", host)
		}
	}
	return u.String(), nil
}

// dialControl refuses, after DNS resolution, a connection to a forbidden address: it sees the
// address the dialer is about to connect to, whatever name led there.
func dialControl(allowPrivate bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
		}
		if forbiddenAddr(ap.Addr()) {
			return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
		}
		return nil
	}
}

// NewDialer is the dialer deliveries connect with.
func NewDialer(allowPrivate bool) *net.Dialer {
	return &net.Dialer{Control: dialControl(allowPrivate)}
}
