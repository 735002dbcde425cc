package natsjs

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/trend"
)

var _ listen.CursorStore = (*Cursors)(nil)

func TestCursors(t *testing.T) {
	ts := startServer(t)
	_, js := ts.connect(t)
	ctx := context.Background()
	c, err := NewCursors(ctx, js, "cursors")
	require.NoError(t, err)
	key := "mastodon:https://mastodon.social:tag:golang"
	got, err := c.Load(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, "", got, "missing cursor is empty")
	require.NoError(t, c.Save(ctx, key, "111"))
	require.NoError(t, c.Save(ctx, key, "112"))
	require.NoError(t, c.Save(ctx, "other key", "x"))

	// Another worker, on its own connection, resumes from the same cursor.
	_, js2 := ts.connect(t)
	c2, err := NewCursors(ctx, js2, "cursors")
	require.NoError(t, err)
	got, err = c2.Load(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, "112", got)
	got, err = c2.Load(ctx, "other key")
	require.NoError(t, err)
	assert.Equal(t, "x", got)
}

func TestLeaseAcquireRenewRelease(t *testing.T) {
	ts := startServer(t)
	_, js := ts.connect(t)
	ctx := context.Background()
	l, err := NewLeases(ctx, js, "leases", time.Second)
	require.NoError(t, err)
	_, err = NewLeases(ctx, js, "short", time.Millisecond)
	require.Error(t, err)

	a, err := l.Acquire(ctx, "bluesky:firehose", "a")
	require.NoError(t, err)
	_, err = l.Acquire(ctx, "bluesky:firehose", "b")
	require.ErrorIs(t, err, ErrHeld)
	h, err := l.Holder(ctx, "bluesky:firehose")
	require.NoError(t, err)
	assert.Equal(t, "a", h)
	require.NoError(t, a.Renew(ctx))
	require.NoError(t, a.Release(ctx))
	h, err = l.Holder(ctx, "bluesky:firehose")
	require.NoError(t, err)
	assert.Equal(t, "", h)
	assert.ErrorIs(t, a.Renew(ctx), ErrLost)

	b, err := l.Acquire(ctx, "bluesky:firehose", "b")
	require.NoError(t, err)
	// a's stale release must not free b's lease.
	require.NoError(t, a.Release(ctx))
	h, err = l.Holder(ctx, "bluesky:firehose")
	require.NoError(t, err)
	assert.Equal(t, "b", h)

	// Without renewals the lease expires and another worker takes it.
	require.Eventually(t, func() bool {
		c, err := l.Acquire(ctx, "bluesky:firehose", "c")
		return err == nil && c != nil
	}, 2*time.Minute, 50*time.Millisecond) // against a hang
	assert.ErrorIs(t, b.Renew(ctx), ErrLost)
}

// A renewal whose answer was lost with the connection does not lose the
// lease: the next Renew finds its own value there. Another holder's value
// does.
func TestLeaseRenewAnswerLost(t *testing.T) {
	ts := startServer(t)
	_, js := ts.connect(t)
	ctx := context.Background()
	l, err := NewLeases(ctx, js, "leases", 10*time.Second)
	require.NoError(t, err)
	a, err := l.Acquire(ctx, "p0", "a")
	require.NoError(t, err)
	_, err = l.kv.Update(ctx, a.key, a.value, a.rev) // a renewal a never heard back from
	require.NoError(t, err)
	require.NoError(t, a.Renew(ctx))
	require.NoError(t, a.Renew(ctx))

	rev, err := l.kv.Update(ctx, a.key, a.value, a.rev)
	require.NoError(t, err)
	_, err = l.kv.Update(ctx, a.key, []byte("a\nanother lease of a"), rev)
	require.NoError(t, err)
	assert.ErrorIs(t, a.Renew(ctx), ErrLost)
	h, err := l.Holder(ctx, "p0")
	require.NoError(t, err)
	assert.Equal(t, "a", h)
}

// Leases.Run on a connection the host closed returns at once, not after
// retrying for ever.
func TestLeaseRunClosedConnection(t *testing.T) {
	ts := startServer(t)
	nc, js := ts.connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := NewLeases(ctx, js, "leases", time.Second)
	require.NoError(t, err)
	nc.Close()
	err = l.Run(ctx, "p0", "a", func(context.Context) error { return errors.New("ran") })
	require.ErrorIs(t, err, nats.ErrConnectionClosed)
	require.NoError(t, ctx.Err())
}

// Two workers run the same poller under one lease: only one runs at a
// time, and when the holder is cut off from the server, the other takes
// over after the lease expires.
//
// The test runs on the real clock, so a loaded machine can make a's
// renewals fail for half the TTL; a then stops its work and gives the
// lease up, and b rightly takes over before a is cut off. That is not a
// failure. What must never happen is checked on the key's history, as the
// server recorded it: b takes the lease only after a released it or a TTL
// after a's last renewal, a never writes after b took it, and a renewed.
func TestLeaseFailover(t *testing.T) {
	const ttl = 2 * time.Second
	ts := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // against a hang
	defer cancel()
	var active atomic.Int32
	var overlap atomic.Bool
	started := make(chan string, 2)
	work := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			if active.Add(1) > 1 {
				overlap.Store(true)
			}
			defer active.Add(-1)
			started <- name
			<-ctx.Done()
			return nil
		}
	}
	ncA, jsA := ts.connect(t)
	_, jsB := ts.connect(t)
	la, err := NewLeases(ctx, jsA, "leases", ttl)
	require.NoError(t, err)
	lb, err := NewLeases(ctx, jsB, "leases", ttl)
	require.NoError(t, err)
	_, jsW := ts.connect(t)
	kvW, err := jsW.KeyValue(ctx, "leases")
	require.NoError(t, err)
	key := kvKey("poll:golang")
	watch, err := kvW.Watch(context.Background(), key) // read after ctx ends
	require.NoError(t, err)
	defer func() { _ = watch.Stop() }()

	var wg sync.WaitGroup
	errA := make(chan error, 1)
	wg.Add(2)
	go func() { defer wg.Done(); errA <- la.Run(ctx, "poll:golang", "a", work("a")) }()
	require.Equal(t, "a", <-started)
	go func() { defer wg.Done(); _ = lb.Run(ctx, "poll:golang", "b", work("b")) }()

	// b waits while a renews for 2.5 TTLs.
	select {
	case who := <-started:
		require.Equal(t, "b", who)
		t.Logf("b started before a was cut off")
		assert.ErrorIs(t, <-errA, ErrLost, "b started while a held the lease")
		ncA.Close()
	case <-time.After(ttl * 5 / 2):
		ncA.Close() // a dies: its renewals fail
		select {
		case who := <-started:
			assert.Equal(t, "b", who)
		case <-ctx.Done():
			t.Fatal("b never took over")
		}
		assert.ErrorIs(t, <-errA, nats.ErrConnectionClosed, "a's work ended because its connection was closed")
	}
	cancel()
	wg.Wait()
	assert.False(t, overlap.Load(), "two holders ran at once")

	// The key's history, up to a value the test writes last.
	_, err = kvW.PutString(context.Background(), key, "end")
	require.NoError(t, err)
	var history []jetstream.KeyValueEntry
	for done := false; !done; {
		select {
		case e, ok := <-watch.Updates():
			require.True(t, ok, "the watch ended")
			if e == nil {
				continue // the end of the initial values: none
			}
			if done = string(e.Value()) == "end"; !done {
				history = append(history, e)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("the key's history never reached the end marker")
		}
	}
	checkLeaseHistory(t, history, ttl)
}

// checkLeaseHistory checks that a lease key's history is a's lease (a
// creation and at least one renewal), perhaps a's release, then b's, with
// b's lease starting only after a's release or a TTL after a's last
// write, and no write of a after it.
func checkLeaseHistory(t *testing.T, history []jetstream.KeyValueEntry, ttl time.Duration) {
	t.Helper()
	holder := func(e jetstream.KeyValueEntry) string {
		if e.Operation() != jetstream.KeyValuePut {
			return "(released)"
		}
		h, _, _ := strings.Cut(string(e.Value()), "\n")
		return h
	}
	var seq []string
	for _, e := range history {
		seq = append(seq, fmt.Sprintf("%s@%d", holder(e), e.Revision()))
	}
	t.Logf("history: %v", seq)
	b := slices.IndexFunc(history, func(e jetstream.KeyValueEntry) bool { return holder(e) == "b" })
	require.Greater(t, b, 1, "a's lease, then b's: %v", seq)
	puts := 0
	for _, e := range history[:b] {
		if holder(e) == "a" {
			puts++
		}
	}
	assert.GreaterOrEqual(t, puts, 2, "a created and renewed its lease: %v", seq)
	if prev := history[b-1]; holder(prev) == "a" {
		gap := history[b].Created().Sub(prev.Created())
		assert.GreaterOrEqual(t, gap, ttl, "b took the lease %v after a's last renewal: %v", gap, seq)
	}
	for _, e := range history[b:] {
		assert.NotEqual(t, "a", holder(e), "a wrote after b took the lease: %v", seq)
	}
}

func TestSnapshotsMergeEmpty(t *testing.T) {
	ts := startServer(t)
	_, js := ts.connect(t)
	ctx := context.Background()
	sn, err := NewSnapshots(ctx, js, "trends")
	require.NoError(t, err)
	s, err := sn.Merged(ctx)
	require.NoError(t, err)
	assert.Empty(t, s.Top(time.Now(), 5))

	a := &trend.Sketch{Size: time.Minute, History: 4, Width: 256, K: 32}
	b := &trend.Sketch{Size: time.Minute, History: 8, Width: 256, K: 32}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a.Observe("x", at, 1)
	b.Observe("x", at, 1)
	require.NoError(t, sn.Save(ctx, "a", a))
	require.NoError(t, sn.Save(ctx, "b", b))
	_, err = sn.Merged(ctx)
	assert.True(t, errors.Is(err, trend.ErrIncompatible), "%v", err)
	require.NoError(t, sn.Delete(ctx, "b"))
	require.NoError(t, sn.Delete(ctx, "b"))
	s, err = sn.Merged(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1.0, s.Count("x", at))
}

// Saving a snapshot leaves no goroutine behind. nats.go before v1.56
// leaked one every few hundred object store puts (a reconnect watcher
// that could start after its channel was cleared and then waited on a nil
// channel for ever).
func TestSnapshotsSaveLeaksNothing(t *testing.T) {
	const saves = 5000
	ts := startServer(t)
	ts.inProcess = true // the saves are the subject, not loopback TCP
	_, js := ts.connect(t)
	ctx := context.Background()
	sn, err := NewSnapshots(ctx, js, "trends")
	require.NoError(t, err)
	s := &trend.Sketch{Size: time.Minute, History: 2, Width: 64, Depth: 2, K: 8}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Observe("x", at, 1)
	require.NoError(t, sn.Save(ctx, "w", s))
	settled := func(limit int) bool {
		for range 100 {
			if runtime.NumGoroutine() <= limit {
				return true
			}
			time.Sleep(10 * time.Millisecond)
		}
		return false
	}
	settled(0) // let the first save's goroutines end
	base := runtime.NumGoroutine()
	start := time.Now()
	for i := range saves {
		s.Observe("x", at, 1)
		require.NoError(t, sn.Save(ctx, "w", s), "save %d", i)
	}
	t.Logf("%d saves in %v", saves, time.Since(start).Round(time.Millisecond))
	if !settled(base) {
		buf := make([]byte, 64<<10)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%d goroutines after %d saves, %d before:\n%s", runtime.NumGoroutine(), saves, base, buf)
	}
	merged, err := sn.Merged(ctx)
	require.NoError(t, err)
	assert.Equal(t, float64(saves+1), merged.Count("x", at), "the last save is the one kept")
}
