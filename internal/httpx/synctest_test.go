//go:build go1.25

package httpx

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inProcess serves h without sockets, so a synctest bubble's fake clock
// can advance (real sockets would block it).
type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// TestRealWaitsInFakeTime runs the production defaults (500 ms first
// backoff, a 503's Retry-After of two minutes capped at 5 s, X's 60 s
// floor after 429) in a bubble: a minute of waiting takes no real time,
// and the waits are exact.
func TestRealWaitsInFakeTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 0
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n++
			switch n {
			case 1:
				w.Header().Set("Retry-After", "120")
				w.WriteHeader(http.StatusServiceUnavailable)
			case 2:
				w.WriteHeader(http.StatusTooManyRequests) // no headers: the floor applies
			default:
				io.WriteString(w, "ok")
			}
		})
		var ctr counts
		c := &Client{Platform: "x", HTTP: &http.Client{Transport: inProcess{h}}, Counters: &ctr,
			Retry: Retry{MinRateLimitWait: 60 * time.Second}}
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, "http://api.example/2/tweets/search/recent", nil)
		resp, err := c.Do(context.Background(), req)
		require.NoError(t, err)
		assert.Equal(t, "ok", string(resp.Body))
		waited := time.Since(start)
		assert.GreaterOrEqual(t, waited, 65*time.Second, "Retry-After capped at 5 s + 60 s floor")
		assert.Less(t, waited, 70*time.Second)
		assert.Equal(t, int64(2), ctr.retries.Load())
	})
}

// TestGivesUpAfterMaxElapsed: a server down for good ends with the last
// error once MaxElapsed (15 minutes by default) is used up.
func TestGivesUpAfterMaxElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
		})
		c := &Client{Platform: "test", HTTP: &http.Client{Transport: inProcess{h}}}
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, "http://api.example/", nil)
		_, err := c.Do(context.Background(), req)
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 502, he.StatusCode)
		waited := time.Since(start)
		assert.Greater(t, waited, 10*time.Minute)
		assert.LessOrEqual(t, waited, 15*time.Minute)
	})
}

// TestRestartStormCostsSeconds: GoToSocial answers 503 with Retry-After:
// 120 (and the same moment again as an HTTP date, in a second header) for
// 0.7 to 16 s while it starts. The wait is capped (5 s by default), so the
// restart costs seconds, not two minutes, and a long start costs at most
// one capped wait more than it lasts.
func TestRestartStormCostsSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		up := time.Now().Add(700 * time.Millisecond)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if time.Now().Before(up) {
				w.Header().Add("Retry-After", "120")
				w.Header().Add("Retry-After", time.Now().Add(2*time.Minute).UTC().Format(http.TimeFormat))
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, "<!DOCTYPE html><html><body><p>starting up</p></body></html>")
				return
			}
			io.WriteString(w, "ok")
		})
		c := &Client{Platform: "gotosocial", HTTP: &http.Client{Transport: inProcess{h}}}
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, "http://gts.example/api/v1/timelines/public", nil)
		_, err := c.Do(context.Background(), req)
		require.NoError(t, err)
		assert.Less(t, time.Since(start), 10*time.Second)

		up = time.Now().Add(16 * time.Second) // a slow start, as seen on a loaded machine
		start = time.Now()
		_, err = c.Do(context.Background(), req)
		require.NoError(t, err)
		assert.Less(t, time.Since(start), 16*time.Second+6*time.Second)

		c.Retry.RetryAfterCap = time.Minute // an option raises the cap
		up = time.Now().Add(700 * time.Millisecond)
		start = time.Now()
		_, err = c.Do(context.Background(), req)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), time.Minute)
	})
}

// TestFarResetIsAnErrorNotASilentPause: a 200 with an exhausted window
// and a reset 47 hours ahead paused the next request for 47 hours without
// a word. Now the wait is over the pause limit: the request fails at once
// with a RateLimitError saying how long, logged at warn.
func TestFarResetIsAnErrorNotASilentPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", time.Now().Add(47*time.Hour).UTC().Format(time.RFC3339Nano))
			io.WriteString(w, "[]")
		})
		var logs bytes.Buffer
		var ctr counts
		c := &Client{Platform: "mastodon", HTTP: &http.Client{Transport: inProcess{h}}, RateLimit: ParseMastodon,
			Counters: &ctr, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		req, _ := http.NewRequest(http.MethodGet, "http://m.example/api/v1/timelines/public", nil)
		_, err := c.Do(context.Background(), req)
		require.NoError(t, err)
		start := time.Now()
		_, err = c.Do(context.Background(), req)
		var rle *RateLimitError
		require.ErrorAs(t, err, &rle)
		assert.Equal(t, 47*time.Hour, rle.RetryAfter)
		assert.Zero(t, time.Since(start))
		assert.Contains(t, logs.String(), "level=WARN")
		assert.Contains(t, logs.String(), "pause limit")

		// A reset 10 minutes ahead is waited for, logged at info, counted.
		logs.Reset()
		c2 := &Client{Platform: "mastodon", HTTP: &http.Client{Transport: inProcess{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("n") == "1" {
				w.Header().Set("X-RateLimit-Remaining", "0")
				w.Header().Set("X-RateLimit-Reset", time.Now().Add(10*time.Minute).UTC().Format(time.RFC3339Nano))
			}
			io.WriteString(w, "[]")
		})}}, RateLimit: ParseMastodon, Counters: &ctr, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		for n := 1; n <= 2; n++ {
			req, _ := http.NewRequest(http.MethodGet, "http://m.example/x?n="+strconv.Itoa(n), nil)
			_, err := c2.Do(context.Background(), req)
			require.NoError(t, err)
		}
		assert.Equal(t, 10*time.Minute, time.Since(start))
		assert.Equal(t, int64(1), ctr.pauses.Load())
		assert.Contains(t, logs.String(), "level=INFO")
		assert.Contains(t, logs.String(), "waiting for the reset")
	})
}

// TestLongBackoffIsLogged: retries whose wait reaches LongWait are logged
// at info and counted as pauses; shorter ones are not. The waits carry
// ±50% jitter around 0.5 s × 1.5^k, so whatever the draw the first four
// are under 2.6 s and the ninth is at least 6.4 s (with eight, both long
// candidates fell under 5 s about one run in thirty).
func TestLongBackoffIsLogged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 0
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n++; n <= 9 {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			io.WriteString(w, "ok")
		})
		var logs bytes.Buffer
		var ctr counts
		c := &Client{Platform: "x", HTTP: &http.Client{Transport: inProcess{h}}, Counters: &ctr,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		req, _ := http.NewRequest(http.MethodGet, "http://api.example/", nil)
		_, err := c.Do(context.Background(), req)
		require.NoError(t, err)
		assert.Equal(t, int64(9), ctr.retries.Load())
		infos := strings.Count(logs.String(), "level=INFO")
		assert.Equal(t, int(ctr.pauses.Load()), infos)
		assert.Positive(t, infos, "backoff grew past 5 s: %s", logs.String())
		assert.LessOrEqual(t, infos, 5, "the first four, short, waits are not logged at info")
	})
}

// inProcessClient is newClient for a bubble: the fast policy, served by h
// without sockets.
func inProcessClient(h http.Handler, ctr *counts) *Client {
	c := &Client{Platform: "test", HTTP: &http.Client{Transport: inProcess{h}}, UserAgent: "earshot-test/1", Retry: fast}
	if ctr != nil {
		c.Counters = ctr
	}
	return c
}

// TestRateLimitedThenOK: a 429 with an exhausted window is retried when
// X-RateLimit-Reset comes (80 ms ahead), not before, and not much after
// (at most one backoff interval, fast.Max).
func TestRateLimitedThenOK(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reset := time.Now().Add(80 * time.Millisecond).UTC().Format("2006-01-02T15:04:05.000000Z")
		h, n := scripted(
			status(429, map[string]string{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, `{"error":"Too many requests"}`),
			status(200, map[string]string{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"}, `[]`),
		)
		var ctr counts
		c := inProcessClient(h, &ctr)
		c.RateLimit = ParseMastodon
		start := time.Now()
		resp, err := get(t, c, "http://api.example/")
		require.NoError(t, err)
		waited := time.Since(start)
		assert.Equal(t, "[]", string(resp.Body))
		assert.Equal(t, int32(2), n.Load())
		assert.Equal(t, int64(1), ctr.retries.Load())
		assert.GreaterOrEqual(t, waited, 80*time.Millisecond, "must wait for X-RateLimit-Reset")
		assert.LessOrEqual(t, waited, 80*time.Millisecond+fast.Max)
		assert.Equal(t, float64(299), resp.RateLimit.Remaining)
	})
}

// TestRetryAfterSeconds: a 503's Retry-After: 1 (under the 5 s cap) is
// waited for in full before the retry.
func TestRetryAfterSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, n := scripted(status(503, map[string]string{"Retry-After": "1"}, ""), status(200, nil, "ok"))
		start := time.Now()
		_, err := get(t, inProcessClient(h, nil), "http://api.example/")
		require.NoError(t, err)
		waited := time.Since(start)
		assert.GreaterOrEqual(t, waited, time.Second)
		assert.LessOrEqual(t, waited, time.Second+fast.Max)
		assert.Equal(t, int32(2), n.Load())
	})
}

// TestRateLimitFloor: a 429 without headers waits the platform floor.
func TestRateLimitFloor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := scripted(status(429, nil, ""), status(200, nil, "ok"))
		c := inProcessClient(h, nil)
		c.Retry.MinRateLimitWait = 60 * time.Millisecond
		start := time.Now()
		_, err := get(t, c, "http://api.example/")
		require.NoError(t, err)
		waited := time.Since(start)
		assert.GreaterOrEqual(t, waited, 60*time.Millisecond)
		assert.LessOrEqual(t, waited, 60*time.Millisecond+fast.Max)

		// The error a user sees shows that wait.
		err = c.StatusError(&http.Response{StatusCode: 429, Header: http.Header{}}, nil)
		var rle *RateLimitError
		require.ErrorAs(t, err, &rle)
		assert.Equal(t, 60*time.Millisecond, rle.RetryAfter)
	})
}

// TestExhaustedHeadersPauseNextRequest: a 200 saying the window is used
// up holds the next request until the reset, a second ahead.
func TestExhaustedHeadersPauseNextRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resetAt := time.Now().Add(time.Second)
		h, n := scripted(
			status(200, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": resetAt.UTC().Format(time.RFC3339Nano)}, "a"),
			status(200, nil, "b"))
		c := inProcessClient(h, nil)
		c.RateLimit = ParseMastodon
		_, err := get(t, c, "http://api.example/")
		require.NoError(t, err)
		_, err = get(t, c, "http://api.example/")
		require.NoError(t, err)
		assert.Equal(t, int32(2), n.Load())
		assert.Equal(t, resetAt, time.Now(), "the second request waits for the reset, no longer")
	})
}

// TestCancelDuringBackoff: cancelling ctx during a 5 s wait (a 503's
// Retry-After: 30, capped) ends Do at that moment.
func TestCancelDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, n := scripted(status(503, map[string]string{"Retry-After": "30"}, ""))
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(50 * time.Millisecond); cancel() }()
		req, _ := http.NewRequest(http.MethodGet, "http://api.example/", nil)
		c := inProcessClient(h, nil)
		c.Retry.MaxElapsed = time.Hour
		start := time.Now()
		_, err := c.Do(ctx, req)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 50*time.Millisecond, time.Since(start), "the wait ends with ctx")
		assert.Equal(t, int32(1), n.Load())
	})
}

// TestIdleReaderWaitsExactlyIdle: a silent stream ends with a StallError
// after exactly the idle time, and a pending Read returns it.
func TestIdleReaderWaitsExactlyIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			io.WriteString(pw, ":)\n")
			time.Sleep(50 * time.Millisecond)
			io.WriteString(pw, ":)\n") // a kick: the idle period starts over
		}()
		body := IdleReader(pr, "test", 80*time.Millisecond)
		defer body.Close()
		start := time.Now()
		b, err := io.ReadAll(body)
		assert.Equal(t, ":)\n:)\n", string(b))
		var se *StallError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 80*time.Millisecond, se.Idle)
		assert.Equal(t, 50*time.Millisecond+80*time.Millisecond, time.Since(start))
	})
}

// TestWatchdogKickAndStop: kicks more often than the idle time keep the
// watchdog quiet, and so does Stop; an unkicked one fires at idle.
func TestWatchdogKickAndStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var fired atomic.Int32
		w := NewWatchdog(300*time.Millisecond, func() { fired.Add(1) })
		for range 5 {
			time.Sleep(299 * time.Millisecond)
			w.Kick()
		}
		assert.Equal(t, int32(0), fired.Load())
		w.Stop()
		time.Sleep(time.Hour)
		assert.Equal(t, int32(0), fired.Load())
		assert.False(t, w.Fired())

		start := time.Now()
		w = NewWatchdog(300*time.Millisecond, func() { fired.Add(1) })
		time.Sleep(299 * time.Millisecond)
		synctest.Wait()
		assert.False(t, w.Fired())
		time.Sleep(time.Millisecond)
		synctest.Wait()
		assert.True(t, w.Fired())
		assert.Equal(t, int32(1), fired.Load())
		assert.Equal(t, 300*time.Millisecond, time.Since(start))
		w.Stop()
	})
}
