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

	"golang.org/x/time/rate"
)

// DefaultMaxBody is the response size limit when Client.MaxBody is 0.
const DefaultMaxBody = 50 << 20

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

// Counter counts what a [Client] does; listen.Counters implements it.
type Counter interface {
	Retry() // an operation is tried again after a transient failure
	Pause() // a wait of LongWait or more (rate-limit reset, Retry-After, backoff)
}

// Client executes HTTP requests for one platform: it waits for the rate
// limiter, sends a User-Agent, bounds the response size, retries
// transient failures (network errors, 408, 425, 429, 5xx) through
// [Client.Run], and maps final failures to [*HTTPError],
// [*RateLimitError], [*NetworkError] and [*TooLargeError]. 401 and 403
// are never retried.
//
// Set the exported fields before first use and do not change them after.
// A Client is safe for concurrent use.
type Client struct {
	Platform  string       // e.g. "mastodon"; prefixes errors and log messages
	HTTP      *http.Client // nil: a shared DefaultHTTPClient()
	UserAgent string       // sent when the request has none
	MaxBody   int64        // response size limit for Do; 0 means DefaultMaxBody

	// RequestTimeout bounds one attempt of Do, body included (a server
	// that never answers). 0 means 1 minute. For Open it bounds the wait
	// for response headers only.
	RequestTimeout time.Duration

	Retry     Retry
	Limiter   *rate.Limiter   // waited on before every attempt; nil: no client-side limit
	RateLimit RateLimitParser // reads the platform's headers; nil: none
	Counters  Counter         // retries and pauses are counted here when non-nil
	Logger    *slog.Logger    // nil: silent
	Secrets   []Secret        // scrubbed from every error message and log line; see also Register

	mu         sync.Mutex
	pauseUntil time.Time // from exhausted rate-limit headers
	last       RateLimit
	baseLimit  rate.Limit
	baseSet    bool
	secrets    []string // registered at run time (refreshed tokens), with their encodings
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
// 304, and an error otherwise: [*HTTPError], [*RateLimitError],
// [*TooLargeError], [*NetworkError] (after retries), or ctx.Err() when
// ctx is done. Requests with a body must have GetBody set (http.NewRequest
// does this for common readers) to be retried.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	return c.Fetch(ctx, req, nil)
}

// Fetch is [Client.Do] with a check of each answer: check (if not nil)
// decodes the response; an error it marks with [Again] (a truncated body,
// an HTML page with status 200) makes the attempt a transient failure,
// retried within the same retry budget, and any other error it returns is
// final.
func (c *Client) Fetch(ctx context.Context, req *http.Request, check func(*Response) error) (*Response, error) {
	var out *Response
	err := c.Run(ctx, func(ctx context.Context) (bool, error) {
		err := c.attempt(ctx, req, false, func(resp *http.Response) error {
			body, err := readLimited(resp.Body, c.maxBody())
			if err != nil {
				if errors.Is(err, ErrTooLarge) {
					return &TooLargeError{Platform: c.Platform, Limit: c.maxBody(), Header: resp.Header}
				}
				return c.netError(req, err)
			}
			out = &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, URL: resp.Request.URL}
			return nil
		})
		if err == nil && check != nil {
			out.RateLimit = c.LastRateLimit()
			if err = check(out); err != nil && !IsAgain(err) {
				err = Final(err)
			}
		}
		return false, err
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
	err := c.Run(ctx, func(ctx context.Context) (bool, error) {
		return false, c.attempt(ctx, req, true, func(resp *http.Response) error {
			out = resp
			return nil
		})
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

// netError maps a transport failure of req to a [*NetworkError].
func (c *Client) netError(req *http.Request, err error) *NetworkError {
	cause := scrubErr(err)
	if msg := cause.Error(); c.Redact(msg) != msg {
		cause = errors.New(c.Redact(msg))
	}
	return &NetworkError{Platform: c.Platform, Method: req.Method, URL: RedactURL(req.URL), Err: cause, Permanent: permanentNet(err)}
}

// DialError maps a failed dial of u (a WebSocket the adapter dials
// itself) to the [*NetworkError] Do would return: redacted, and permanent
// when retrying cannot help.
func (c *Client) DialError(u *url.URL, err error) error {
	return c.netError(&http.Request{Method: http.MethodGet, URL: u}, err)
}

// WaitTurn waits for any pause demanded by exhausted rate-limit headers
// and for the client's limiter. Adapters that dial WebSockets themselves
// call it before each dial. A wait of LongWait or more is logged and
// counted; one over Retry.MaxPause is not waited for: WaitTurn returns a
// [*RateLimitError] saying how long the platform asked to wait.
func (c *Client) WaitTurn(ctx context.Context) error {
	c.mu.Lock()
	until := c.pauseUntil
	c.mu.Unlock()
	if d := time.Until(until); d > 0 {
		rle := &RateLimitError{Platform: c.Platform, RetryAfter: d}
		if err := c.pause(ctx, d, "rate limit exhausted, waiting for the reset", rle); err != nil {
			return err
		}
	}
	if c.Limiter == nil {
		return nil
	}
	r := c.Limiter.Reserve()
	if !r.OK() {
		return fmt.Errorf("%s: limiter admits no request (burst 0)", c.Platform)
	}
	d := r.Delay()
	if d <= 0 {
		return nil
	}
	err := c.pause(ctx, d, "waiting for the rate limiter", &RateLimitError{Platform: c.Platform, RetryAfter: d})
	if err != nil {
		r.Cancel()
	}
	return err
}

// idempotent methods may be re-sent by net/http on a broken keep-alive
// connection; others must reach the server at most once per attempt.
func idempotent(method string) bool {
	switch method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
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
	if !idempotent(r.Method) {
		// net/http re-sends a request by itself when a reused connection
		// breaks, if the request looks replayable: it has GetBody, or an
		// Idempotency-Key header. A POST the server committed would then be
		// sent twice without anyone knowing (wire-formats §12). Every
		// retry must be ours: take GetBody away, and send the header under
		// a key net/http does not look for (header names are
		// case-insensitive on the wire).
		r.GetBody = nil
		for _, k := range []string{"Idempotency-Key", "X-Idempotency-Key"} {
			if v, ok := r.Header[k]; ok {
				delete(r.Header, k)
				r.Header[strings.ToLower(k)] = v
			}
		}
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
		ne := c.netError(req, err)
		if to {
			ne.Err, ne.Permanent = errors.New("no response within "+c.timeout().String()), false
		}
		return ne
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
		if to && err != nil && ctx.Err() == nil {
			if ne, isNet := err.(*NetworkError); isNet {
				ne.Err = fmt.Errorf("body not complete within %v", c.timeout())
			}
		}
		return err
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

// StatusError maps a non-2xx response to the error Do would return:
// [*RateLimitError] for 429, [*HTTPError] otherwise. Adapters use it for
// responses they got elsewhere (a failed WebSocket handshake); [Client.Run]
// decides on retrying it.
func (c *Client) StatusError(resp *http.Response, body []byte) error {
	c.observe(resp.Header, time.Now())
	return c.statusError(resp, body, time.Now())
}

func (c *Client) statusError(resp *http.Response, body []byte, at time.Time) error {
	code := resp.StatusCode
	ra, _ := ParseRetryAfter(resp.Header.Get("Retry-After"), at)
	if code == http.StatusTooManyRequests {
		wait := ra
		if c.RateLimit != nil {
			if rl, ok := c.RateLimit(resp.Header, at); ok && rl.Reset.After(at) {
				wait = max(wait, rl.Reset.Sub(at))
			}
		}
		// The floor is applied here, and only here, so that the error a
		// user sees shows the wait Run takes.
		return &RateLimitError{Platform: c.Platform, RetryAfter: max(wait, c.Retry.MinRateLimitWait)}
	}
	// Redact before cutting: a secret cut in half would no longer match.
	msg := c.Redact(ErrorMessage([]byte(c.Redact(string(body)))))
	return &HTTPError{Platform: c.Platform, StatusCode: code, Message: msg, RetryAfter: ra}
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
