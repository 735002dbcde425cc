package httpx

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Sentinel errors that callers act on. Package listen re-exports them
// (listen.ErrAuth is ErrAuth), so errors from this package and from the
// adapters built on it test equal with [errors.Is].
var (
	// ErrRateLimited: the platform refused because of its rate limit and
	// waiting did not get through within the retry budget or the pause
	// limit.
	ErrRateLimited = errors.New("listen: rate limited")
	// ErrAuth: the credentials were refused (401/403). Never retried.
	ErrAuth = errors.New("listen: authentication failed")
	// ErrNotFound: the account, tag, feed or item does not exist.
	ErrNotFound = errors.New("listen: not found")
	// ErrTooLarge: a response or frame was larger than the size limit.
	// Never retried.
	ErrTooLarge = errors.New("listen: response body too large")
	// ErrStalled: a stream sent nothing, not even a heartbeat, for longer
	// than its stall timeout, and reconnecting did not help.
	ErrStalled = errors.New("listen: stream stalled")
	// ErrUnreachable: the host cannot be reached in a way that retrying
	// will not fix: its name does not resolve, its TLS certificate does
	// not verify, or it does not speak the URL's scheme. Never retried.
	ErrUnreachable = errors.New("listen: host unreachable")
)

// RateLimitError reports a rate limit. It unwraps to [ErrRateLimited].
type RateLimitError struct {
	Platform   string
	RetryAfter time.Duration // how long the platform asked to wait, 0 if unknown
}

func (e *RateLimitError) Error() string {
	s := "listen: " + e.Platform + ": rate limited"
	if e.RetryAfter > 0 {
		s += " (retry after " + e.RetryAfter.String() + ")"
	}
	return s
}

func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// HTTPError is a failed HTTP answer from a platform. Its message carries
// the status and a short, secret-free excerpt of the body. It unwraps to
// [ErrAuth] for 401 and 403 and to [ErrNotFound] for 404 and 410.
type HTTPError struct {
	Platform   string
	StatusCode int
	Message    string        // the platform's error text, if it sent one
	RetryAfter time.Duration // the answer's Retry-After, 0 if none
}

func (e *HTTPError) Error() string {
	s := "listen: " + e.Platform + ": HTTP " + strconv.Itoa(e.StatusCode)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func (e *HTTPError) Unwrap() error {
	switch e.StatusCode {
	case 401, 403:
		return ErrAuth
	case 404, 410:
		return ErrNotFound
	}
	return nil
}

// NetworkError reports a request that got no HTTP answer. Permanent ones
// (a name that does not resolve, a certificate that does not verify, a
// server that does not speak the URL's scheme) are never retried and
// unwrap to [ErrUnreachable]; the others are retried and reach the caller
// only when the retry budget is spent. It also unwraps to its cause.
type NetworkError struct {
	Platform  string
	Method    string
	URL       string // redacted
	Err       error  // the cause, without the URL
	Permanent bool
}

func (e *NetworkError) Error() string {
	return e.Platform + ": " + e.Method + " " + e.URL + ": " + e.Err.Error()
}

func (e *NetworkError) Unwrap() []error {
	if e.Permanent {
		return []error{e.Err, ErrUnreachable}
	}
	return []error{e.Err}
}

// TooLargeError reports a response body over the client's limit. It is
// permanent (not retried) and unwraps to [ErrTooLarge].
type TooLargeError struct {
	Platform string
	Limit    int64
	Header   http.Header // the response's headers (paging links may say what was in it)
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: response body larger than %d bytes", e.Platform, e.Limit)
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// StallError reports a stream that sent nothing for longer than its idle
// timeout. It unwraps to [ErrStalled]; [Client.Run] retries it.
type StallError struct {
	Platform string
	Idle     time.Duration
}

func (e *StallError) Error() string {
	return fmt.Sprintf("%s: stream stalled: nothing received for %v", e.Platform, e.Idle)
}

func (e *StallError) Unwrap() error { return ErrStalled }

// permanentNet reports whether a transport error will not go away by
// retrying: the name does not exist, the certificate does not verify, or
// the server does not speak TLS (or answered HTTP to HTTPS).
func permanentNet(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return true
	}
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.Is(err, http.ErrSchemeMismatch)
}

// again marks an error as worth retrying after at least wait.
type again struct {
	err  error
	wait time.Duration
}

func (a *again) Error() string { return a.err.Error() }
func (a *again) Unwrap() error { return a.err }

// Again wraps err so that [Client.Run] retries the operation after at
// least wait (or the backoff interval, if longer). Run returns err itself,
// unwrapped, when it gives up.
func Again(err error, wait time.Duration) error {
	if err == nil {
		return nil
	}
	return &again{err: err, wait: wait}
}

// IsAgain reports whether err was marked with [Again].
func IsAgain(err error) bool {
	var a *again
	return errors.As(err, &a)
}

// finalErr marks an error as not worth retrying.
type finalErr struct{ err error }

func (f *finalErr) Error() string { return f.err.Error() }
func (f *finalErr) Unwrap() error { return f.err }

// Final marks err as final: [Client.Run] returns it (unmarked) at once,
// whatever its type. A loop wrapped around operations that retried on
// their own uses it, so the retry budget is not spent twice.
func Final(err error) error {
	if err == nil {
		return nil
	}
	return &finalErr{err: err}
}

// IsRetryable reports whether [Client.Run] would retry err: errors marked
// with [Again], rate limits, 408, 425 and 5xx answers, network errors that
// are not permanent, and stalls. Everything else is final.
func IsRetryable(err error) bool {
	_, ok := Retry{}.wait(err)
	return ok
}

func retryStatus(code int) bool {
	return code == 408 || code == 425 || code == 429 || code >= 500
}

// final strips the [Again] and [Final] marks from err.
func final(err error) error {
	switch e := err.(type) {
	case *again:
		return e.err
	case *finalErr:
		return e.err
	}
	return err
}
