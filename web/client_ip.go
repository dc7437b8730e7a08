package web

import (
	"net"
	"net/netip"

	"github.com/labstack/echo/v4"
)

// ipExtractor decides which address a request comes from. Without trusted
// proxies it is the TCP peer: X-Forwarded-For is client-controlled and
// would let anyone dodge the sign-in limits or pass as a local visitor.
// With them, X-Forwarded-For is read from the right, skipping only the
// configured proxies; Echo's defaults that trust every private and
// loopback address are turned off.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// fromLoopback tells whether the visitor is on this machine. A reverse
// proxy on the same host makes every visitor's TCP peer a loopback
// address, but a proxy forwards the visitor's address in a header: a
// request carrying one is never taken for a local visitor.
func fromLoopback(c echo.Context) bool {
	addr, err := netip.ParseAddr(c.RealIP())
	if err != nil || !addr.Unmap().IsLoopback() {
		return false
	}
	h := c.Request().Header
	return h.Get(echo.HeaderXForwardedFor) == "" && h.Get(echo.HeaderXRealIP) == "" && h.Get("Forwarded") == ""
}

// limiterKey is the identity rate limits count per: the address, or its
// /64 for IPv6, since one subscriber usually holds a whole /64.
func limiterKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}
