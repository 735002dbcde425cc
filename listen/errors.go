package listen

import (
	"errors"
	"strconv"
	"time"
)

// Sentinel errors that callers act on. Adapters return typed errors that
// unwrap to these; test with [errors.Is].
var (
	// ErrRateLimited: the platform refused because of its rate limit and
	// retrying inside the source did not get through in time.
	ErrRateLimited = errors.New("listen: rate limited")
	// ErrAuth: the credentials were refused (401/403). Never retried.
	ErrAuth = errors.New("listen: authentication failed")
	// ErrNotFound: the account, tag, feed or item does not exist.
	ErrNotFound = errors.New("listen: not found")
	// ErrTooLarge: a response or frame was larger than the source's size
	// limit. Never retried.
	ErrTooLarge = errors.New("listen: response body too large")
	// ErrStalled: a stream sent nothing, not even a heartbeat, for longer
	// than its stall timeout, and reconnecting did not help.
	ErrStalled = errors.New("listen: stream stalled")
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

// HTTPError is a final HTTP failure from a platform. Its message carries the
// status and a short, secret-free excerpt of the body. It unwraps to
// [ErrAuth] for 401 and 403 and to [ErrNotFound] for 404 and 410.
type HTTPError struct {
	Platform   string
	StatusCode int
	Message    string // the platform's error text, if it sent one
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

// DecodeError reports a payload that could not be decoded. Sources that can
// skip a bad record count it in their stats instead of failing.
type DecodeError struct {
	Platform string
	Offset   int64 // byte offset or line number in the stream, when known
	Err      error
}

func (e *DecodeError) Error() string {
	s := "listen: " + e.Platform + ": decode"
	if e.Offset > 0 {
		s += " at " + strconv.FormatInt(e.Offset, 10)
	}
	return s + ": " + e.Err.Error()
}

func (e *DecodeError) Unwrap() error { return e.Err }
