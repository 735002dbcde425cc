package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cenkalti/backoff/v4"
	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/listen"
)

// DefaultMaxBody is the response size limit when Client.MaxBody is 0.
const DefaultMaxBody = 50 << 20

// ErrTooLarge is wrapped by [*TooLargeError]; it is [listen.ErrTooLarge],
// so hosts can test for it.
var ErrTooLarge = listen.ErrTooLarge

// TooLargeError reports a response body over the client's limit. It is
// permanent (not retried) and unwraps to [ErrTooLarge].
type TooLargeError struct {
	Platform string
	Limit    int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: response body larger than %d bytes", e.Platform, e.Limit)
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// DefaultHTTPClient returns a new *http.Client with timeouts suited to
// both polling and long-lived streams: no overall timeout (a stream would
// hit it), but bounded dial, TLS handshake and response-header waits.
func DefaultHTTPClient() *http.Client {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: t}
}

// Retry is a retry policy. The zero value uses the defaults shown on each
// field. All durations; the backoff implementation stays internal.
type Retry struct {
	Initial     time.Duration // first backoff interval; default 500ms
	Max         time.Duration // largest backoff interval; default 1m
	MaxElapsed  time.Duration // give up after retrying this long; default 15m; <0 never gives up
	MaxAttempts int           // give up after this many attempts; 0 means no limit

	// Platform floors (wire-formats §11): the least wait after a 429
	// (X: 60s) and after a 5xx (X: 5s). Retry-After and a rate-limit
	// reset in the headers are honoured when longer.
	MinRateLimitWait time.Duration
	MinServerWait    time.Duration
}

func (r Retry) withDefaults() Retry {
	if r.Initial <= 0 {
		r.Initial = 500 * time.Millisecond
	}
	if r.Max <= 0 {
		r.Max = time.Minute
	}
	if r.Max < r.Initial {
		r.Max = r.Initial
	}
	if r.MaxElapsed == 0 {
		r.MaxElapsed = 15 * time.Minute
	}
	return r
}

// Backoff is an exponential backoff with jitter built from a [Retry]
// policy, for adapters that run their own reconnect loops (WebSocket
// dials). It is not safe for concurrent use.
type Backoff struct {
	b        *backoff.ExponentialBackOff
	attempts int
	policy   Retry
}

// NewBackoff returns a Backoff for policy r.
func NewBackoff(r Retry) *Backoff {
	r = r.withDefaults()
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = r.Initial
	b.MaxInterval = r.Max
	b.MaxElapsedTime = 0
	if r.MaxElapsed > 0 {
		b.MaxElapsedTime = r.MaxElapsed
	}
	b.Reset()
	return &Backoff{b: b, policy: r}
}

// Next returns the next wait, or false when the policy says give up.
func (b *Backoff) Next() (time.Duration, bool) {
	b.attempts++
	if b.policy.MaxAttempts > 0 && b.attempts >= b.policy.MaxAttempts {
		return 0, false
	}
	d := b.b.NextBackOff()
	if d == backoff.Stop {
		return 0, false
	}
	return d, true
}

// Elapsed returns the time since the backoff was created or reset.
func (b *Backoff) Elapsed() time.Duration { return b.b.GetElapsedTime() }

// Remaining returns how much of MaxElapsed is left (a large value when
// the policy never gives up).
func (b *Backoff) Remaining() time.Duration {
	if b.policy.MaxElapsed < 0 {
		return 1<<63 - 1
	}
	return b.policy.MaxElapsed - b.b.GetElapsedTime()
}

// Reset starts over, e.g. after a connection stayed healthy.
func (b *Backoff) Reset() { b.b.Reset(); b.attempts = 0 }

// Sleep waits for d or until ctx is done, whichever comes first, and
// returns ctx.Err() in the latter case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Client executes HTTP requests for one platform: it waits for the rate
// limiter, sends a User-Agent, bounds the response size, retries
// transient failures (network errors, 408, 425, 429, 5xx) with backoff
// that honours Retry-After and the platform's rate-limit headers, and maps
// final failures to [listen.HTTPError] and [listen.RateLimitError]. 401
// and 403 are never retried.
//
// Set the exported fields before first use and do not change them after.
// A Client is safe for concurrent use.
type Client struct {
	Platform  string       // e.g. "mastodon"; prefixes errors and names the platform in listen errors
	HTTP      *http.Client // nil: a shared DefaultHTTPClient()
	UserAgent string       // sent when the request has none
	MaxBody   int64        // response size limit for Do; 0 means DefaultMaxBody

	// RequestTimeout bounds one attempt of Do, body included (a server
	// that never answers). 0 means 1 minute. For Open it bounds the wait
	// for response headers only.
	RequestTimeout time.Duration

	Retry     Retry
	Limiter   *rate.Limiter    // waited on before every attempt; nil: no client-side limit
	RateLimit RateLimitParser  // reads the platform's headers; nil: none
	Counters  *listen.Counters // Retry() is counted here when non-nil
	Logger    *slog.Logger     // nil: silent
	Secrets   []Secret         // scrubbed from every error message and log line

	mu         sync.Mutex
	pauseUntil time.Time // from exhausted rate-limit headers
	last       RateLimit
	baseLimit  rate.Limit
	baseSet    bool
}

var (
	defaultOnce   sync.Once
	defaultClient *http.Client
)

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	defaultOnce.Do(func() { defaultClient = DefaultHTTPClient() })
	return defaultClient
}

func (c *Client) maxBody() int64 {
	if c.MaxBody > 0 {
		return c.MaxBody
	}
	return DefaultMaxBody
}

func (c *Client) timeout() time.Duration {
	if c.RequestTimeout > 0 {
		return c.RequestTimeout
	}
	return time.Minute
}

// Response is a complete response read by [Client.Do].
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	RateLimit  RateLimit // parsed by Client.RateLimit; Remaining -1 when absent
	URL        *url.URL  // the final URL after redirects
}

// LastRateLimit returns the rate-limit state from the latest response that
// carried one.
func (c *Client) LastRateLimit() RateLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Do sends req (its context is replaced by ctx), retrying transient
// failures, and reads the whole body. It returns a response for 2xx and
// 304, and an error otherwise: [*listen.HTTPError], [*listen.RateLimitError],
// [*TooLargeError], a network error (after retries), or ctx.Err() when
// ctx is done. Requests with a body must have GetBody set (http.NewRequest
// does this for common readers) to be retried.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	var out *Response
	err := c.run(ctx, req, false, func(resp *http.Response) error {
		body, err := readLimited(resp.Body, c.maxBody())
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return backoff.Permanent(&TooLargeError{Platform: c.Platform, Limit: c.maxBody()})
			}
			return fmt.Errorf("%s: read %s: %w", c.Platform, RedactURL(req.URL), scrubErr(err))
		}
		out = &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, URL: resp.Request.URL}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.RateLimit = c.LastRateLimit()
	return out, nil
}

// Open sends req like [Client.Do] but returns the 2xx response with its
// body unread, for streams. The caller must close the body. Consider
// wrapping it in [IdleReader]. Failures before the response headers are
// retried as in Do.
func (c *Client) Open(ctx context.Context, req *http.Request) (*http.Response, error) {
	var out *http.Response
	err := c.run(ctx, req, true, func(resp *http.Response) error {
		out = resp
		return nil
	})
	return out, err
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, ErrTooLarge
	}
	return buf.Bytes(), nil
}

// scrubErr strips the URL (which may carry a token) from *url.Error.
func scrubErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryable wraps an error that may be retried after at least wait.
type retryable struct {
	err  error
	wait time.Duration
}

func (r *retryable) Error() string { return r.err.Error() }

func (c *Client) run(ctx context.Context, req *http.Request, stream bool, ok func(*http.Response) error) error {
	bo := NewBackoff(c.Retry)
	for attempt := 0; ; attempt++ {
		err := c.attempt(ctx, req, stream, ok)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var perm *backoff.PermanentError
		if errors.As(err, &perm) {
			return perm.Err
		}
		r, isRetry := err.(*retryable)
		if !isRetry {
			return err
		}
		wait, more := bo.Next()
		if r.wait > wait {
			wait = r.wait
		}
		if !more || wait > bo.Remaining() {
			return r.err
		}
		if c.Counters != nil {
			c.Counters.Retry()
		}
		c.log(ctx, slog.LevelDebug, "retrying", "url", RedactURL(req.URL), "attempt", attempt+1, "wait", wait, "err", r.err.Error())
		if err := Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func (c *Client) log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if c.Logger == nil {
		return
	}
	for i := 1; i < len(args); i += 2 {
		if s, ok := args[i].(string); ok {
			args[i] = Redact(s, c.Secrets...)
		}
	}
	c.Logger.Log(ctx, level, c.Platform+": "+msg, args...)
}

// WaitTurn waits for the client's limiter and for any pause demanded by
// exhausted rate-limit headers. Adapters that dial WebSockets themselves
// call it before each dial.
func (c *Client) WaitTurn(ctx context.Context) error {
	c.mu.Lock()
	until := c.pauseUntil
	c.mu.Unlock()
	if d := time.Until(until); d > 0 {
		if err := Sleep(ctx, d); err != nil {
			return err
		}
	}
	if c.Limiter != nil {
		if err := c.Limiter.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// The wait would pass ctx's deadline: no request can be sent
			// in time, so wait for ctx to end and report it as ctx's.
			<-ctx.Done()
			return ctx.Err()
		}
	}
	return nil
}

func (c *Client) attempt(ctx context.Context, req *http.Request, stream bool, ok func(*http.Response) error) error {
	if err := c.WaitTurn(ctx); err != nil {
		return err
	}
	actx, cancel := context.WithCancel(ctx)
	timer := time.AfterFunc(c.timeout(), cancel)
	timedOut := func() bool { return !timer.Stop() && ctx.Err() == nil }
	r := req.Clone(actx)
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			cancel()
			return fmt.Errorf("%s: request body cannot be replayed (no GetBody)", c.Platform)
		}
		b, err := req.GetBody()
		if err != nil {
			cancel()
			return fmt.Errorf("%s: request body: %w", c.Platform, err)
		}
		r.Body = b
	}
	if c.UserAgent != "" && r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", c.UserAgent)
	}
	resp, err := c.httpClient().Do(r)
	if err != nil {
		to := timedOut()
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := scrubErr(err).Error()
		if to {
			msg = "no response within " + c.timeout().String()
		}
		return &retryable{err: fmt.Errorf("%s: %s %s: %s", c.Platform, req.Method, RedactURL(req.URL), Redact(msg, c.Secrets...))}
	}
	now := time.Now()
	c.observe(resp.Header, now)
	if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusNotModified {
		if stream {
			timer.Stop() // the header wait is over; the stream lives on actx until closed
			resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
			return ok(resp)
		}
		err := ok(resp)
		resp.Body.Close()
		to := timedOut()
		cancel()
		if err != nil {
			var perm *backoff.PermanentError
			if errors.As(err, &perm) || ctx.Err() != nil {
				return err
			}
			if to {
				err = fmt.Errorf("%s: %s %s: body not complete within %v", c.Platform, req.Method, RedactURL(req.URL), c.timeout())
			}
			return &retryable{err: err}
		}
		return nil
	}
	body, _ := readLimited(resp.Body, 64<<10)
	resp.Body.Close()
	timer.Stop()
	cancel()
	return c.statusError(resp, body, now)
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// observe records rate-limit headers: an exhausted window pauses the
// client until its reset, and the limiter is slowed to spread what is
// left of the window (never raised above the host's own setting).
func (c *Client) observe(h http.Header, at time.Time) {
	if c.RateLimit == nil {
		return
	}
	rl, ok := c.RateLimit(h, at)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = rl
	if rl.Exhausted(at) {
		c.pauseUntil = rl.Reset
	}
	if c.Limiter == nil {
		return
	}
	if !c.baseSet {
		c.baseLimit, c.baseSet = c.Limiter.Limit(), true
	}
	lim := c.baseLimit
	if rl.Remaining >= 0 && rl.Reset.After(at) {
		left := rl.Reset.Sub(at).Seconds()
		spread := rate.Limit((rl.Remaining + 1) / left)
		if spread < lim {
			lim = spread
		}
	}
	if c.Limiter.Limit() != lim {
		c.Limiter.SetLimitAt(at, lim)
	}
}

// StatusError maps a non-2xx response to the error Do would return,
// without the retry decision: [*listen.RateLimitError] for 429,
// [*listen.HTTPError] otherwise. Adapters use it for responses they got
// elsewhere (a failed WebSocket handshake).
func (c *Client) StatusError(resp *http.Response, body []byte) error {
	err := c.statusError(resp, body, time.Now())
	if r, ok := err.(*retryable); ok {
		return r.err
	}
	var perm *backoff.PermanentError
	if errors.As(err, &perm) {
		return perm.Err
	}
	return err
}

// IsRetryable reports whether an error returned by StatusError (or a
// network error) is worth retrying: rate limits, 408, 425, 5xx and
// network errors are; other statuses and oversized bodies are not.
func IsRetryable(err error) bool {
	var he *listen.HTTPError
	if errors.As(err, &he) {
		return retryStatus(he.StatusCode)
	}
	var rle *listen.RateLimitError
	if errors.As(err, &rle) {
		return true
	}
	var tl *TooLargeError
	return !errors.As(err, &tl)
}

func retryStatus(code int) bool {
	return code == 408 || code == 425 || code == 429 || code >= 500
}

func (c *Client) statusError(resp *http.Response, body []byte, at time.Time) error {
	code := resp.StatusCode
	ra, hasRA := ParseRetryAfter(resp.Header.Get("Retry-After"), at)
	if code == http.StatusTooManyRequests {
		wait := ra
		if c.RateLimit != nil {
			if rl, ok := c.RateLimit(resp.Header, at); ok && rl.Reset.After(at) {
				if d := rl.Reset.Sub(at); d > wait {
					wait = d
				}
			}
		}
		if wait < c.Retry.MinRateLimitWait {
			wait = c.Retry.MinRateLimitWait
		}
		return &retryable{err: &listen.RateLimitError{Platform: c.Platform, RetryAfter: wait}, wait: wait}
	}
	he := &listen.HTTPError{Platform: c.Platform, StatusCode: code, Message: Redact(ErrorMessage(body), c.Secrets...)}
	if retryStatus(code) {
		wait := time.Duration(0)
		if hasRA {
			wait = ra
		}
		if code >= 500 && wait < c.Retry.MinServerWait {
			wait = c.Retry.MinServerWait
		}
		return &retryable{err: he, wait: wait}
	}
	return backoff.Permanent(he)
}

// ErrorMessage extracts a short human-readable message from an error
// body: the "error", "message", "detail", "title" or "error_description"
// field of a JSON object (string values only), else the body's first line
// when it is short plain text (HTML is dropped). At most 200 bytes.
func ErrorMessage(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	var msg string
	if body[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) == nil {
			var parts []string
			for _, k := range []string{"error", "message", "detail", "title", "error_description"} {
				var s string
				if raw, ok := m[k]; ok && json.Unmarshal(raw, &s) == nil && s != "" {
					parts = append(parts, s)
				}
				if len(parts) == 2 {
					break
				}
			}
			msg = strings.Join(parts, ": ")
		}
	} else if body[0] != '<' {
		line, _, _ := bytes.Cut(body, []byte("\n"))
		msg = string(line)
	}
	msg = strings.ToValidUTF8(msg, "\uFFFD")
	if len(msg) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
