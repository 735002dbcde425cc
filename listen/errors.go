package listen

import (
	"strconv"

	"github.com/earshot-dev/earshot/internal/httpx"
)

// Sentinel errors that callers act on. Adapters return typed errors that
// unwrap to these; test with [errors.Is].
var (
	// ErrRateLimited: the platform refused because of its rate limit, and
	// waiting did not get through within the retry budget
	// ([WithMaxRetryTime]) or the pause limit ([WithPauseLimit]).
	ErrRateLimited = httpx.ErrRateLimited
	// ErrAuth: the credentials were refused (401/403, after one token
	// refresh where the platform has refresh). Never retried.
	ErrAuth = httpx.ErrAuth
	// ErrNotFound: the account, tag, feed or item does not exist.
	ErrNotFound = httpx.ErrNotFound
	// ErrTooLarge: a response or frame was larger than the source's size
	// limit and could not be fetched in smaller pieces. Never retried.
	ErrTooLarge = httpx.ErrTooLarge
	// ErrStalled: a stream sent nothing, not even a heartbeat, for longer
	// than its stall timeout, and reconnecting did not help.
	ErrStalled = httpx.ErrStalled
	// ErrUnreachable: the platform's host cannot be reached in a way that
	// retrying will not fix: its name does not resolve, its TLS
	// certificate does not verify, or it does not speak the URL's scheme
	// (an HTTP answer to an HTTPS request). Never retried.
	ErrUnreachable = httpx.ErrUnreachable
)

// RateLimitError reports a rate limit: fields Platform and RetryAfter (how
// long the platform asked to wait, 0 if unknown). It unwraps to
// [ErrRateLimited].
type RateLimitError = httpx.RateLimitError

// HTTPError is a final HTTP failure from a platform: fields Platform,
// StatusCode, Message (a short, secret-free excerpt of the platform's
// error text) and RetryAfter (the answer's Retry-After, 0 if none). It
// unwraps to [ErrAuth] for 401 and 403 and to [ErrNotFound] for 404 and
// 410.
type HTTPError = httpx.HTTPError

// NetworkError reports a request that got no HTTP answer: fields
// Platform, Method, URL (credentials redacted), Err (the cause) and
// Permanent. Permanent ones (DNS name not found, TLS verification failed,
// wrong scheme) are final at once and unwrap to [ErrUnreachable]; the
// others reach the host only when retrying has failed for longer than the
// retry budget. It also unwraps to its cause, so [errors.As] finds a
// [*net.DNSError] or [*tls.CertificateVerificationError].
type NetworkError = httpx.NetworkError

// DecodeError reports a payload that could not be decoded. Sources skip a
// bad item, count it in [Stats].Skipped, log it and hand it to the
// [WithOnSkip] hook; a whole page that cannot be decoded is retried like a
// transient failure.
type DecodeError struct {
	Platform string
	ID       string // the item's ID when it could be read, else ""
	Offset   int64  // byte offset or line number in the stream, when known
	Data     []byte // the raw item (at most 4 KiB of it), when there is one
	Err      error
}

func (e *DecodeError) Error() string {
	s := "listen: " + e.Platform + ": decode"
	if e.ID != "" {
		s += " " + strconv.Quote(e.ID)
	}
	if e.Offset > 0 {
		s += " at " + strconv.FormatInt(e.Offset, 10)
	}
	return s + ": " + e.Err.Error()
}

func (e *DecodeError) Unwrap() error { return e.Err }
