// Package adapter is the skeleton every listen adapter runs on: one run
// of Posts loads the cursor, yields posts and commits them, reports
// skipped items, and drives the polling loop or the stream reconnect loop
// through the one retry loop of internal/httpx. A platform package adds
// what is its own: the requests, the decoding, the paging and the shape
// of its cursor.
package adapter

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/config"
)

// Source is what an adapter package's one exported Source type wraps
// when the package has more than one kind of source (a search and a
// stream): each kind's loop, behind the same three methods.
type Source interface {
	Posts(context.Context) iter.Seq2[listen.Post, error]
	Stats() listen.Stats
	String() string
}

// Base is what every source shares: its settings, its HTTP client and its
// counters. Build it with [New]; it is safe for concurrent use.
type Base struct {
	Platform string
	Settings config.Settings
	Client   *httpx.Client
	Counters listen.Counters

	// MinPageSize is the smallest page the platform serves (default 1): a
	// poll whose page is over the body limit is read again with half the
	// page size, down to this.
	MinPageSize int
}

// New returns a Base for platform with settings s (defaults and options
// applied, checked). parse reads the platform's rate-limit headers (may be
// nil); secrets are scrubbed from errors and logs.
func New(platform string, s config.Settings, parse httpx.RateLimitParser, secrets ...httpx.Secret) *Base {
	b := &Base{Platform: platform, Settings: s, MinPageSize: 1}
	b.Client = &httpx.Client{
		Platform:       platform,
		HTTP:           s.HTTPClient,
		UserAgent:      s.UserAgent,
		MaxBody:        s.MaxBody,
		RequestTimeout: s.RequestTimeout,
		Retry:          s.Retry,
		Limiter:        s.Limiter,
		RateLimit:      parse,
		Counters:       &b.Counters,
		Logger:         s.Logger,
		Secrets:        secrets,
	}
	return b
}

// Stats implements [listen.StatsReporter].
func (b *Base) Stats() listen.Stats { return b.Counters.Stats() }

// Log logs through the client: prefixed, and scrubbed of secrets.
func (b *Base) Log(ctx context.Context, level slog.Level, msg string, args ...any) {
	b.Client.Log(ctx, level, msg, args...)
}

// ErrStop ends a run quietly: the host broke out of the loop, ctx is
// done, or the final error has been yielded.
var ErrStop = errors.New("adapter: stop")

// Cursor is a source's position: what a run restores from the store when
// it starts, and marshals when it saves.
type Cursor interface {
	// Restore loads a saved cursor ("" when there is none).
	Restore(saved string) error
	// Marshal returns the cursor to save; "" saves nothing.
	Marshal() string
}

// Run is one call of Posts. Only the goroutine running the loop uses it.
type Run struct {
	b        *Base
	yield    func(listen.Post, error) bool
	cur      Cursor
	dirty    bool
	lastSave time.Time
	done     bool
	pageSize int // the page size of the poll in progress
}

// PageSize is the page size to ask for: the configured one, or less
// while pages are over the body limit (see [Run.Poll]).
func (r *Run) PageSize() int { return r.pageSize }

// Posts returns the iterator of a source: each time it is ranged over,
// begin sets up a run and returns its cursor (nil for a source without
// one) and its body. Posts restores the cursor from the store (yielding a
// load error as final), calls body, yields body's error as the final
// error unless it is ErrStop or ctx is done, and saves the latest
// committed cursor when the run ends, however it ends (a panic in the
// host's loop included).
func (b *Base) Posts(ctx context.Context, begin func(r *Run) (Cursor, func(ctx context.Context) error)) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		r := &Run{b: b, yield: yield, lastSave: time.Now(), pageSize: b.Settings.PageSize}
		cur, body := begin(r)
		r.cur = cur
		if st := b.Settings.Store; st != nil && cur != nil {
			saved, err := st.Load(ctx, b.Settings.Key)
			if err != nil {
				r.Fail(ctx, fmt.Errorf("%s: load cursor: %w", b.Platform, err))
				return
			}
			if err := cur.Restore(saved); err != nil {
				r.Fail(ctx, fmt.Errorf("%s: saved cursor for %q: %w", b.Platform, b.Settings.Key, err))
				return
			}
		}
		defer r.end(context.WithoutCancel(ctx))
		if err := body(ctx); err != nil && !errors.Is(err, ErrStop) {
			r.Fail(ctx, err)
		}
	}
}

// Fail yields err as the run's final error, unless ctx is done (the host
// ended the run) or the run has stopped already.
func (r *Run) Fail(ctx context.Context, err error) {
	if r.done || ctx.Err() != nil {
		return
	}
	r.done = true
	r.yield(listen.Post{}, err)
}

// Deliver yields p to the host's loop. Only when the loop body returns
// normally and ctx is still live is p committed: commit (if not nil)
// updates the source's position past p, and the cursor is saved (at most
// every SaveInterval). A post whose body broke out, panicked, or ran
// while ctx ended is not committed, so a restarted run delivers it again.
// Deliver returns ErrStop when the run must end (the loop broke out, ctx
// is done, or the cursor could not be saved: then that error has been
// yielded).
func (r *Run) Deliver(ctx context.Context, p listen.Post, commit func()) error {
	if r.done {
		return ErrStop
	}
	now := time.Now()
	at := p.Created
	if p.Kind == listen.KindDelete {
		at = time.Time{}
	}
	r.b.Counters.Deliver(at, now)
	if !r.yield(p, nil) {
		r.done = true
		return ErrStop
	}
	if ctx.Err() != nil {
		r.done = true
		return ErrStop
	}
	if commit != nil {
		commit()
	}
	r.dirty = true
	s := r.b.Settings
	if s.Store != nil && r.cur != nil && time.Since(r.lastSave) >= s.SaveEvery {
		if err := r.save(ctx); err != nil {
			r.Fail(ctx, err)
			r.done = true
			return ErrStop
		}
	}
	return nil
}

// Commit records a position change that delivered nothing (items skipped,
// an empty page that moved the cursor): it is saved with the next save.
func (r *Run) Commit() { r.dirty = true }

func (r *Run) save(ctx context.Context) error {
	r.lastSave = time.Now()
	if !r.dirty {
		return nil
	}
	c := r.cur.Marshal()
	if c == "" {
		return nil
	}
	if err := r.b.Settings.Store.Save(ctx, r.b.Settings.Key, c); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s: save cursor: %w", r.b.Platform, err)
	}
	r.dirty = false
	return nil
}

// end saves what was committed and not saved yet.
func (r *Run) end(ctx context.Context) {
	if r.b.Settings.Store == nil || r.cur == nil || !r.dirty {
		return
	}
	if err := r.save(ctx); err != nil {
		r.b.Log(ctx, slog.LevelWarn, "save cursor at the end of the run", "err", err)
	}
}

// maxSkipData bounds the raw item kept in a DecodeError.
const maxSkipData = 4 << 10

// Skip reports an item that cannot be decoded: counted in Stats.Skipped,
// logged at warn with its ID and reason, and handed to the WithOnSkip
// hook. The source then goes on with the rest of the page.
func (r *Run) Skip(ctx context.Context, id string, data []byte, reason error) {
	if len(data) > maxSkipData {
		data = data[:maxSkipData]
	}
	de := &listen.DecodeError{Platform: r.b.Platform, ID: id, Data: append([]byte(nil), data...), Err: reason}
	r.b.Counters.Skip()
	r.b.Log(ctx, slog.LevelWarn, "skipping an item that cannot be decoded", "id", id, "reason", reason)
	if f := r.b.Settings.OnSkip; f != nil {
		f(de)
	}
}

// Gap reports posts the source had to skip past without reading them
// (a page too large even at the smallest page size, a page limit reached):
// counted as a skip, logged at warn, handed to the WithOnSkip hook.
func (r *Run) Gap(ctx context.Context, what string, reason error) {
	r.b.Counters.Skip()
	r.b.Log(ctx, slog.LevelWarn, "gap: "+what, "reason", reason)
	if f := r.b.Settings.OnSkip; f != nil {
		f(&listen.DecodeError{Platform: r.b.Platform, Err: fmt.Errorf("gap: %s: %w", what, reason)})
	}
}

// Poll is the polling loop. poll reads what is new (one page, or one
// round of pages) and delivers it with Deliver; it reports more when the
// next page should be read at once (the page was full). Errors poll marks
// with httpx.Again (a garbled page) are retried with backoff through the
// client's retry loop. A page over the body limit makes Poll run poll
// again at once with half the page size ([Run.PageSize]), down to
// MinPageSize; what is still too large is a final error, as is any other
// error (the requests inside poll have had their own retries). Without
// Follow, Poll returns once poll reports no more; with Follow it polls
// again every Interval.
func (r *Run) Poll(ctx context.Context, poll func(ctx context.Context) (more bool, err error)) error {
	for {
		var more bool
		err := r.b.Client.Run(ctx, func(ctx context.Context) (bool, error) {
			m, err := poll(ctx)
			more = m
			if err != nil && !httpx.IsAgain(err) {
				err = httpx.Final(err)
			}
			return false, err
		})
		var tl *httpx.TooLargeError
		switch {
		case ctx.Err() != nil, errors.Is(err, ErrStop):
			return ErrStop
		case errors.As(err, &tl) && r.pageSize > r.b.MinPageSize:
			r.pageSize = max(r.pageSize/2, r.b.MinPageSize)
			r.b.Log(ctx, slog.LevelInfo, "page over the body limit; asking for smaller pages", "page size", r.pageSize)
			continue
		case err != nil:
			return err
		}
		r.pageSize = r.b.Settings.PageSize
		switch {
		case more:
			continue
		case !r.b.Settings.Follow:
			return nil
		}
		if httpx.Sleep(ctx, r.b.Settings.Interval) != nil {
			return ErrStop
		}
	}
}

// Stream is the reconnect loop of a stream. connect runs one connection:
// dial (after Client.WaitTurn), fill the gap since the last post where the
// platform allows, read and deliver until the connection ends. It reports
// progress when the connection delivered something, which starts the
// backoff over. Its retryable errors (a refused handshake with 429 or 5xx,
// network errors, errors marked httpx.Again, stalls) reconnect with
// backoff; anything else is final. Stream only returns when the run ends.
func (r *Run) Stream(ctx context.Context, connect func(ctx context.Context) (progress bool, err error)) error {
	first := true
	err := r.b.Client.Run(ctx, func(ctx context.Context) (bool, error) {
		if !first {
			r.b.Counters.Reconnect()
		}
		first = false
		progress, err := connect(ctx)
		if err != nil && !errors.Is(err, ErrStop) && ctx.Err() == nil && httpx.IsRetryable(err) {
			var stall *httpx.StallError
			if errors.As(err, &stall) {
				r.b.Counters.Pause() // the stream was silent for the stall timeout
			}
			r.b.Log(ctx, slog.LevelInfo, "connection ended; reconnecting", "err", err)
		}
		if errors.Is(err, ErrStop) {
			err = httpx.Final(err)
		}
		return progress, err
	})
	if err == nil || ctx.Err() != nil {
		return ErrStop
	}
	return err
}
