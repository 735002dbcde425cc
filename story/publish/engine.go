package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/story"
)

// Errors callers act on.
var (
	// ErrUnconfirmed: a part may or may not have been posted (a request
	// failed after it may have reached the server), and the look-up could
	// not settle it before retries ran out. The journal keeps the part
	// pending; the next Publish of the thread looks again before sending
	// anything.
	ErrUnconfirmed = errors.New("publish: outcome of a post unknown")
	// ErrNotSent: the part was certainly not posted. No connection could be
	// made (connection refused, DNS failure, TLS failure: reported at once,
	// without retries), or the platform refused the post (validation,
	// authentication; the error also unwraps to a [*listen.HTTPError]), or
	// it stayed rate limited until the retries ran out. Publishing the
	// thread again sends the part; fix a permanent cause first.
	ErrNotSent = errors.New("publish: not sent")
	// ErrThreadChanged: a thread ID was published before with other text
	// in a part already posted.
	ErrThreadChanged = errors.New("publish: thread changed since it was first published")
	// ErrMedia: the publisher cannot upload images (X, for now).
	ErrMedia = errors.New("publish: media upload not supported")
)

// PartError reports the part of a thread that failed. It unwraps to the
// cause: a [*story.LengthError], [ErrUnconfirmed], [ErrNotSent] (with a
// [*listen.HTTPError] for a refused post, [listen.ErrAuth] for bad
// credentials), [ErrThreadChanged], ctx.Err().
type PartError struct {
	Platform string
	Thread   string
	Part     int // 0-based
	Err      error
}

func (e *PartError) Error() string {
	return fmt.Sprintf("publish: %s: thread %q part %d: %v", e.Platform, e.Thread, e.Part+1, e.Err)
}

func (e *PartError) Unwrap() error { return e.Err }

// Part states in the journal.
const (
	statePending = "pending" // saved before the request: outcome unknown until confirmed
	stateSent    = "sent"
	stateFailed  = "failed" // the platform refused it: certainly not posted
)

type partRecord struct {
	State    string     `json:"state"`
	Key      string     `json:"key,omitempty"` // idempotency material: Mastodon key, Bluesky rkey
	Hash     string     `json:"hash"`          // of the part's text, to detect a changed thread
	Sent     story.Sent `json:"sent,omitzero"`
	Since    time.Time  `json:"since,omitzero"` // first attempt
	Attempts int        `json:"attempts,omitempty"`
	Error    string     `json:"error,omitempty"`
	// Uploaded images, reused by retries: Mastodon media IDs, Bluesky blobs.
	Media []string          `json:"media,omitempty"`
	Blobs []json.RawMessage `json:"blobs,omitempty"`
}

type threadRecord struct {
	Parts []partRecord `json:"parts"`
}

type config struct {
	http       *http.Client
	limiter    *rate.Limiter
	store      story.Store
	logger     *slog.Logger
	maxRetry   time.Duration
	initial    time.Duration
	visibility string
	maxChars   int
	shorten    int
	now        func() time.Time
}

// Option configures a publisher.
type Option func(*config)

// WithHTTPClient sets the HTTP client (auth, tracing and proxies go in
// its RoundTripper). The publisher sends through a copy of c, which it
// keeps from sending a post twice by itself (see "Exactly once" in the
// package documentation); c is not changed. Default: a client of its own
// with sane timeouts.
func WithHTTPClient(c *http.Client) Option { return func(o *config) { o.http = c } }

// WithLimiter shares an API budget: every request waits on l.
func WithLimiter(l *rate.Limiter) Option { return func(o *config) { o.limiter = l } }

// WithStore sets where the journal of parts is kept. Default: memory,
// which protects only within the process; use a [story.FileStore] or
// your database so that a restart resumes a thread. Entries are keyed by
// platform, account (server and a hash of the credential, never the
// credential itself) and thread ID; they are never deleted by the
// publisher, so a host that publishes thousands of threads prunes old
// "publish/..." keys itself.
func WithStore(s story.Store) Option { return func(o *config) { o.store = s } }

// WithLogger logs retries and look-ups (at info) as they happen, so that a
// host waiting on Publish sees why. Default: silent.
func WithLogger(l *slog.Logger) Option { return func(o *config) { o.logger = l } }

// WithMaxRetryTime bounds how long one part is retried (default 10m).
func WithMaxRetryTime(d time.Duration) Option { return func(o *config) { o.maxRetry = d } }

// WithRetryInterval sets the first backoff interval (default 1s).
func WithRetryInterval(d time.Duration) Option { return func(o *config) { o.initial = d } }

// WithVisibility sets the Mastodon visibility of every part: public
// (default), unlisted, private or direct.
func WithVisibility(v string) Option { return func(o *config) { o.visibility = v } }

// WithMaxCharacters sets the Mastodon instance's status limit
// (configuration.statuses.max_characters; default 500).
func WithMaxCharacters(n int) Option { return func(o *config) { o.maxChars = n } }

// WithShortLinks shows Bluesky links shortened to n graphemes in the text,
// the full URL staying in the link facet (see [story.ShortenLinks]).
func WithShortLinks(n int) Option { return func(o *config) { o.shorten = n } }

func newConfig(opts []Option) (*config, error) {
	c := &config{maxRetry: 10 * time.Minute, initial: time.Second, visibility: "public", now: time.Now}
	for _, o := range opts {
		o(c)
	}
	if c.store == nil {
		c.store = &story.MemoryStore{}
	}
	switch c.visibility {
	case "public", "unlisted", "private", "direct":
	default:
		return nil, fmt.Errorf("publish: unknown visibility %q", c.visibility)
	}
	if c.maxRetry <= 0 || c.initial <= 0 {
		return nil, errors.New("publish: retry durations must be positive")
	}
	return c, nil
}

// clients builds the httpx clients for one platform. Posts are sent with
// single attempts: the engine decides on retries after looking the post
// up. Reads (look-ups, sessions) are retried by httpx, which also keeps
// net/http from re-sending a post by itself. Both send through [probed],
// so that a failure to connect is known for what it is.
func (c *config) clients(platform string, parse httpx.RateLimitParser, secrets ...httpx.Secret) (post, read *httpx.Client) {
	hc := probed(c.http)
	mk := func(r httpx.Retry) *httpx.Client {
		return &httpx.Client{
			Platform:  platform,
			HTTP:      hc,
			UserAgent: "earshot-story/1",
			Limiter:   c.limiter,
			RateLimit: parse,
			Logger:    c.logger,
			Secrets:   append([]httpx.Secret(nil), secrets...),
			Retry:     r,
		}
	}
	post = mk(httpx.Retry{MaxAttempts: 1})
	read = mk(httpx.Retry{Initial: c.initial, MaxElapsed: c.maxRetry})
	return post, read
}

// outcome classifies a failed attempt.
type outcome int

const (
	unclear outcome = iota // the post may exist: look it up before retrying
	refused                // certainly not posted, retrying will not help
	again                  // certainly not posted, retry after the wait
	settled                // unclear, but retrying cannot help (X: duplicate): look up once, then report
)

// platform is what each publisher supplies to the engine.
type platform interface {
	name() string
	account() string // identifies the account in journal keys, without secrets
	check(p story.Part) error
	newKey(t story.Thread, i int) string
	// post makes one attempt. root and parent are zero for part 0.
	post(ctx context.Context, t story.Thread, i int, rec *partRecord, root, parent story.Sent) (story.Sent, error)
	// find looks for part i as posted by an earlier attempt.
	find(ctx context.Context, t story.Thread, i int, rec *partRecord, parent story.Sent) (story.Sent, bool, error)
	classify(err error) (outcome, time.Duration)
}

type engine struct {
	cfg *config
	p   platform
	mu  sync.Mutex // one Publish at a time: retries of a key must not race
}

func hashText(p story.Part) string {
	h := sha256.Sum256([]byte(p.Spoiler + "\x00" + p.Text))
	return hex.EncodeToString(h[:8])
}

func (e *engine) journalKey(id string) string {
	return "publish/" + e.p.name() + "/" + e.p.account() + "/" + id
}

func (e *engine) load(ctx context.Context, t story.Thread) (threadRecord, error) {
	var tr threadRecord
	b, err := e.cfg.store.Load(ctx, e.journalKey(t.ID))
	if err != nil {
		return tr, fmt.Errorf("publish: %s: load journal: %w", e.p.name(), err)
	}
	if b != nil {
		if err := json.Unmarshal(b, &tr); err != nil {
			return tr, fmt.Errorf("publish: %s: corrupt journal for %q: %w", e.p.name(), t.ID, err)
		}
	}
	return tr, nil
}

func (e *engine) save(ctx context.Context, t story.Thread, tr *threadRecord) error {
	b, err := json.Marshal(tr)
	if err != nil {
		return err
	}
	if err := e.cfg.store.Save(ctx, e.journalKey(t.ID), b); err != nil {
		return fmt.Errorf("publish: %s: save journal: %w", e.p.name(), err)
	}
	return nil
}

func (e *engine) publish(ctx context.Context, t story.Thread) ([]story.Sent, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	name := e.p.name()
	if t.ID == "" {
		return nil, fmt.Errorf("publish: %s: thread has no ID", name)
	}
	if len(t.Parts) == 0 {
		return nil, fmt.Errorf("publish: %s: thread %q: %w", name, t.ID, story.ErrEmpty)
	}
	// Validate every part before anything is posted.
	for i, p := range t.Parts {
		if err := e.p.check(p); err != nil {
			var le *story.LengthError
			if errors.As(err, &le) {
				le.Part = i
			}
			return nil, &PartError{Platform: name, Thread: t.ID, Part: i, Err: err}
		}
	}
	tr, err := e.load(ctx, t)
	if err != nil {
		return nil, err
	}
	if len(tr.Parts) > len(t.Parts) {
		return nil, &PartError{Platform: name, Thread: t.ID, Part: len(t.Parts), Err: ErrThreadChanged}
	}
	for len(tr.Parts) < len(t.Parts) {
		tr.Parts = append(tr.Parts, partRecord{})
	}
	var sent []story.Sent
	for i, p := range t.Parts {
		rec := &tr.Parts[i]
		if rec.State == stateSent {
			if rec.Hash != hashText(p) {
				return sent, &PartError{Platform: name, Thread: t.ID, Part: i, Err: ErrThreadChanged}
			}
			sent = append(sent, rec.Sent)
			continue
		}
		root, parent := replyRefs(t, sent, i)
		s, err := e.part(ctx, t, i, rec, &tr, root, parent)
		if err != nil {
			return sent, &PartError{Platform: name, Thread: t.ID, Part: i, Err: err}
		}
		sent = append(sent, s)
	}
	return sent, nil
}

// part publishes part i, whose record is not "sent".
func (e *engine) part(ctx context.Context, t story.Thread, i int, rec *partRecord, tr *threadRecord, root, parent story.Sent) (story.Sent, error) {
	p := t.Parts[i]
	if err := ctx.Err(); err != nil {
		return story.Sent{}, err
	}
	if rec.State == statePending {
		// An earlier run stopped with the outcome unknown (crash, timeout):
		// look before sending anything.
		s, ok, ferr := e.find(ctx, t, i, rec, parent)
		switch {
		case ferr != nil && ctx.Err() != nil:
			return story.Sent{}, ctx.Err()
		case ferr != nil:
			return story.Sent{}, unconfirmed(nil, ferr)
		case ok:
			return s, e.markSent(ctx, t, rec, tr, s)
		}
	}
	if rec.Key == "" {
		rec.Key = e.p.newKey(t, i)
	}
	if rec.Since.IsZero() {
		rec.Since = e.cfg.now()
	}
	rec.Hash = hashText(p)
	rec.Error = ""
	bo := httpx.NewBackoff(httpx.Retry{Initial: e.cfg.initial, MaxElapsed: e.cfg.maxRetry})
	// uncertain: an attempt may have been committed without the look-up
	// seeing it yet. The part then stays pending whatever happens next, so
	// the next run looks again before sending.
	uncertain := rec.State == statePending
	for {
		if err := ctx.Err(); err != nil {
			return story.Sent{}, err
		}
		rec.State = statePending
		rec.Attempts++
		if err := e.save(ctx, t, tr); err != nil { // durable before the request
			return story.Sent{}, err
		}
		s, unsent, err := e.post(ctx, t, i, rec, root, parent)
		if err == nil {
			return s, e.markSent(ctx, t, rec, tr, s)
		}
		if ctx.Err() != nil {
			return story.Sent{}, ctx.Err() // stays pending: the next run looks first
		}
		kind, wait := e.p.classify(err)
		if unsent {
			kind = refused // nothing reached the server: no look-up, no retry
		}
		switch kind {
		case refused:
			return story.Sent{}, e.notSent(ctx, t, rec, tr, uncertain, err)
		case settled:
			s, ok, ferr := e.find(ctx, t, i, rec, parent)
			if ferr == nil && ok {
				return s, e.markSent(ctx, t, rec, tr, s)
			}
			if ferr != nil && ctx.Err() != nil {
				return story.Sent{}, ctx.Err()
			}
			return story.Sent{}, unconfirmed(err, ferr)
		case unclear:
			uncertain = true
			e.log(ctx, "outcome unclear, looking the post up", t, i, err)
			s, ok, ferr := e.find(ctx, t, i, rec, parent)
			if ferr == nil && !ok {
				e.log(ctx, "the look-up found no such post", t, i, nil)
			}
			if ferr != nil && ctx.Err() != nil {
				return story.Sent{}, ctx.Err()
			}
			if ferr != nil {
				return story.Sent{}, unconfirmed(err, ferr)
			}
			if ok {
				return s, e.markSent(ctx, t, rec, tr, s)
			}
		case again:
			// Refused (rate limit, expired session): this attempt posted
			// nothing. The record stays pending if an earlier one was unclear.
			if !uncertain {
				rec.State = stateFailed
				if serr := e.save(ctx, t, tr); serr != nil {
					return story.Sent{}, serr
				}
			}
		}
		d, more := bo.Next()
		if wait > d {
			d = wait
		}
		if !more || d > bo.Remaining() {
			if uncertain {
				return story.Sent{}, unconfirmed(err, nil)
			}
			return story.Sent{}, fmt.Errorf("%w: %w", ErrNotSent, err)
		}
		e.log(ctx, "retrying", t, i, err, slog.Duration("wait", d))
		if err := httpx.Sleep(ctx, d); err != nil {
			return story.Sent{}, err
		}
	}
}

// post makes one attempt at part i. unsent reports that no connection
// could be made, so that nothing was sent; err then says why.
func (e *engine) post(ctx context.Context, t story.Thread, i int, rec *partRecord, root, parent story.Sent) (s story.Sent, unsent bool, err error) {
	pctx, probe, done := withProbe(ctx)
	defer done()
	s, err = e.p.post(pctx, t, i, rec, root, parent)
	if err != nil && ctx.Err() == nil {
		if nc := probe.unsent(); nc != nil {
			return story.Sent{}, true, nc
		}
	}
	return s, false, err
}

// find looks part i up. A server that cannot be reached ends the look-up
// at once: the outcome then stays unknown.
func (e *engine) find(ctx context.Context, t story.Thread, i int, rec *partRecord, parent story.Sent) (story.Sent, bool, error) {
	pctx, probe, done := withProbe(ctx)
	defer done()
	s, ok, err := e.p.find(pctx, t, i, rec, parent)
	if err != nil && ctx.Err() == nil {
		if nc := probe.unsent(); nc != nil {
			err = nc
		}
	}
	return s, ok, err
}

// notSent records a refused attempt: the part is failed (certainly not
// posted) unless an earlier attempt was unclear, in which case it stays
// pending and its outcome is unknown.
func (e *engine) notSent(ctx context.Context, t story.Thread, rec *partRecord, tr *threadRecord, uncertain bool, err error) error {
	rec.Error = err.Error()
	rec.State = stateFailed
	out := fmt.Errorf("%w: %w", ErrNotSent, err)
	if uncertain {
		rec.State = statePending
		out = unconfirmed(err, nil)
	}
	if serr := e.save(ctx, t, tr); serr != nil {
		return errors.Join(out, serr)
	}
	return out
}

// unconfirmed reports a part whose outcome is unknown: err from the last
// attempt (nil for a part left pending by an earlier run) and ferr from
// the look-up (nil when it ran and found nothing).
func unconfirmed(err, ferr error) error {
	switch {
	case err == nil:
		return fmt.Errorf("%w: look-up: %w", ErrUnconfirmed, ferr)
	case ferr == nil:
		return fmt.Errorf("%w: %w", ErrUnconfirmed, err)
	}
	return fmt.Errorf("%w: %w; look-up: %w", ErrUnconfirmed, err, ferr)
}

func (e *engine) markSent(ctx context.Context, t story.Thread, rec *partRecord, tr *threadRecord, s story.Sent) error {
	rec.State, rec.Sent, rec.Error = stateSent, s, ""
	return e.save(ctx, t, tr)
}

// log reports a retry or a look-up at info: they are rare, and a host
// waiting on Publish should see why it waits.
func (e *engine) log(ctx context.Context, msg string, t story.Thread, i int, err error, attrs ...slog.Attr) {
	if e.cfg.logger == nil {
		return
	}
	attrs = append([]slog.Attr{slog.String("thread", t.ID), slog.Int("part", i+1)}, attrs...)
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	e.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "publish: "+e.p.name()+": "+msg, attrs...)
}

// classifyHTTP is the common part of classify: rate limits are retried,
// 5xx, 408 and network errors are unclear, other statuses are refusals.
func classifyHTTP(err error) (outcome, time.Duration) {
	var rle *listen.RateLimitError
	if errors.As(err, &rle) {
		return again, rle.RetryAfter
	}
	var he *listen.HTTPError
	if errors.As(err, &he) {
		if he.StatusCode >= 500 || he.StatusCode == 408 || he.StatusCode == 425 {
			return unclear, 0
		}
		return refused, 0
	}
	var tl *httpx.TooLargeError
	if errors.As(err, &tl) {
		return unclear, 0
	}
	return unclear, 0 // network error: the server may have committed
}

func accountHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:6])
}

func noImages(name string, p story.Part) error {
	if len(p.Images) > 0 {
		return fmt.Errorf("publish: %s: %w (%d images with alt text)", name, ErrMedia, len(p.Images))
	}
	return nil
}

// replyRefs returns the root and parent of part i: the previous part and
// the first one, or for part 0 of an answer the post answered.
func replyRefs(t story.Thread, sent []story.Sent, i int) (root, parent story.Sent) {
	root = t.ReplyRoot
	if root.ID == "" {
		root = t.ReplyTo
	}
	if i == 0 {
		return root, t.ReplyTo
	}
	if root.ID == "" {
		root = sent[0]
	}
	return root, sent[i-1]
}

// checkImages applies a platform's image rules: at most max images, each
// with data, a MIME type, alt text within altMax graphemes and at most
// maxBytes bytes (0: no limit).
func checkImages(name string, p story.Part, max, altMax, maxBytes int) error {
	if len(p.Images) > max {
		return fmt.Errorf("publish: %s: %d images, at most %d", name, len(p.Images), max)
	}
	for i, im := range p.Images {
		switch {
		case len(im.Data) == 0:
			return fmt.Errorf("publish: %s: image %d has no data", name, i+1)
		case im.MIME == "":
			return fmt.Errorf("publish: %s: image %d has no MIME type", name, i+1)
		case strings.TrimSpace(im.Alt) == "":
			return fmt.Errorf("publish: %s: image %d has no alt text", name, i+1)
		case story.BlueskyRules{}.Count(im.Alt) > altMax:
			return fmt.Errorf("publish: %s: image %d: alt text longer than %d characters", name, i+1, altMax)
		case maxBytes > 0 && len(im.Data) > maxBytes:
			return fmt.Errorf("publish: %s: image %d: %d bytes, at most %d", name, i+1, len(im.Data), maxBytes)
		}
	}
	return nil
}

// jsonRequest builds a request for base+path?q: body, when not nil, as
// JSON with its Content-Type, and token, when set, as a bearer token.
func jsonRequest(ctx context.Context, method string, base *url.URL, path string, q url.Values, body any, token httpx.Secret) (*http.Request, error) {
	u := *base
	u.Path += path
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+string(token))
	}
	return req, nil
}
