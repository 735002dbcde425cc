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
