package httpx

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// LongWait is the shortest wait that [Client.Run] and [Client.WaitTurn]
// log (at info) and count as a pause: anything shorter is routine.
const LongWait = 5 * time.Second

// Retry is a retry policy. The zero value uses the defaults shown on each
// field. All durations; the backoff implementation stays internal.
type Retry struct {
	Initial     time.Duration // first backoff interval; default 500ms
	Max         time.Duration // largest backoff interval; default 1m
	MaxElapsed  time.Duration // give up after retrying this long; default 15m; <0 never gives up
	MaxAttempts int           // give up after this many attempts; 0 means no limit

	// RetryAfterCap is the longest Retry-After honoured on a 5xx answer
	// (default 5s); the backoff interval applies beyond it. A server that
	// restarts answers 503 with Retry-After: 120 for a second (GoToSocial
	// does): waiting two minutes would turn that second into a gap. A 429's
	// Retry-After is a rate limit and is honoured in full.
	RetryAfterCap time.Duration
	// MaxPause is the longest single wait (a rate-limit reset, a
	// Retry-After, a backoff interval); a longer one ends the run with the
	// error that asked for it instead of sleeping (default 15m; <0 no
	// limit).
	MaxPause time.Duration

	// Platform floors (wire-formats §11): the least wait after a 429
	// (X: 60s) and after a 5xx (X: 5s). Retry-After and a rate-limit
	// reset in the headers are honoured when longer.
	MinRateLimitWait time.Duration
	MinServerWait    time.Duration
}

func (r Retry) withDefaults() Retry {
	if r.Initial <= 0 {
		r.Initial = 500 * time.Millisecond
	}
	if r.Max <= 0 {
		r.Max = time.Minute
	}
	if r.Max < r.Initial {
		r.Max = r.Initial
	}
	if r.MaxElapsed == 0 {
		r.MaxElapsed = 15 * time.Minute
	}
	if r.RetryAfterCap <= 0 {
		r.RetryAfterCap = 5 * time.Second
	}
	if r.MaxPause == 0 {
		r.MaxPause = 15 * time.Minute
	}
	return r
}

// PauseLimit is the longest single wait the policy accepts (MaxPause with
// its default; a very long one when there is no limit).
func (r Retry) PauseLimit() time.Duration {
	if m := r.withDefaults().MaxPause; m > 0 {
		return m
	}
	return 1<<63 - 1
}

// wait classifies err: how long the error itself asks to wait, and
// whether it is worth retrying at all.
func (r Retry) wait(err error) (time.Duration, bool) {
	r = r.withDefaults()
	var (
		f   *finalErr
		a   *again
		rle *RateLimitError
		he  *HTTPError
		ne  *NetworkError
		se  *StallError
	)
	switch {
	case err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return 0, false
	case errors.As(err, &f):
		return 0, false
	case errors.As(err, &a):
		return a.wait, true
	case errors.As(err, &rle):
		// statusError applied MinRateLimitWait: the wait is the one the
		// error shows.
		return rle.RetryAfter, true
	case errors.As(err, &he):
		if !retryStatus(he.StatusCode) {
			return 0, false
		}
		w := min(he.RetryAfter, r.RetryAfterCap)
		if he.StatusCode >= 500 {
			w = max(w, r.MinServerWait)
		}
		return w, true
	case errors.As(err, &ne):
		return 0, !ne.Permanent
	case errors.As(err, &se):
		return 0, true
	}
	return 0, false
}

// Backoff is an exponential backoff with jitter built from a [Retry]
// policy. It is not safe for concurrent use.
type Backoff struct {
	b        *backoff.ExponentialBackOff
	attempts int
	policy   Retry
}

// NewBackoff returns a Backoff for policy r.
func NewBackoff(r Retry) *Backoff {
	r = r.withDefaults()
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = r.Initial
	b.MaxInterval = r.Max
	b.MaxElapsedTime = 0
	if r.MaxElapsed > 0 {
		b.MaxElapsedTime = r.MaxElapsed
	}
	b.Reset()
	return &Backoff{b: b, policy: r}
}

// Next returns the next wait, or false when the policy says give up.
func (b *Backoff) Next() (time.Duration, bool) {
	b.attempts++
	if b.policy.MaxAttempts > 0 && b.attempts >= b.policy.MaxAttempts {
		return 0, false
	}
	d := b.b.NextBackOff()
	if d == backoff.Stop {
		return 0, false
	}
	return d, true
}

// Elapsed returns the time since the backoff was created or reset.
func (b *Backoff) Elapsed() time.Duration { return b.b.GetElapsedTime() }

// Remaining returns how much of MaxElapsed is left (a large value when
// the policy never gives up).
func (b *Backoff) Remaining() time.Duration {
	if b.policy.MaxElapsed < 0 {
		return 1<<63 - 1
	}
	return b.policy.MaxElapsed - b.b.GetElapsedTime()
}

// Reset starts over, e.g. after a connection stayed healthy.
func (b *Backoff) Reset() { b.b.Reset(); b.attempts = 0 }

// Sleep waits for d or until ctx is done, whichever comes first, and
// returns ctx.Err() in the latter case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run is the retry loop: every request of [Client.Do], every poll of an
// adapter and every stream connection goes through it. It calls op until
// op succeeds, returns an error that is not worth retrying (see
// [IsRetryable]), or the policy gives up, and returns op's last error
// (never wrapped; ctx's error when ctx ends).
//
// Between calls it waits the backoff interval, or longer when the error
// asks: a 429's Retry-After or rate-limit reset, a 5xx's Retry-After up
// to RetryAfterCap, the platform floors. op reports progress when it got
// somewhere before failing (a stream that delivered events): the backoff
// then starts over. Waits of [LongWait] or more are logged at info and
// counted as pauses; one longer than MaxPause ends the loop with the error
// that asked for it.
func (c *Client) Run(ctx context.Context, op func(context.Context) (progress bool, err error)) error {
	policy := c.Retry.withDefaults()
	bo := NewBackoff(policy)
	for attempt := 1; ; attempt++ {
		progress, err := op(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		asked, ok := policy.wait(err)
		err = final(err)
		if !ok {
			return err
		}
		if progress {
			bo.Reset()
		}
		d, more := bo.Next()
		d = max(d, asked)
		if !more || d > bo.Remaining() {
			if policy.MaxAttempts != 1 {
				c.Log(ctx, slog.LevelWarn, "giving up", "attempts", attempt, "after", bo.Elapsed().Round(time.Millisecond), "err", err)
			}
			return err
		}
		if c.Counters != nil {
			c.Counters.Retry()
		}
		if err := c.pause(ctx, d, "retrying", err); err != nil {
			return err
		}
	}
}

// pause sleeps d before something (a retry, a request held back by
// rate-limit headers). A wait of LongWait or more is logged and counted;
// one over MaxPause is not slept: cause is returned (a rate limit becomes
// a [*RateLimitError] saying how long). It returns ctx.Err() if ctx ends
// first.
func (c *Client) pause(ctx context.Context, d time.Duration, why string, cause error) error {
	if maxPause := c.Retry.withDefaults().MaxPause; maxPause > 0 && d > maxPause {
		c.Log(ctx, slog.LevelWarn, why+": wait over the pause limit, giving up", "wait", d, "limit", maxPause, "err", cause)
		return cause
	}
	level := slog.LevelDebug
	if d >= LongWait {
		level = slog.LevelInfo
		if c.Counters != nil {
			c.Counters.Pause()
		}
	}
	c.Log(ctx, level, why, "wait", d.Round(time.Millisecond), "err", cause)
	return Sleep(ctx, d)
}
