package x

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/listen"
)

// Option configures a [Search] or [Stream]. Options only record values;
// the constructor validates them.
type Option func(*config)

type config struct {
	baseURL    string
	httpClient *http.Client
	limiter    *rate.Limiter
	logger     *slog.Logger
	userAgent  string
	store      listen.CursorStore
	key        string
	interval   time.Duration
	pageSize   int
	maxPages   int
	maxRetry   time.Duration
	minBackoff time.Duration
	maxBackoff time.Duration
	idle       time.Duration
	maxBody    int64         // 0 = httpx default (50 MB)
	reqTimeout time.Duration // 0 = httpx default (1m)
	backfill   string
	follow     bool
	dedupe     int

	// Floors from wire-formats §11 (X: 429 >= 60s, HTTP errors >= 5s).
	// Tests lower them through the unexported fields.
	min429 time.Duration
	min5xx time.Duration
}

func defaults() config {
	return config{
		baseURL:    "https://api.x.com",
		userAgent:  "earshot (+https://github.com/earshot-dev/earshot)",
		interval:   time.Minute,
		pageSize:   100,
		maxPages:   50,
		maxRetry:   15 * time.Minute,
		minBackoff: 250 * time.Millisecond,
		maxBackoff: 5 * time.Minute,
		idle:       30 * time.Second,
		dedupe:     50_000,
		min429:     time.Minute,
		min5xx:     5 * time.Second,
	}
}

func (c *config) validate() error {
	switch {
	case c.interval <= 0:
		return errors.New("x: poll interval must be positive")
	case c.pageSize < 10 || c.pageSize > 100:
		return errors.New("x: page size must be within 10..100")
	case c.maxPages < 1:
		return errors.New("x: max pages must be positive")
	case c.minBackoff <= 0 || c.maxBackoff < c.minBackoff:
		return errors.New("x: backoff needs 0 < min <= max")
	case c.idle <= 0:
		return errors.New("x: stall timeout must be positive")
	case c.dedupe <= 0:
		return errors.New("x: dedupe size must be positive")
	}
	return nil
}

// WithBaseURL sets the API host (default https://api.x.com).
func WithBaseURL(u string) Option { return func(cfg *config) { cfg.baseURL = u } }

// WithHTTPClient sets the HTTP client; tracing and proxies go in through
// its RoundTripper. It must not have an overall Timeout (the stream is
// long-lived).
func WithHTTPClient(c *http.Client) Option { return func(cfg *config) { cfg.httpClient = c } }

// WithLimiter makes every request wait for l; it is slowed further when
// the x-rate-limit-* headers say the window is running out.
func WithLimiter(l *rate.Limiter) Option { return func(cfg *config) { cfg.limiter = l } }

// WithLogger logs reconnects, retries and skipped messages to l. By
// default nothing is logged. The bearer token never appears.
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.logger = l } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(cfg *config) { cfg.userAgent = ua } }

// WithCursorStore saves the newest post ID handled (the since_id) in store
// under key, and resumes from it. An empty key is derived from the query.
func WithCursorStore(store listen.CursorStore, key string) Option {
	return func(cfg *config) { cfg.store, cfg.key = store, key }
}

// WithInterval sets how long Search waits between polls once caught
// up (default 1 minute; mind the endpoint's 15-minute quota).
func WithInterval(d time.Duration) Option { return func(cfg *config) { cfg.interval = d } }

// WithPageSize sets max_results (10..100, default 100).
func WithPageSize(n int) Option { return func(cfg *config) { cfg.pageSize = n } }

// WithMaxPages bounds the pages read in one poll (default 50). Older
// results beyond it are skipped, so keep polls frequent enough.
func WithMaxPages(n int) Option { return func(cfg *config) { cfg.maxPages = n } }

// WithMaxRetryTime bounds how long a failing request or reconnect is
// retried before the last error is yielded as final (default 15 minutes;
// negative retries forever).
func WithMaxRetryTime(d time.Duration) Option { return func(cfg *config) { cfg.maxRetry = d } }

// WithRetryBackoff sets the first and the longest wait between retries and
// reconnects (default 250ms and 5m). X's floors apply on top: at least 60s
// after a 429 and 5s after a 5xx.
func WithRetryBackoff(initial, max time.Duration) Option {
	return func(cfg *config) { cfg.minBackoff, cfg.maxBackoff = initial, max }
}

// WithMaxBody sets the size limit of a search or rules response (default
// 50 MB); a larger one is a final error unwrapping to [listen.ErrTooLarge].
func WithMaxBody(n int64) Option { return func(cfg *config) { cfg.maxBody = n } }

// WithRequestTimeout bounds one request attempt, so a server that never
// answers is retried instead of hanging (default 1m). For the stream it
// bounds the wait for the response headers; [WithStallTimeout] watches
// the open stream.
func WithRequestTimeout(d time.Duration) Option { return func(cfg *config) { cfg.reqTimeout = d } }

// WithStallTimeout sets how long the stream may send nothing, not even
// its keep-alive (sent every ~20s), before it is reconnected (default 30s).
func WithStallTimeout(d time.Duration) Option { return func(cfg *config) { cfg.idle = d } }

// WithBackfill makes Stream fill the gap after every reconnect (and after
// a restart from a saved cursor) with a recent search for query since the
// newest post seen. Use a query equivalent to the stream's rules.
func WithBackfill(query string) Option { return func(cfg *config) { cfg.backfill = query } }

// Follow makes Search keep polling until ctx is done. Without it, Posts
// ends after one poll. Stream always follows.
func Follow() Option { return func(cfg *config) { cfg.follow = true } }

// WithDedupeSize sets how many recent IDs are remembered to drop
// duplicates (default 50,000).
func WithDedupeSize(n int) Option { return func(cfg *config) { cfg.dedupe = n } }
