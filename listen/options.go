package listen

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/listen/internal/config"
)

// Option configures a source built by one of the adapter packages. The
// settings every adapter shares are the options of this package
// (listen.Follow, listen.WithLogger, ...); each adapter adds its own
// (mastodon.WithToken), of the same type, so one call mixes both:
//
//	src, err := mastodon.New("https://mastodon.social", mastodon.Hashtag("golang"),
//		mastodon.WithToken(token), listen.Follow(), listen.WithLimiter(lim))
//
// Options only record values; the constructor validates them. An option
// of another adapter, or of another constructor of the same one
// (bluesky.WithDIDs given to mastodon.New or to bluesky.NewSearch), is an
// error from the constructor. A shared option a source has no use for
// (WithInterval on a stream) is ignored, so a host can hand one list of
// shared options to all its sources.
type Option = config.Option

// WithHTTPClient sets the *http.Client for every request and WebSocket
// dial; auth, tracing and proxies go in through its RoundTripper. It must
// not have an overall Timeout (streams are long-lived). Default: bounded
// dial, TLS handshake and header waits, no overall timeout.
func WithHTTPClient(c *http.Client) Option {
	return config.Shared("listen.WithHTTPClient", config.HTTPClient, func(s *config.Settings) { s.HTTPClient = c })
}

// WithLimiter makes every request (and every stream dial) wait for l;
// several sources can share one API budget. The source slows l further
// when the platform's rate-limit headers say the window is running out,
// and never raises it above the host's setting.
func WithLimiter(l *rate.Limiter) Option {
	return config.Shared("listen.WithLimiter", config.Limiter, func(s *config.Settings) { s.Limiter = l })
}

// WithLogger logs to l: waits of 5 s or more and reconnects at info,
// skipped items, gaps and giving up at warn, routine retries at debug.
// Default: nothing is logged. Credentials never appear in a log record.
func WithLogger(l *slog.Logger) Option {
	return config.Shared("listen.WithLogger", config.Logger, func(s *config.Settings) { s.Logger = l })
}

// WithUserAgent sets the User-Agent header. Platforms ask for a
// descriptive one; Reddit requires its own format (see reddit.New).
func WithUserAgent(ua string) Option {
	return config.Shared("listen.WithUserAgent", config.UserAgent, func(s *config.Settings) { s.UserAgent = ua })
}

// WithMaxBody limits the size of one response (default 50 MB; feeds
// 10 MiB; Jetstream frames are bounded by bluesky.WithMaxMessageSize). A
// page over the limit is asked for again with half the page size, down
// to the platform's smallest; a Mastodon status too large on its own is
// skipped past with a logged gap (the page's Link header names it); what
// a source cannot skip past (it could not tell what it skipped) is a
// final error unwrapping to [ErrTooLarge].
func WithMaxBody(n int64) Option {
	return config.Shared("listen.WithMaxBody", config.MaxBody, func(s *config.Settings) { s.MaxBody = n })
}

// WithRequestTimeout bounds one request attempt, body included, so a
// server that never answers is retried instead of hanging (default 1m).
// For a stream it bounds the wait for the response headers.
func WithRequestTimeout(d time.Duration) Option {
	return config.Shared("listen.WithRequestTimeout", config.RequestTimeout, func(s *config.Settings) { s.RequestTimeout = d })
}

// WithStallTimeout sets how long a stream may send nothing, not even a
// heartbeat, before it is treated as dead and reconnected. Defaults follow
// the platform's heartbeat: Mastodon SSE 60s (heartbeat every 15s),
// Mastodon WebSocket 5m, X 30s (keep-alive every 20s), Jetstream 1m (no
// heartbeat: size it to the traffic the filters let through).
func WithStallTimeout(d time.Duration) Option {
	return config.Shared("listen.WithStallTimeout", config.StallTimeout, func(s *config.Settings) { s.StallTimeout = d })
}

// WithRetryBackoff sets the first and the largest wait between retries
// and reconnects (defaults 500ms and 1m; exponential with jitter in
// between). Platform floors apply on top (X: 60s after a 429, 5s after a
// 5xx).
func WithRetryBackoff(initial, max time.Duration) Option {
	return config.Shared("listen.WithRetryBackoff", config.Backoff, func(s *config.Settings) { s.Retry.Initial, s.Retry.Max = initial, max })
}

// WithMaxRetryTime bounds how long transient failures (network errors,
// 429, 5xx, garbled pages, dropped or silent streams) are retried before
// the last one is yielded as the final error (default 15m; negative:
// never give up). A connection that delivered posts starts the count
// over.
func WithMaxRetryTime(d time.Duration) Option {
	return config.Shared("listen.WithMaxRetryTime", config.MaxRetryTime, func(s *config.Settings) { s.Retry.MaxElapsed = d })
}

// WithRetryAfterCap sets the longest Retry-After honoured on a 5xx answer
// (default 5s); the backoff goes on beyond it. A restarting server may
// answer 503 with "Retry-After: 120" for a second; honouring it in full
// would turn the second into a two-minute gap. A 429's Retry-After is a
// rate limit and is always honoured (up to the pause limit).
func WithRetryAfterCap(d time.Duration) Option {
	return config.Shared("listen.WithRetryAfterCap", config.RetryAfterCap, func(s *config.Settings) { s.Retry.RetryAfterCap = d })
}

// WithPauseLimit sets the longest single wait a source accepts: a
// rate-limit reset, a Retry-After or a backoff interval longer than d is
// not slept but ends the run with the error that asked for it (a
// [*RateLimitError] says how long). Default 15m; negative: no limit.
// Every wait of 5 s or more is logged and counted in [Stats].Pauses.
func WithPauseLimit(d time.Duration) Option {
	return config.Shared("listen.WithPauseLimit", config.PauseLimit, func(s *config.Settings) { s.Retry.MaxPause = d })
}

// WithInterval sets how long a polling source waits between polls once it
// has caught up (defaults per platform: Mastodon and Bluesky search 30s,
// X, Reddit and Hacker News 1m, feeds 15m, or a feed's own interval).
// It applies with [Follow].
func WithInterval(d time.Duration) Option {
	return config.Shared("listen.WithInterval", config.Interval, func(s *config.Settings) { s.Interval = d })
}

// Follow keeps a polling source polling until ctx is done. Without it,
// Posts ends once the source has caught up. Streams always follow.
func Follow() Option {
	return config.Shared("listen.Follow", config.Follow, func(s *config.Settings) { s.Follow = true })
}

// WithCursorStore makes the source resume from the cursor saved in store
// under key and save its cursor as the host handles posts (see "Cursors"
// in the package documentation). An empty key is derived from what the
// source reads (its host and timeline, query or feeds).
func WithCursorStore(store CursorStore, key string) Option {
	return config.Shared("listen.WithCursorStore", config.CursorStore, func(s *config.Settings) { s.Store, s.Key = store, key })
}

// WithSaveInterval saves the cursor at most every d while posts flow
// (default: after every post; Jetstream every 1s). The latest committed
// cursor is always saved when the run ends.
func WithSaveInterval(d time.Duration) Option {
	return config.Shared("listen.WithSaveInterval", config.SaveInterval, func(s *config.Settings) { s.SaveEvery = d })
}

// WithDedupeSize sets how many recent post keys a source remembers to
// drop the duplicates that paging, reconnects and replays bring (default
// 10,000; per feed for RSS).
func WithDedupeSize(n int) Option {
	return config.Shared("listen.WithDedupeSize", config.DedupeSize, func(s *config.Settings) { s.Dedupe = n })
}

// WithPageSize sets how many items one request asks for, within the
// platform's range (Mastodon 1..40, Bluesky search 1..100, X 10..100,
// Hacker News search 1..1000, Reddit 1..100). The default is the
// platform's largest.
func WithPageSize(n int) Option {
	return config.Shared("listen.WithPageSize", config.PageSize, func(s *config.Settings) { s.PageSize = n })
}

// WithMaxPages bounds the pages one poll reads while every item on them
// is new (Reddit default 10, its 1,000-item listing limit; X default 50).
// Older items beyond it are skipped with a logged gap, so poll often
// enough.
func WithMaxPages(n int) Option {
	return config.Shared("listen.WithMaxPages", config.MaxPages, func(s *config.Settings) { s.MaxPages = n })
}

// WithOnSkip calls f for every item a source skips because it cannot be
// decoded (and for every stretch skipped past as a gap), from the
// goroutine running the loop, before the source goes on. f gets the
// platform, the item's ID when it could be read, the raw item (up to 4
// KiB) and the reason. Skips are also counted in [Stats].Skipped and
// logged at warn. f must not block for long.
func WithOnSkip(f func(*DecodeError)) Option {
	return config.Shared("listen.WithOnSkip", config.OnSkip, func(s *config.Settings) {
		s.OnSkip = func(err error) {
			var de *DecodeError
			if f != nil && errors.As(err, &de) {
				f(de)
			}
		}
	})
}
