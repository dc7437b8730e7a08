package whatsapp

import (
	"errors"
	"net"
)

// neverSent reports errors that prove no byte of the request left this
// host: the connection was never made (refused, unreachable, DNS). Such a
// send is safe to retry even though WhatsApp has no idempotency key.
func neverSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
