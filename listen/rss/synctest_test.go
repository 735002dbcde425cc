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
