package mastodon

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/faulttest"
	"github.com/earshot-dev/earshot/listen"
)

// faultOpts are the options of the fault tests: quick retries, a pause
// limit the far-reset faults go past, a Retry-After cap the huge ones
// meet.
func faultOpts(f *fake, more ...listen.Option) []listen.Option {
	return fastOpts(f, append([]listen.Option{listen.WithRetryBackoff(time.Millisecond, 2*time.Millisecond),
		listen.WithPauseLimit(5 * time.Millisecond), listen.WithRetryAfterCap(2 * time.Millisecond)}, more...)...)
}

// TestFaultsPolling: REST polling of a Mastodon and of a GoToSocial
// server under 429 with reset headers, 5xx, 200 with an HTML page, 429
// and 503 with Retry-After: 86400, exhausted windows with a reset past
// the pause limit (the host restarts the run), restarts that cut every
// connection, truncated and cut bodies, a status that does not decode in
// a page, duplicates, reordering, and gzip on every answer. Every status
// arrives exactly once, across a restart from the saved cursor; the one
// the loop broke out on comes once more.
func TestFaultsPolling(t *testing.T) {
	for _, dialect := range []string{"mastodon", "gotosocial"} {
		t.Run(dialect, func(t *testing.T) {
			const tok = "tok-abcdef-123"
			f := newFake(t)
			if dialect == "gotosocial" {
				f = newGoToSocial(t, tok)
			}
			ids := f.publish(400)
			f.faultPct = 16
			f.farReset, f.restartFor = 12*time.Millisecond, 5*time.Millisecond
			store := &listen.MemoryStore{}
			require.NoError(t, store.Save(context.Background(), "k", "1"))
			src, err := New(f.srv.URL, Hashtag("golang"), faultOpts(f, WithToken(tok), listen.WithCursorStore(store, "k"),
				listen.WithPageSize(3), listen.Follow())...)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			got := map[string]int{}
			brokeOn := ""
			r1 := faulttest.Supervise(t, ctx, src, 5*time.Millisecond, func(p listen.Post) bool {
				got[p.ID]++
				if len(got) == 150 {
					brokeOn = p.ID // not handled: the next run delivers it again
					return true
				}
				return false
			})
			ids = append(ids, f.publish(60)...)
			r2 := faulttest.Supervise(t, ctx, src, 5*time.Millisecond, func(p listen.Post) bool {
				got[p.ID]++
				return len(got) == len(ids)
			})
			lost, dup := faulttest.Loss(ids, got, brokeOn)
			assert.Zero(t, lost, "lost")
			assert.Zero(t, dup, "duplicated")
			assert.Len(t, got, len(ids))
			f.mu.Lock()
			defer f.mu.Unlock()
			st := src.Stats()
			t.Logf("%s polling: faults %d (issue 19 kinds %d) %v; restarts %d; gzip %d; lost %d duplicated %d; stats %+v",
				dialect, f.faults.Total(), f.faults.Of(faulttest.Issue19()...), f.faults, r1+r2, f.gzipped.Load(), lost, dup, st)
			assert.GreaterOrEqual(t, f.faults.Of(faulttest.Issue19()...), 200)
			assert.Positive(t, r1+r2, "far resets were errors the host saw")
			assert.Positive(t, st.Skipped, "bad items skipped")
			assert.Positive(t, f.gzipped.Load())
		})
	}
}

// testStreamFaults: statuses, edits and deletes published while the
// stream drops, sends malformed, duplicated, reordered and slowly
// trickled frames, the server restarts (cutting every connection), and
// the REST backfill meets the polling faults. Every status arrives
// exactly once (the backfill covers what the streams missed); an edit or
// a delete, which the streaming API cannot replay, arrives at most once.
// A restart from the saved cursor gets what was published meanwhile.
func testStreamFaults(t *testing.T, transport Transport) {
	f := newFake(t)
	f.tokenReq = "tok-abcdef"
	store := &listen.MemoryStore{}
	ids := f.publish(5)
	require.NoError(t, store.Save(context.Background(), "k", "1"))
	src, err := New(f.srv.URL, Hashtag("golang"), faultOpts(f, WithStream(transport), WithToken("tok-abcdef"),
		listen.WithCursorStore(store, "k"), listen.WithPageSize(40), listen.WithStallTimeout(10*time.Second))...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	f.mu.Lock()
	f.faultPct, f.streamPct = 1, 3
	f.restartFor = 3 * time.Millisecond
	f.mu.Unlock()
	// Publish one status a millisecond, with an edit or a delete of an
	// earlier one now and then, until at least 600 are out and at least
	// 230 faults of issue 19's kinds were injected.
	var pubMu sync.Mutex
	var published []string
	pubDone := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 5000 && (i < 600 || f.issue19Faults() < 230); i++ {
			id := f.publish(1)
			if i%7 == 3 {
				f.mu.Lock()
				f.faults.Add(faulttest.EditDelete)
				n := len(f.statuses)
				f.mu.Unlock()
				if i%2 == 0 {
					f.edit(n - 1 - i%5)
				} else {
					f.remove(n - 1 - i%5)
				}
			}
			pubMu.Lock()
			published = append(published, id...)
			pubMu.Unlock()
			time.Sleep(time.Millisecond)
		}
		// The stop condition is checked on deliveries only: a last status,
		// published once done is set, makes sure one comes after it.
		pubMu.Lock()
		defer pubMu.Unlock()
		pubDone = true
		published = append(published, f.publish(1)...)
	}()
	got := map[string]int{}
	events := map[string]int{}
	restarts := faulttest.Supervise(t, ctx, src, 5*time.Millisecond, func(p listen.Post) bool {
		switch p.Kind {
		case listen.KindPost:
			got[p.ID]++
		case listen.KindUpdate:
			events["u:"+p.ID+":"+p.Text]++
		case listen.KindDelete:
			events["d:"+p.ID]++
		}
		pubMu.Lock()
		defer pubMu.Unlock()
		return pubDone && len(got) == len(published)+5
	})
	<-done
	ids = append(ids, published...)
	lost, dup := faulttest.Loss(ids, got, "")
	for k, n := range events {
		if n > 1 {
			t.Errorf("event %s delivered %d times", k, n)
			dup++
		}
	}
	assert.Zero(t, lost, "statuses lost")
	assert.Zero(t, dup, "duplicated")

	// Restart from the saved cursor: statuses published while stopped arrive.
	f.mu.Lock()
	f.faultPct, f.streamPct = 1, 3
	f.restartFor = 3 * time.Millisecond
	f.mu.Unlock()
	more := f.publish(7)
	got2 := map[string]int{}
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		if p.Kind == listen.KindPost {
			got2[p.ID]++
		}
		if done := func() bool {
			for _, id := range more {
				if got2[id] == 0 {
					return false
				}
			}
			return true
		}(); done {
			break
		}
	}
	for _, id := range more {
		assert.Equal(t, 1, got2[id])
	}
	assert.LessOrEqual(t, len(got2), 8, "at most the one status run 1 broke out on comes again")
	f.mu.Lock()
	defer f.mu.Unlock()
	st := src.Stats()
	t.Logf("%v stream: faults %d (issue 19 kinds %d) %v; restarts %d; edits %d deletes %d sent, %d delivered; lost %d duplicated %d; stats %+v",
		transport, f.faults.Total(), f.faults.Of(faulttest.Issue19()...), f.faults, restarts, len(f.edits), len(f.deletes), len(events), lost, dup, st)
	assert.GreaterOrEqual(t, f.faults.Of(faulttest.Issue19()...), 200)
	assert.Positive(t, st.Reconnects)
	assert.Positive(t, len(events), "edits and deletes arrive")
}

func TestFaultsSSE(t *testing.T)       { testStreamFaults(t, SSE) }
func TestFaultsWebSocket(t *testing.T) { testStreamFaults(t, WebSocket) }
