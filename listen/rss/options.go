package rss

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/listen"
)

// Option configures a [Source]. Options only record values; [New]
// validates them.
type Option func(*config)

type config struct {
	httpClient *http.Client
	limiter    *rate.Limiter
	logger     *slog.Logger
	userAgent  string
	store      listen.CursorStore
	key        string
	interval   time.Duration
	maxRetry   time.Duration
	minBackoff time.Duration
	maxBackoff time.Duration
	seen       int
	maxBody    int64
	follow     bool
	reqTimeout time.Duration // bounds one request (a server that never answers); 0 = httpx default (1m)
}

func defaults() config {
	return config{
		userAgent:  "earshot-feeds/1.0 (+https://github.com/earshot-dev/earshot)",
		interval:   15 * time.Minute,
		maxRetry:   2 * time.Minute,
		minBackoff: time.Second,
		maxBackoff: 6 * time.Hour,
		seen:       1000,
		maxBody:    10 << 20,
	}
}

func (c *config) validate() error {
	switch {
	case c.interval <= 0:
		return errors.New("rss: poll interval must be positive")
	case c.minBackoff <= 0 || c.maxBackoff < c.minBackoff:
		return errors.New("rss: backoff needs 0 < min <= max")
	case c.seen <= 0:
		return errors.New("rss: dedupe size must be positive")
	case c.maxBody <= 0:
		return errors.New("rss: body limit must be positive")
	}
	return nil
}

// WithHTTPClient sets the HTTP client; auth, tracing and proxies go in
// through its RoundTripper. Leave its Transport's compression on: feeds
// are fetched with gzip.
func WithHTTPClient(c *http.Client) Option { return func(cfg *config) { cfg.httpClient = c } }

// WithLimiter makes every request wait for l, so several sources can
// share one budget.
func WithLimiter(l *rate.Limiter) Option { return func(cfg *config) { cfg.limiter = l } }

// WithLogger logs failed polls, moved and gone feeds to l. By default
// nothing is logged.
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.logger = l } }

// WithUserAgent sets the User-Agent header; feed hosts ask for a
// descriptive one.
func WithUserAgent(ua string) Option { return func(cfg *config) { cfg.userAgent = ua } }

// WithCursorStore saves each feed's validators (ETag, Last-Modified), its
// current URL after a permanent redirect and the keys of the items
// already delivered in store under key, and resumes from them. An empty
// key is derived from the feed URLs.
func WithCursorStore(store listen.CursorStore, key string) Option {
	return func(cfg *config) { cfg.store, cfg.key = store, key }
}

// WithInterval sets the polling interval of feeds whose [Feed.Interval]
// is zero (default 15 minutes). A longer Cache-Control max-age from the
// server wins.
func WithInterval(d time.Duration) Option { return func(cfg *config) { cfg.interval = d } }

// WithMaxRetryTime bounds how long one request is retried (network
// errors, 429, 5xx) before the feed is rescheduled with backoff (default
// 2 minutes).
func WithMaxRetryTime(d time.Duration) Option { return func(cfg *config) { cfg.maxRetry = d } }

// WithRetryBackoff sets the first retry wait and the longest delay a failing
// feed is put back by (default 1s and 6h).
func WithRetryBackoff(initial, max time.Duration) Option {
	return func(cfg *config) { cfg.minBackoff, cfg.maxBackoff = initial, max }
}

// WithDedupeSize sets how many item keys are remembered per feed (default
// 1000, and at least twice the feed's length), to drop items delivered
// before.
func WithDedupeSize(n int) Option { return func(cfg *config) { cfg.seen = n } }

// WithMaxBody limits the size of a feed document (default 10 MiB).
func WithMaxBody(n int64) Option { return func(cfg *config) { cfg.maxBody = n } }

// WithRequestTimeout bounds one request attempt, so a server that never
// answers fails (and is retried) instead of hanging (default 1m).
func WithRequestTimeout(d time.Duration) Option { return func(cfg *config) { cfg.reqTimeout = d } }

// Follow keeps polling the feeds until ctx is done. Without it, Posts
// fetches every feed once and ends.
func Follow() Option { return func(cfg *config) { cfg.follow = true } }
