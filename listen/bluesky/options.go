package bluesky

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
)

// Option configures a [Jetstream] or [Search] source. Options only record
// values; the constructor validates them. An option that does not apply
// to a source (WithDIDs on Search) is ignored by it.
type Option func(*config)

type config struct {
	httpClient *http.Client
	limiter    *rate.Limiter
	logger     *slog.Logger
	userAgent  string
	store      listen.CursorStore
	key        string
	maxRetry   time.Duration
	minBackoff time.Duration
	maxBackoff time.Duration
	maxBody    int64         // Search responses; 0 = httpx default (50 MB)
	reqTimeout time.Duration // one Search request; 0 = httpx default (1m)

	// Jetstream
	collections []string
	dids        []string
	idle        time.Duration
	maxStalls   int
	rewind      time.Duration
	dedupe      int
	savedKeys   int
	maxMessage  int64
	saveEvery   time.Duration
	seqJump     time.Duration // a sequence resume landing further than this from the cursor's time means another instance

	// Search
	identifier string
	password   httpx.Secret
	interval   time.Duration
	pageSize   int
	follow     bool
	overlap    time.Duration // how far a Search poll looks back before the newest post (sortAt lags)
}

func defaults() config {
	return config{
		userAgent:   "earshot (+https://github.com/earshot-dev/earshot)",
		maxRetry:    15 * time.Minute,
		minBackoff:  500 * time.Millisecond,
		maxBackoff:  time.Minute,
		collections: []string{CollectionPost},
		idle:        time.Minute,
		rewind:      5 * time.Second,
		dedupe:      50_000,
		savedKeys:   4096,
		maxMessage:  2 << 20,
		saveEvery:   time.Second,
		seqJump:     30 * time.Second,
		interval:    30 * time.Second,
		pageSize:    100,
		overlap:     2 * time.Minute,
	}
}

func (c *config) validate() error {
	switch {
	case c.idle <= 0:
		return errors.New("bluesky: stall timeout must be positive")
	case c.rewind < 0:
		return errors.New("bluesky: rewind must not be negative")
	case c.dedupe <= 0:
		return errors.New("bluesky: dedupe size must be positive")
	case c.minBackoff <= 0 || c.maxBackoff < c.minBackoff:
		return errors.New("bluesky: backoff needs 0 < min <= max")
	case c.interval <= 0:
		return errors.New("bluesky: poll interval must be positive")
	case c.pageSize < 1 || c.pageSize > 100:
		return errors.New("bluesky: page size must be within 1..100")
	case c.maxMessage <= 0:
		return errors.New("bluesky: max message size must be positive")
	}
	return nil
}

// WithHTTPClient sets the HTTP client for requests and WebSocket dials;
// auth, tracing and proxies go in through its RoundTripper. The default
// has dial and header timeouts but no overall timeout.
func WithHTTPClient(c *http.Client) Option { return func(cfg *config) { cfg.httpClient = c } }

// WithLimiter makes every request (and every Jetstream dial) wait for l;
// several sources can share one budget. Search slows l down further when
// the RateLimit-* headers say the window is running out.
func WithLimiter(l *rate.Limiter) Option { return func(cfg *config) { cfg.limiter = l } }

// WithLogger logs reconnects, retries and skipped events to l. By default
// nothing is logged. Secrets never appear in log lines.
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.logger = l } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(cfg *config) { cfg.userAgent = ua } }

// WithCursorStore saves the resume cursor in store under key after posts have
// been handled, and resumes from it when Posts starts. An empty key is
// replaced by one derived from the endpoint and the filters.
func WithCursorStore(store listen.CursorStore, key string) Option {
	return func(cfg *config) { cfg.store, cfg.key = store, key }
}

// WithMaxRetryTime bounds how long a source keeps retrying (reconnecting,
// or repeating a failed request) before it yields the last error as final.
// The default is 15 minutes; a negative value retries forever.
func WithMaxRetryTime(d time.Duration) Option { return func(cfg *config) { cfg.maxRetry = d } }

// WithRetryBackoff sets the first and the largest wait between reconnects and
// retries (default 500ms and 1m, exponential with jitter in between).
func WithRetryBackoff(initial, max time.Duration) Option {
	return func(cfg *config) { cfg.minBackoff, cfg.maxBackoff = initial, max }
}

// WithCollections sets Jetstream's wantedCollections (NSIDs or prefixes
// ending in ".*"). The default is [CollectionPost]; add [CollectionRepost]
// and [CollectionLike] to receive reposts and likes as
// [listen.KindRepost] and [listen.KindLike] posts.
func WithCollections(nsids ...string) Option {
	return func(cfg *config) { cfg.collections = append([]string(nil), nsids...) }
}

// WithDIDs sets Jetstream's wantedDids: only these repositories' events
// are sent (Jetstream accepts up to 10,000). Up to 50 go in the subscribe
// URL; more are sent in an options_update message right after connecting.
// Identity and account events of these DIDs still arrive; they are
// skipped.
func WithDIDs(dids ...string) Option {
	return func(cfg *config) { cfg.dids = append([]string(nil), dids...) }
}

// WithStallTimeout sets how long a Jetstream connection may stay silent
// before it is treated as dead and replaced (Jetstream sends no
// heartbeat). Size it to the traffic the filters let through; the
// default is 1 minute.
func WithStallTimeout(d time.Duration) Option { return func(cfg *config) { cfg.idle = d } }

// WithMaxStalls makes Jetstream give up with an error unwrapping to
// [listen.ErrStalled] after n reconnects in a row that each stayed silent
// for the stall timeout. The default, 0, keeps reconnecting.
func WithMaxStalls(n int) Option { return func(cfg *config) { cfg.maxStalls = n } }

// WithRewind sets how far a Jetstream reconnect rewinds the time cursor
// before the newest event handled (default 5s), to cover events the
// server sends out of time order. Events replayed by the rewind are
// dropped as duplicates.
func WithRewind(d time.Duration) Option { return func(cfg *config) { cfg.rewind = d } }

// WithDedupeSize sets how many recent events (or search results) are
// remembered to drop replays (default 50,000; about 24 bytes each).
func WithDedupeSize(n int) Option { return func(cfg *config) { cfg.dedupe = n } }

// WithMaxMessageSize sets Jetstream's maxMessageSizeBytes and the read
// limit of the WebSocket (default 2 MiB).
func WithMaxMessageSize(n int64) Option { return func(cfg *config) { cfg.maxMessage = n } }

// WithSaveInterval sets how often the cursor is saved while posts flow
// (default 1s). It is always saved when Posts returns.
func WithSaveInterval(d time.Duration) Option { return func(cfg *config) { cfg.saveEvery = d } }

// WithCredentials sets the handle (or email) and app password Search logs
// in with. The password is kept as a secret: it never appears in errors,
// logs or String.
func WithCredentials(identifier, appPassword string) Option {
	return func(cfg *config) { cfg.identifier, cfg.password = identifier, httpx.Secret(appPassword) }
}

// WithInterval sets how long Search waits between polls once it has
// caught up (default 30s).
func WithInterval(d time.Duration) Option { return func(cfg *config) { cfg.interval = d } }

// WithMaxBody sets Search's response size limit (default 50 MB); a
// larger response is a final error unwrapping to [listen.ErrTooLarge].
// Jetstream frames are bounded by [WithMaxMessageSize] instead.
func WithMaxBody(n int64) Option { return func(cfg *config) { cfg.maxBody = n } }

// WithRequestTimeout bounds one Search request attempt, so a server that
// never answers is retried instead of hanging (default 1m).
func WithRequestTimeout(d time.Duration) Option { return func(cfg *config) { cfg.reqTimeout = d } }

// WithPageSize sets searchPosts' limit (1..100, default 100).
func WithPageSize(n int) Option { return func(cfg *config) { cfg.pageSize = n } }

// Follow makes Search keep polling for new posts until ctx is done.
// Without it, Posts ends after one pass. Jetstream always follows.
func Follow() Option { return func(cfg *config) { cfg.follow = true } }
