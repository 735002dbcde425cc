// Package webhook delivers [trend.Alert] values to a Slack-compatible
// incoming webhook: a [trend.Sink] that posts {"text": ...} (and Block Kit
// blocks on request) to a secret URL.
//
// It lives apart from trend so that the detectors stay pure (trend imports
// no net/http): like the publishers of story/publish, it sends its requests
// through the project's shared HTTP layer (internal/httpx), with its
// limits, backoff, Retry-After handling and redaction.
//
// # Retries
//
// Network errors, 408, 425, 429 and 5xx answers are retried with
// exponential backoff and jitter, never sooner than the retry interval
// ([WithRetryInterval], 500 ms by default) after the previous attempt,
// honouring Retry-After, until the retry time ([WithMaxRetryTime], 1 min)
// would be passed: then the last failure is final. Other statuses (400,
// 403, 404) are final at once. The request carries no Idempotency-Key, so
// net/http never replays the POST by itself: every attempt is one the
// webhook counts and logs.
//
// # Errors
//
// Every failure is an [*Error] with the last HTTP status (or the network
// error) and the number of attempts, also when ctx ends during the
// retries: the error then also unwraps to ctx's error, so the cause a user
// sees is "status 500 after 7 attempts", not just "context canceled".
//
// The URL is a secret (Slack's carries the credential in its path): it
// never appears in errors, logs or String.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/trend"
)

// Error reports a webhook delivery that failed for good. It never
// contains the webhook URL.
type Error struct {
	StatusCode int    // the last HTTP status; 0 when the last attempt got no answer
	Cause      string // the last network error, when StatusCode is 0
	Attempts   int    // requests sent
	Err        error  // ctx's error when ctx ended the retries, else nil
}

func (e *Error) Error() string {
	last := fmt.Sprintf("status %d", e.StatusCode)
	if e.StatusCode == 0 {
		last = e.Cause
	}
	s := "webhook: " + last
	if e.Attempts > 0 {
		s += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	if e.Err != nil {
		s += " (stopped: " + e.Err.Error() + ")"
	}
	return s
}

// Unwrap returns ctx's error when ctx ended the retries, else nil.
func (e *Error) Unwrap() error { return e.Err }

// Webhook posts alerts to one incoming-webhook URL. It is safe for
// concurrent use; build it with [New].
type Webhook struct {
	target *url.URL // a pointer, so that even a %+v dump prints no secret
	client *httpx.Client
	blocks bool
	format func(trend.Alert) string
}

type config struct {
	client   *http.Client
	maxTime  time.Duration
	interval time.Duration
	blocks   bool
	format   func(trend.Alert) string
	logger   *slog.Logger
}

// Option configures a [Webhook].
type Option func(*config)

// WithHTTPClient sets the HTTP client (default: one with bounded dial, TLS
// and response-header waits). Each attempt is also bounded to 10 s.
func WithHTTPClient(c *http.Client) Option { return func(o *config) { o.client = c } }

// WithMaxRetryTime bounds the time spent retrying one alert (default 1
// min).
func WithMaxRetryTime(d time.Duration) Option { return func(o *config) { o.maxTime = d } }

// WithRetryInterval sets the shortest wait between two attempts (default
// 500 ms); later waits grow exponentially.
func WithRetryInterval(d time.Duration) Option { return func(o *config) { o.interval = d } }

// WithBlocks adds Slack Block Kit blocks (a section, a context line and
// up to three evidence quotes).
func WithBlocks() Option { return func(o *config) { o.blocks = true } }

// WithFormat sets how an alert becomes the message text (default
// [trend.Alert.String]).
func WithFormat(f func(trend.Alert) string) Option { return func(o *config) { o.format = f } }

// WithLogger logs each retry (at debug level, with the attempt, the wait
// and the cause); by default nothing is logged.
func WithLogger(l *slog.Logger) Option { return func(o *config) { o.logger = l } }

// New returns a Webhook posting to rawURL, which must be an http or https
// URL.
func New(rawURL string, opts ...Option) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("webhook: want an http(s) URL")
	}
	cfg := config{maxTime: time.Minute, interval: 500 * time.Millisecond, format: trend.Alert.String}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxTime <= 0 || cfg.interval <= 0 {
		return nil, errors.New("webhook: retry time and interval must be positive")
	}
	if cfg.format == nil {
		return nil, errors.New("webhook: nil format")
	}
	base := cfg.client
	if base == nil {
		base = httpx.DefaultHTTPClient()
	}
	secrets := []httpx.Secret{httpx.Secret(rawURL), httpx.Secret(u.String())}
	if p := u.EscapedPath(); len(p) > 1 {
		secrets = append(secrets, httpx.Secret(p))
	}
	rec := &recorder{next: base.Transport, secrets: secrets}
	if rec.next == nil {
		rec.next = http.DefaultTransport
	}
	hc := *base
	hc.Transport = rec
	w := &Webhook{
		target: u,
		blocks: cfg.blocks,
		format: cfg.format,
		client: &httpx.Client{
			Platform:       "webhook",
			HTTP:           &hc,
			MaxBody:        64 << 10,
			RequestTimeout: 10 * time.Second,
			Logger:         cfg.logger,
			Secrets:        secrets,
			Retry: httpx.Retry{
				// The jitter draws a wait in [0.5, 1.5] times the backoff
				// interval: starting at twice the interval keeps every
				// wait at or above it.
				Initial:          2 * cfg.interval,
				Max:              max(30*time.Second, 2*cfg.interval),
				MaxElapsed:       cfg.maxTime,
				MinServerWait:    cfg.interval,
				MinRateLimitWait: cfg.interval,
			},
		},
	}
	return w, nil
}

// String describes the webhook without its secret URL.
func (w *Webhook) String() string { return "webhook.Webhook([REDACTED])" }

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks,omitempty"`
}

// Payload returns the JSON body Send posts for a.
func (w *Webhook) Payload(a trend.Alert) ([]byte, error) {
	m := slackMessage{Text: w.format(a)}
	if w.blocks {
		head := fmt.Sprintf("*%s %s* `%s`", strings.ToUpper(a.Severity.String()), a.Kind, a.Key)
		if a.Summary != "" {
			head += "\n" + a.Summary
		}
		ctx := fmt.Sprintf("since %s, score %.2f", a.Start.UTC().Format(time.RFC3339), a.Score)
		if !a.Open() {
			ctx = fmt.Sprintf("from %s, ended %s, score %.2f", a.Start.UTC().Format(time.RFC3339),
				a.End.UTC().Format(time.RFC3339), a.Score)
		}
		m.Blocks = []slackBlock{
			{Type: "section", Text: &slackText{Type: "mrkdwn", Text: head}},
			{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: ctx}}},
		}
		for i, e := range a.Evidence {
			if i == 3 {
				break
			}
			m.Blocks = append(m.Blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: "> " + e.Text}})
		}
	}
	return json.Marshal(m)
}

// Send posts a, retrying transient failures (see the package
// documentation). A non-nil error is an [*Error].
func (w *Webhook) Send(ctx context.Context, a trend.Alert) error {
	body, err := w.Payload(a)
	if err != nil {
		return &Error{Cause: "encode: " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.target.String(), bytes.NewReader(body))
	if err != nil {
		return &Error{Cause: "bad request"}
	}
	req.Header.Set("Content-Type", "application/json")
	if err := ctx.Err(); err != nil {
		return &Error{Cause: "not sent", Err: err}
	}
	att := &attempts{ctx: ctx}
	_, err = w.client.Do(context.WithValue(ctx, attemptsKey{}, att), req)
	if err == nil {
		return nil
	}
	n, status, cause := att.last()
	e := &Error{StatusCode: status, Attempts: n, Cause: cause}
	if ctx.Err() != nil {
		e.Err = ctx.Err()
	}
	if status == 0 && cause == "" {
		e.Cause = "not sent" // ctx ended before the first attempt
	}
	return e
}

// attempts records what each request of one Send got, seen from the
// transport: the webhook's own count, independent of httpx's errors
// (which name the URL) and of ctx (which hides the last status).
type attempts struct {
	ctx    context.Context // the Send's
	mu     sync.Mutex
	n      int
	status int
	cause  string
}

// record notes one attempt. An attempt cut short because the Send's ctx
// ended keeps the previous outcome as the cause.
func (a *attempts) record(status int, cause string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	if status == 0 && a.ctx.Err() != nil && (a.status != 0 || a.cause != "") {
		return
	}
	a.status, a.cause = status, cause
}

func (a *attempts) last() (n, status int, cause string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n, a.status, a.cause
}

type attemptsKey struct{}

// recorder is the transport under the webhook's client: it records each
// attempt's outcome in the Send's attempts, scrubbed of the URL.
type recorder struct {
	next    http.RoundTripper
	secrets []httpx.Secret
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if a, ok := req.Context().Value(attemptsKey{}).(*attempts); ok {
		switch {
		case err != nil && a.ctx.Err() != nil:
			a.record(0, "no answer") // cut short by the Send's ctx
		case err != nil && req.Context().Err() != nil:
			a.record(0, "no answer within the attempt's time limit")
		case err != nil:
			var ue *url.Error
			cause := err
			if errors.As(err, &ue) {
				cause = ue.Err
			}
			a.record(0, httpx.Redact(cause.Error(), r.secrets...))
		default:
			a.record(resp.StatusCode, "")
		}
	}
	return resp, err
}
