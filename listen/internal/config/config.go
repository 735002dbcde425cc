// Package config holds the settings every listen adapter shares and the
// option type that sets them. Package listen re-exports the type
// (listen.Option) and declares the shared options once; each adapter
// declares its own options with [Own], so they have the same type and
// one constructor call can mix both.
package config

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/internal/httpx"
)

// Store is listen.CursorStore (declared here too: listen imports this
// package, so this package cannot name listen's interface).
type Store interface {
	Load(ctx context.Context, key string) (string, error)
	Save(ctx context.Context, key, cursor string) error
}

// Field names one shared setting.
type Field uint32

// The shared settings.
const (
	HTTPClient Field = 1 << iota
	Limiter
	Logger
	UserAgent
	MaxBody
	RequestTimeout
	StallTimeout
	Backoff
	MaxRetryTime
	RetryAfterCap
	PauseLimit
	Interval
	Follow
	CursorStore
	DedupeSize
	PageSize
	MaxPages
	SaveInterval
	OnSkip
)

// Settings are the shared settings, as the options set them over the
// adapter's defaults.
type Settings struct {
	HTTPClient     *http.Client
	Limiter        *rate.Limiter
	Logger         *slog.Logger
	UserAgent      string
	MaxBody        int64
	RequestTimeout time.Duration
	StallTimeout   time.Duration
	Retry          httpx.Retry // Initial, Max, MaxElapsed, RetryAfterCap, MaxPause
	Interval       time.Duration
	Follow         bool
	Store          Store
	Key            string // cursor key; "" until the adapter derives one
	Dedupe         int
	PageSize       int
	MaxPages       int
	SaveEvery      time.Duration
	OnSkip         func(error) // receives *listen.DecodeError values

	set Field
}

// DefaultUserAgent is sent when no option sets one.
const DefaultUserAgent = "earshot (+https://github.com/earshot-dev/earshot)"

// Defaults returns the shared defaults; adapters change the ones their
// platform needs (a polling interval, a page size) before applying
// options.
func Defaults() Settings {
	return Settings{
		UserAgent:    DefaultUserAgent,
		StallTimeout: time.Minute,
		Interval:     time.Minute,
		Dedupe:       10_000,
		MaxPages:     10,
	}
}

// Set reports whether an option set field f.
func (s *Settings) Set(f Field) bool { return s.set&f != 0 }

// Option configures a source. The zero Option does nothing.
type Option struct {
	name  string
	field Field
	apply func(*Settings)
	own   func(any) bool
}

// Shared returns a shared option named name (e.g. "listen.Follow") that
// sets field through apply.
func Shared(name string, field Field, apply func(*Settings)) Option {
	return Option{name: name, field: field, apply: apply}
}

// Own returns an adapter's option named name (e.g. "mastodon.WithToken")
// that applies to the adapter configuration type C.
func Own[C any](name string, apply func(*C)) Option {
	return Option{name: name, own: func(c any) bool {
		p, ok := c.(*C)
		if ok {
			apply(p)
		}
		return ok
	}}
}

// Apply applies opts to s and own (a pointer to the adapter's own
// configuration). what names the constructor in errors ("mastodon.New").
// Shared options always apply (a source ignores those it has no use for,
// so a host can hand one list to several sources); another adapter's
// option is an error.
func Apply[C any](what string, s *Settings, own *C, opts []Option) error {
	pkg, _, _ := strings.Cut(what, ".")
	for _, o := range opts {
		switch {
		case o.apply != nil:
			o.apply(s)
			s.set |= o.field
		case o.own != nil:
			if !o.own(own) {
				return fmt.Errorf("%s: %s does not apply to %s", pkg, o.name, what)
			}
		}
	}
	return nil
}

// Check validates the shared settings for platform, whose page sizes run
// from pageMin to pageMax.
func (s *Settings) Check(platform string, pageMin, pageMax int) error {
	r := s.Retry
	switch {
	case s.Interval <= 0:
		return errors.New(platform + ": interval must be positive")
	case s.StallTimeout <= 0:
		return errors.New(platform + ": stall timeout must be positive")
	case r.Initial < 0 || r.Max < 0 || (r.Max > 0 && r.Max < r.Initial):
		return errors.New(platform + ": backoff needs 0 <= initial <= max")
	case s.Dedupe <= 0:
		return errors.New(platform + ": dedupe size must be positive")
	case s.MaxBody < 0:
		return errors.New(platform + ": body limit must not be negative")
	case s.RequestTimeout < 0:
		return errors.New(platform + ": request timeout must not be negative")
	case s.MaxPages < 1:
		return errors.New(platform + ": max pages must be at least 1")
	case s.SaveEvery < 0:
		return errors.New(platform + ": save interval must not be negative")
	case s.Set(PageSize) && (s.PageSize < pageMin || s.PageSize > pageMax):
		return fmt.Errorf("%s: page size %d outside %d..%d", platform, s.PageSize, pageMin, pageMax)
	}
	return nil
}
