//go:build go1.25

package mastodon

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

// TestRestartCatchesUpInSeconds: while it starts, GoToSocial answers every
// request 503 with Retry-After: 120 for about 0.7 s. The source used to
// wait the full two minutes; now the statuses published during the
// restart arrive within seconds (issue 24 item 3).
func TestRestartCatchesUpInSeconds(t *testing.T) {
	const tok = "gts-token-123456"
	f := newGoToSocial(t, tok)
	f.publish(3)
	synctest.Test(t, func(t *testing.T) {
		store := &listen.MemoryStore{}
		require.NoError(t, store.Save(context.Background(), "k", ulid(0)[:10]+"0000000000000000"))
		src, err := New(f.srv.URL, Local(), WithToken(tok), listen.WithHTTPClient(&http.Client{Transport: faulttest.InProcess{H: f.srv.Config.Handler}}),
			listen.Follow(), listen.WithInterval(time.Second), listen.WithCursorStore(store, "k"))
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		n := 0
		var restarted time.Time
		for _, err := range src.Posts(ctx) {
			require.NoError(t, err)
			n++
			if n == 3 {
				// The server goes down for 0.7 s from the next poll on,
				// and comes back with two new statuses.
				restarted = time.Now()
				f.mu.Lock()
				f.restartUntil = restarted.Add(time.Second + 700*time.Millisecond)
				f.mu.Unlock()
				f.publish(2)
			}
			if n == 5 {
				break
			}
		}
		took := time.Since(restarted)
		assert.Less(t, took, 10*time.Second, "caught up %v after the restart", took)
		f.mu.Lock()
		defer f.mu.Unlock()
		assert.Positive(t, f.faults["restart-503"])
	})
}

// TestServerNeverAnswers: a server that accepts requests and never
// answers ends the run with "no response within" once the retry time
// (100 ms) is used up: at most one request timeout (30 ms) past it.
func TestServerNeverAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		src, err := New("https://mastodon.example", Public(), listen.WithHTTPClient(&http.Client{Transport: faulttest.InProcess{H: h}}),
			listen.WithRetryBackoff(time.Millisecond, 4*time.Millisecond), listen.WithInterval(2*time.Millisecond),
			listen.WithRequestTimeout(30*time.Millisecond), listen.WithMaxRetryTime(100*time.Millisecond))
		require.NoError(t, err)
		start := time.Now()
		_, _, err = collect(t, src, context.Background(), nil)
		took := time.Since(start)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no response within 30ms")
		assert.Positive(t, src.Stats().Retries)
		assert.LessOrEqual(t, took, 100*time.Millisecond+30*time.Millisecond, "gave up with the retry time")
	})
}
