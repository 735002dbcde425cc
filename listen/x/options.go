package x

import (
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/config"
)

type options struct {
	baseURL  string
	backfill string

	// Floors from wire-formats §11 (X: 429 >= 60s, HTTP errors >= 5s).
	// Tests lower them through an option of their own.
	min429 time.Duration
	min5xx time.Duration
}

// defaults are X's settings where they differ from the shared ones: X's
// reconnect guidance (backoff up to minutes), its page sizes, its
// keep-alive every ~20 s.
func defaults() (config.Settings, options) {
	s := config.Defaults()
	s.PageSize, s.MaxPages = 100, 50
	s.Retry.Initial, s.Retry.Max = 250*time.Millisecond, 5*time.Minute
	s.StallTimeout = 30 * time.Second
	return s, options{baseURL: "https://api.x.com", min429: time.Minute, min5xx: 5 * time.Second}
}

// WithBaseURL sets the API host (default https://api.x.com).
func WithBaseURL(u string) listen.Option {
	return config.Own("x.WithBaseURL", func(o *options) { o.baseURL = u })
}

// WithBackfill makes Stream fill the gap after every reconnect (and after
// a restart from a saved cursor) with a recent search for query since the
// newest post seen. Use a query equivalent to the stream's rules.
func WithBackfill(query string) listen.Option {
	return config.Own("x.WithBackfill", func(o *options) { o.backfill = query })
}
