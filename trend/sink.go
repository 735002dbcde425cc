package trend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Sink receives alerts. Send may block (a webhook retries); the error it
// returns is final.
type Sink interface {
	Send(ctx context.Context, a Alert) error
}

// SinkFunc adapts a function to a [Sink]: the callback sink.
type SinkFunc func(ctx context.Context, a Alert) error

// Send calls f(ctx, a).
func (f SinkFunc) Send(ctx context.Context, a Alert) error { return f(ctx, a) }

// Dedupe returns a Sink that passes each episode on at most twice: when it
// is first reported and when it ends. Updates of an open episode (a new
// peak) and repeats are dropped, so a chat channel gets one message when a
// spike starts and one when it is over. It remembers the last n episodes
// (n <= 0 means 1024). It is safe for concurrent use.
func Dedupe(s Sink, n int) Sink {
	if s == nil {
		panic("trend: Dedupe of a nil Sink")
	}
	return &dedupe{next: s, max: orInt(n, 1024), seen: map[episode]bool{}}
}

type episode struct {
	kind  AlertKind
	key   string
	start int64
}

type dedupe struct {
	next  Sink
	max   int
	mu    sync.Mutex
	seen  map[episode]bool // value: the end has been sent
	order []episode
}

func (d *dedupe) Send(ctx context.Context, a Alert) error {
	e := episode{a.Kind, a.Key, a.Start.UnixNano()}
	d.mu.Lock()
	ended, known := d.seen[e]
	if known && (ended || a.Open()) {
		d.mu.Unlock()
		return nil
	}
	if !known {
		if len(d.order) >= d.max {
			delete(d.seen, d.order[0])
			d.order = d.order[1:]
		}
		d.order = append(d.order, e)
	}
	d.seen[e] = !a.Open()
	d.mu.Unlock()
	return d.next.Send(ctx, a)
}

// ErrWebhook is what every error from a [Webhook] that is not a context
// error unwraps to.
var ErrWebhook = errors.New("trend: webhook failed")

// WebhookError reports a webhook that answered with a failing status after
// all retries. It never contains the webhook URL, which is a secret.
type WebhookError struct {
	StatusCode int
	Attempts   int
}

func (e *WebhookError) Error() string {
	return fmt.Sprintf("trend: webhook: status %d after %d attempts", e.StatusCode, e.Attempts)
}

// Unwrap returns [ErrWebhook].
func (e *WebhookError) Unwrap() error { return ErrWebhook }

// Webhook posts alerts as Slack-compatible JSON ({"text": ...}, plus
// "blocks" when WithBlocks is set) to an incoming-webhook URL. Network
// errors, 408, 429 and 5xx answers are retried with exponential backoff,
// honouring Retry-After, until the retry time runs out or ctx is done. The
// URL is a secret: it never appears in errors or in String. A Webhook is
// safe for concurrent use.
type Webhook struct {
	target  *url.URL // a pointer, so that even a %+v dump prints no secret
	client  *http.Client
	maxTime time.Duration
	initial time.Duration
	blocks  bool
	format  func(Alert) string
}

// WebhookOption configures a [Webhook].
type WebhookOption func(*Webhook)

// WithHTTPClient sets the client (default: a client with a 10 s timeout).
func WithHTTPClient(c *http.Client) WebhookOption { return func(w *Webhook) { w.client = c } }

// WithMaxRetryTime bounds the time spent retrying one alert (default 1 min).
func WithMaxRetryTime(d time.Duration) WebhookOption { return func(w *Webhook) { w.maxTime = d } }

// WithRetryInterval sets the first wait between attempts (default 500 ms).
func WithRetryInterval(d time.Duration) WebhookOption { return func(w *Webhook) { w.initial = d } }

// WithBlocks adds Slack Block Kit blocks (a section and a context line).
func WithBlocks() WebhookOption { return func(w *Webhook) { w.blocks = true } }

// WithFormat sets how an alert becomes the message text (default
// [Alert.String]).
func WithFormat(f func(Alert) string) WebhookOption { return func(w *Webhook) { w.format = f } }

// NewWebhook returns a Webhook posting to rawURL, which must be an http or
// https URL.
func NewWebhook(rawURL string, opts ...WebhookOption) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("trend: webhook: want an http(s) URL")
	}
	w := &Webhook{target: u}
	for _, o := range opts {
		o(w)
	}
	if w.client == nil {
		w.client = &http.Client{Timeout: 10 * time.Second}
	}
	if w.maxTime < 0 || w.initial < 0 {
		return nil, errors.New("trend: webhook: negative duration")
	}
	w.maxTime = orD(w.maxTime, time.Minute)
	w.initial = orD(w.initial, 500*time.Millisecond)
	if w.format == nil {
		w.format = Alert.String
	}
	return w, nil
}

// String describes the webhook without its secret URL.
func (w *Webhook) String() string { return "trend.Webhook([REDACTED])" }

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
func (w *Webhook) Payload(a Alert) ([]byte, error) {
	m := slackMessage{Text: w.format(a)}
	if w.blocks {
		head := fmt.Sprintf("*%s %s* `%s`", strings.ToUpper(a.Severity.String()), a.Kind, a.Key)
		if a.Summary != "" {
			head += "\n" + a.Summary
		}
		ctx := fmt.Sprintf("since %s, score %.2f", a.Start.UTC().Format(time.RFC3339), a.Score)
		if !a.Open() {
			ctx += ", ended " + a.End.UTC().Format(time.RFC3339)
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

// Send posts a, retrying transient failures.
func (w *Webhook) Send(ctx context.Context, a Alert) error {
	body, err := w.Payload(a)
	if err != nil {
		return fmt.Errorf("trend: webhook: encode: %w", err)
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = w.initial
	b.MaxElapsedTime = w.maxTime
	b.Reset()
	start := time.Now()
	for attempt := 1; ; attempt++ {
		status, retryAfter, err := w.post(ctx, body)
		if err == nil && status < 300 {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && !retryStatus(status) {
			return &WebhookError{StatusCode: status, Attempts: attempt}
		}
		wait := b.NextBackOff()
		if retryAfter > wait {
			wait = retryAfter
		}
		if wait == backoff.Stop || time.Since(start)+wait > w.maxTime {
			if err != nil {
				return fmt.Errorf("%w: %v after %d attempts", ErrWebhook, err, attempt)
			}
			return &WebhookError{StatusCode: status, Attempts: attempt}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// post makes one attempt. Errors are stripped of the URL.
func (w *Webhook) post(ctx context.Context, body []byte) (status int, retryAfter time.Duration, err error) {
	raw := w.target.String()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, raw, bytes.NewReader(body))
	if err != nil {
		return 0, 0, errors.New("bad request")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		msg := strings.ReplaceAll(err.Error(), raw, "[REDACTED]")
		if p := w.target.EscapedPath(); len(p) > 1 {
			msg = strings.ReplaceAll(msg, p, "/[REDACTED]")
		}
		return 0, 0, errors.New(msg)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), nil
}

func retryStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// parseRetryAfter reads delay-seconds or an HTTP date; 0 if absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
