package publish

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"

	"github.com/earshot-dev/earshot/internal/httpx"
)

// probed returns the client the publisher sends with: c (nil: a new
// httpx.DefaultHTTPClient) with its transport wrapped in [probeTransport].
// The host's client is copied, never changed.
//
// Replays are not this transport's business: internal/httpx, which sends
// every request of the publishers, already keeps net/http from sending a
// post again by itself on a broken keep-alive connection (see
// TestSendNoReplay).
func probed(c *http.Client) *http.Client {
	if c == nil {
		c = httpx.DefaultHTTPClient()
	}
	out := *c
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	out.Transport = probeTransport{next: next}
	return &out
}

// probeTransport notes, for the [sendProbe] in the request's context, a
// failure that proves the server never received the request (see
// [unconnected]).
type probeTransport struct{ next http.RoundTripper }

func (t probeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		if p, ok := req.Context().Value(probeKey{}).(*sendProbe); ok && unconnected(err) {
			p.stop(err)
		}
	}
	return resp, err
}

// unconnected reports whether err proves that no connection to the server
// was made, so that nothing was sent: the name did not resolve, the dial
// failed (refused, unreachable, timed out), the connection to a proxy
// failed, or the server's certificate was refused. Errors that can also
// happen after the request was written (a reset, a TLS alert, a timeout
// waiting for the answer) are not proof.
func unconnected(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	var cert *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &dns), errors.As(err, &cert), errors.As(err, &unknownCA),
		errors.As(err, &host), errors.As(err, &invalid):
		return true
	case errors.As(err, &op):
		return op.Op == "dial" || op.Op == "proxyconnect"
	}
	return false
}

// sendProbe watches the requests made with one context (one attempt to
// post a part, or one look-up). When one of them cannot connect, it ends
// the context at once, so that the read client does not retry a server
// that is not there for minutes: nothing was sent, and the engine decides.
type sendProbe struct {
	cancel context.CancelCauseFunc
	mu     sync.Mutex
	err    error
}

type probeKey struct{}

// withProbe returns a context carrying a new probe; call the returned
// stop function when the call is over.
func withProbe(ctx context.Context) (context.Context, *sendProbe, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	p := &sendProbe{cancel: cancel}
	return context.WithValue(ctx, probeKey{}, p), p, func() { cancel(nil) }
}

func (p *sendProbe) stop(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
	p.cancel(errNoConnection)
}

// unsent returns the connection error that stopped the call, or nil.
func (p *sendProbe) unsent() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		return nil
	}
	return fmt.Errorf("cannot connect: %v", p.err)
}

var errNoConnection = errors.New("publish: no connection")
