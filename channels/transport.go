package channels

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"syscall"
)

// This file is the one transport routine of the platform clients: it makes
// a request, reads the answer, and tells a failure that certainly never
// reached the platform from one that may have.

// DefaultMaxAnswerBytes caps how much of an answer is read. Platform
// answers are a few hundred bytes (a template page a few hundred KB); the
// cap keeps a misbehaving peer, or a wrong base URL, from making us buffer
// an unbounded body.
const DefaultMaxAnswerBytes = 4 << 20

// Answer is an HTTP answer read in full (up to the cap).
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
	// ReadErr is set when the body could not be read completely; Status
	// and Header are still what the platform said.
	ReadErr error
}

// Success reports a 2xx status.
func (a Answer) Success() bool { return a.Status >= 200 && a.Status < 300 }

// DoOptions tunes Do; the zero value is fine.
type DoOptions struct {
	// MaxAnswerBytes caps the body read (default DefaultMaxAnswerBytes).
	MaxAnswerBytes int64
	// Redact, when set, rewrites a transport error before it is returned
	// (Messenger's token rides in the URL that *url.Error prints). It must
	// keep the error chain for errors.Is / errors.As.
	Redact func(error) error
}

// Do sends req with hc and reads the answer.
//
// When err is non-nil no answer came, and wrote tells whether the request
// may have reached the platform: false means it certainly did not (the
// request headers were never handed to a connection, or the dial itself
// failed), so sending again is safe whatever the platform. wrote is
// conservative: it may be true although nothing left the process, never
// the other way round. A context cancelled or timed out is no proof of
// anything: it may strike after the request left.
//
// When err is nil the answer came (its body may still be cut: ReadErr).
func Do(ctx context.Context, hc *http.Client, req *http.Request, opts DoOptions) (a Answer, wrote bool, err error) {
	var sent atomic.Bool
	trace := &httptrace.ClientTrace{
		// The first header field written means bytes may follow at once;
		// WroteHeaders alone would miss a cut in the middle of the headers.
		WroteHeaderField: func(string, []string) { sent.Store(true) },
		WroteHeaders:     func() { sent.Store(true) },
	}
	if ctx == nil {
		ctx = req.Context()
	}
	req = req.WithContext(httptrace.WithClientTrace(ctx, trace))
	resp, err := hc.Do(req)
	if err != nil {
		if opts.Redact != nil {
			err = opts.Redact(err)
		}
		return Answer{}, sent.Load() && !NeverSent(err), err
	}
	defer resp.Body.Close()
	limit := opts.MaxAnswerBytes
	if limit <= 0 {
		limit = DefaultMaxAnswerBytes
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, limit))
	if readErr != nil && opts.Redact != nil {
		readErr = opts.Redact(readErr)
	}
	return Answer{Status: resp.StatusCode, Header: resp.Header, Body: body, ReadErr: readErr}, true, nil
}

// NeverSent reports errors that prove no byte of the request reached the
// platform even when the trace says headers were written: a failed dial, a
// refused connection, a name that does not resolve.
func NeverSent(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// ClassifyTransport classifies a request that got no answer (Do's err).
//
//   - Not written (wrote false): the platform never saw it. Retryable,
//     ReasonTemporary.
//   - Written, with an idempotency key the platform honours (retryKey: LINE's
//     X-Line-Retry-Key): it may have been accepted, but a resend with the
//     same key cannot deliver twice (LINE answers 409). Retryable and
//     RetrySafe, ReasonNoAnswer.
//   - Written, no key (Messenger, WhatsApp): it may have been delivered
//     and a resend could duplicate it. Uncertain, ReasonNoAnswer.
func ClassifyTransport(err error, wrote, retryKey bool) SendResult {
	detail := "no answer"
	if err != nil {
		detail = err.Error()
	}
	switch {
	case !wrote:
		return Settle(SendResult{Outcome: Retryable, Reason: ReasonTemporary, Detail: detail})
	case retryKey:
		return Settle(SendResult{Outcome: Retryable, Reason: ReasonNoAnswer, Detail: detail})
	}
	return SendResult{Outcome: Uncertain, Reason: ReasonNoAnswer, Detail: detail}
}

// UnreadableSuccess classifies a 2xx answer whose body could not be read
// or decoded. The status says the platform took the request, but nothing
// proves which message it made (no id to match receipts against), so on
// every platform it is Uncertain: neither counted as sent nor resent. With
// a retry key (LINE) a resend is safe and recovers the id from the 409.
func UnreadableSuccess(a Answer, retryKey bool, why string) SendResult {
	detail := "accepted, but the answer could not be read"
	if why != "" {
		detail = fmt.Sprintf("%s: %s", detail, why)
	} else if a.ReadErr != nil {
		detail = fmt.Sprintf("%s: %v", detail, a.ReadErr)
	}
	return SendResult{Outcome: Uncertain, Reason: ReasonNoAnswer, HTTPStatus: a.Status,
		Detail: detail, RetrySafe: retryKey}
}
