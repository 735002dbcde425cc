//go:build go1.25

package rss

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/faulttest"
	"github.com/earshot-dev/earshot/listen"
)

// TestPerFeedIntervals: each feed is polled at its own interval. It used
// to count requests in a 400 ms wall-clock window and failed 8 runs in 30
// on a loaded machine (issue 19 item 6); in a synctest bubble the counts
// are exact.
func TestPerFeedIntervals(t *testing.T) {
	f := newFakeFeeds(t)
	fast := f.add("fast", "rss", 1000)
	slow := f.add("slow", "json", 1000)
	synctest.Test(t, func(t *testing.T) {
		src, err := New([]Feed{{URL: fast, Interval: 5 * time.Second}, {URL: slow, Interval: time.Hour}},
			listen.Follow(), listen.WithHTTPClient(&http.Client{Transport: faulttest.InProcess{H: f.Config.Handler}}))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute+time.Second)
		defer cancel()
		for _, err := range src.Posts(ctx) {
			require.NoError(t, err)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		assert.Equal(t, 1, f.requests["/feeds/slow"])
		assert.Equal(t, 121, f.requests["/feeds/fast"], "at 0, 5 s, ..., 600 s")
	})
}

// TestRetryAfterHonoured: a 429 with Retry-After: 1 is retried after that
// second, not sooner and not much later.
func TestRetryAfterHonoured(t *testing.T) {
	f := newFakeFeeds(t)
	u := f.add("a", "atom", 2)
	var calls int
	h := wrap(f.Config.Handler, func() bool { calls++; return calls == 1 })
	synctest.Test(t, func(t *testing.T) {
		src, err := New(URLs(u), listen.WithRetryBackoff(time.Millisecond, time.Millisecond),
			listen.WithHTTPClient(&http.Client{Transport: faulttest.InProcess{H: h}}))
		require.NoError(t, err)
		start := time.Now()
		n := 0
		for _, err := range src.Posts(context.Background()) {
			require.NoError(t, err)
			n++
		}
		took := time.Since(start)
		assert.Positive(t, n)
		assert.GreaterOrEqual(t, took, time.Second, "waited for Retry-After: 1")
		assert.LessOrEqual(t, took, time.Second+time.Millisecond)
		assert.Equal(t, int64(1), src.Stats().Retries)
	})
}

// TestSilentServerGivesUpWithTheRetryTime: a server that never answers
// ends the run with "no response within" once the retry time (300 ms) is
// used up, at most one request timeout (100 ms) past it.
func TestSilentServerGivesUpWithTheRetryTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		src, err := New(URLs("https://feeds.example/silent"), listen.WithRetryBackoff(time.Millisecond, time.Millisecond),
			listen.WithMaxRetryTime(300*time.Millisecond), listen.WithRequestTimeout(100*time.Millisecond),
			listen.WithHTTPClient(&http.Client{Transport: faulttest.InProcess{H: h}}))
		require.NoError(t, err)
		start := time.Now()
		var errs []error
		for _, err := range src.Posts(context.Background()) {
			errs = append(errs, err)
		}
		took := time.Since(start)
		require.Len(t, errs, 1)
		assert.Contains(t, errs[0].Error(), "no response within 100ms")
		assert.Positive(t, src.Stats().Retries)
		assert.LessOrEqual(t, took, 300*time.Millisecond+100*time.Millisecond, "gave up with the retry time")
	})
}
