package natsjs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func TestGroupConformance(t *testing.T) {
	listentest.Run(t, func(t *testing.T) listen.Source {
		ts := startServer(t)
		_, js := ts.connect(t)
		ctx := context.Background()
		opts := []Option{WithPartitions(1), WithMaxWait(100 * time.Millisecond)}
		require.NoError(t, EnsureStream(ctx, js, opts...))
		pub, err := NewPublisher(js, opts...)
		require.NoError(t, err)
		_, err = pub.PublishAll(ctx, listentest.Static(testPosts(5)...))
		require.NoError(t, err)
		g, err := NewGroup(ctx, js, "conformance", opts...)
		require.NoError(t, err)
		return g.Reader(0)
	})
}

// publishTest publishes posts to a fresh stream with opts and returns the
// keys of partition p's posts in publishing (= stream) order.
func publishTest(t *testing.T, js jetstream.JetStream, ctx context.Context, posts []listen.Post, partitions, p int) []string {
	t.Helper()
	pub, err := NewPublisher(js, WithPartitions(partitions))
	require.NoError(t, err)
	_, err = pub.PublishAll(ctx, listentest.Static(posts...))
	require.NoError(t, err)
	var want []string
	for _, post := range posts {
		if Partition(post.Key(), partitions) == p {
			want = append(want, post.Key())
		}
	}
	return want
}

// A Reader yields its partition's posts, and only those, in stream order;
// a loop that breaks records how far it got, and the next loop goes on
// from there: every post once.
func TestReaderResume(t *testing.T) {
	_, js, ctx := newStream(t, 30*time.Second, WithPartitions(2))
	want := publishTest(t, js, ctx, testPosts(300), 2, 1)
	var logged atomic.Int64 // retries and fresh consumers are logged
	g, err := NewGroup(ctx, js, "resume", WithPartitions(2), WithBatch(16), WithMaxWait(100*time.Millisecond),
		WithCommitEvery(1000), WithLogger(slog.New(countHandler{&logged})))
	require.NoError(t, err)
	var got []string
	for p, err := range g.Reader(1).Posts(ctx) {
		require.NoError(t, err)
		got = append(got, p.Key())
		if len(got) == 37 {
			break
		}
	}
	for p, err := range g.Reader(1).Posts(ctx) {
		require.NoError(t, err)
		got = append(got, p.Key())
		if len(got) == len(want) {
			break
		}
	}
	assert.Equal(t, want, got)

	// With nothing left, a loop waits quietly: no post, no consumer made
	// again, no retry.
	idle, cancel := context.WithTimeout(ctx, 600*time.Millisecond)
	defer cancel()
	for p, err := range g.Reader(1).Posts(idle) {
		t.Errorf("got %v %v", p.Key(), err)
	}
	assert.Zero(t, logged.Load())

	// The position is in the cursor bucket.
	e, err := g.cursors.Get(ctx, "p1")
	require.NoError(t, err)
	seq, _, ok := parseCursor(e.Value())
	require.True(t, ok)
	msg, err := js.Stream(ctx, DefaultStream)
	require.NoError(t, err)
	last, err := msg.GetMsg(ctx, seq)
	require.NoError(t, err)
	p, err := DecodePost(last.Data)
	require.NoError(t, err)
	assert.Equal(t, want[len(want)-1], p.Key(), "the cursor is the last post handled")

	// The consumers are gone.
	var names []string
	for name := range msg.ConsumerNames(ctx).Name() {
		names = append(names, name)
	}
	assert.Empty(t, names)
}

// A Reader that starts on a partition takes it over: the one that ran
// before ends with ErrLost at its next commit, and the new one goes on
// from the old one's last commit.
func TestReaderTakeOver(t *testing.T) {
	_, js, ctx := newStream(t, 30*time.Second, WithPartitions(1))
	want := publishTest(t, js, ctx, testPosts(100), 1, 0)
	opts := []Option{WithPartitions(1), WithBatch(10), WithMaxWait(100 * time.Millisecond), WithCommitEvery(1)}
	g, err := NewGroup(ctx, js, "takeover", opts...)
	require.NoError(t, err)

	var (
		mu    sync.Mutex
		count = map[string]int{}
	)
	add := func(k string) int {
		mu.Lock()
		defer mu.Unlock()
		count[k]++
		return len(count)
	}
	oldErr := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		n := 0
		for p, err := range g.Reader(0).Posts(ctx) {
			if err != nil {
				oldErr <- err
				return
			}
			add(p.Key())
			if n++; n == 20 {
				close(started)
			}
			if n >= 20 {
				time.Sleep(20 * time.Millisecond) // slow: the new reader takes over meanwhile
			}
		}
		oldErr <- nil
	}()
	<-started
	for p, err := range g.Reader(0).Posts(ctx) {
		require.NoError(t, err)
		if add(p.Key()) == len(want) {
			break
		}
	}
	err = <-oldErr
	require.ErrorIs(t, err, ErrLost)
	assert.Contains(t, err.Error(), "partition 0")
	doubled := 0
	for _, k := range want {
		require.NotZero(t, count[k], k)
		if count[k] > 1 {
			doubled++
		}
	}
	// The old reader commits after every post; it handles at most the post
	// in its loop body and one more before it notices.
	t.Logf("%d posts handled by both readers", doubled)
	assert.LessOrEqual(t, doubled, 3)
}

func TestReaderPartitionRange(t *testing.T) {
	_, js, ctx := newStream(t, 10*time.Second, WithPartitions(2))
	g, err := NewGroup(ctx, js, "range", WithPartitions(2))
	require.NoError(t, err)
	for _, p := range []int{-1, 2} {
		var errs []error
		for _, err := range g.Reader(p).Posts(ctx) {
			errs = append(errs, err)
		}
		require.Len(t, errs, 1)
		assert.ErrorContains(t, errs[0], "out of range")
	}
	// A stream that does not exist is a final error.
	g, err = NewGroup(ctx, js, "nostream", WithStream("NOPE"), WithMaxWait(50*time.Millisecond))
	require.NoError(t, err)
	var errs []error
	for _, err := range g.Reader(0).Posts(ctx) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], jetstream.ErrStreamNotFound)

	_, err = NewGroup(ctx, js, "bad.name")
	assert.Error(t, err)
	_, err = NewGroup(ctx, js, "ok", WithLeaseTTL(time.Millisecond))
	assert.Error(t, err)
}

// A Reader whose connection is cut while posts are on their way reads on
// from the last post it handled: nothing lost, nothing twice.
func TestReaderCutConnection(t *testing.T) {
	ts, js, ctx := newStream(t, 60*time.Second, WithPartitions(1))
	want := publishTest(t, js, ctx, testPosts(3000), 1, 0)
	nc, wjs := ts.connect(t)
	g, err := NewGroup(ctx, wjs, "cut", WithPartitions(1), WithBatch(200), WithMaxWait(200*time.Millisecond))
	require.NoError(t, err)
	var got []string
	for p, err := range g.Reader(0).Posts(ctx) {
		require.NoError(t, err)
		got = append(got, p.Key())
		if len(got)%500 == 100 {
			// Cut while the rest of a batch is on the wire.
			id, err := nc.GetClientID()
			require.NoError(t, err)
			require.NoError(t, ts.srv.DisconnectClientByID(id))
		}
		if len(got) == len(want) {
			break
		}
	}
	assert.Equal(t, want, got)
	assert.GreaterOrEqual(t, nc.Stats().Reconnects, uint64(5))
}

// TestGroup runs three workers of a Group over six partitions while two
// overlapping pollers publish the same posts. One worker dies mid-stream
// and two workers' connections are cut. Nothing may be lost; posts are
// handled twice only where the dead worker's partitions were taken over,
// at most two commit intervals each; and the trend state merged from the
// workers' snapshots answers as one process fed the same deliveries.
func TestGroup(t *testing.T) { testGroup(t, false) }

// TestGroupRestart adds a server restart (file storage) to TestGroup. A
// worker whose lease lapses while the server is down may be unable to
// record its last position; the partition's next reader then handles up
// to two commit intervals again.
func TestGroupRestart(t *testing.T) { testGroup(t, true) }

func testGroup(t *testing.T, restart bool) {
	n := 6000
	if testing.Short() {
		n = 2000
	}
	const (
		partitions  = 6
		workers     = 3
		commitEvery = 16
		killAt      = 300
	)
	opts := []Option{WithPartitions(partitions), WithBatch(64), WithMaxWait(200 * time.Millisecond),
		WithCommitEvery(commitEvery), WithLeaseTTL(2 * time.Second)}
	ts, js, ctx := newStream(t, 60*time.Second, opts...)
	snaps, err := NewSnapshots(ctx, js, "trends")
	require.NoError(t, err)
	posts := testPosts(n)
	led := &ledger{handled: map[string]int{}, changed: make(chan struct{}, 1)}

	type worker struct {
		name string
		nc   *nats.Conn
		err  error
		held sync.Map // partitions it read: int → true

		body    sync.Mutex
		handled int // posts handled, under body
		runs    int // partition loops started, under body
	}
	ws := make([]*worker, workers)
	wctx, stopWorkers := context.WithCancel(ctx)
	defer stopWorkers()
	var (
		wg     sync.WaitGroup
		killed sync.Once
	)
	for i := range ws {
		nc, wjs := ts.connect(t)
		w := &worker{name: fmt.Sprint("w", i), nc: nc}
		ws[i] = w
		g, err := NewGroup(ctx, wjs, "group", opts...)
		require.NoError(t, err)
		wsnaps, err := NewSnapshots(ctx, wjs, "trends")
		require.NoError(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.err = g.Run(wctx, w.name, func(p int) bool { return p%workers == i },
				func(ctx context.Context, r *Reader) error {
					w.held.Store(r.Partition(), true)
					w.body.Lock()
					w.runs++
					name := fmt.Sprintf("%s-p%d-%d", w.name, r.Partition(), w.runs)
					w.body.Unlock()
					sk := newTestSketch()
					count := 0
					for p, err := range r.Posts(ctx) {
						if err != nil {
							return err
						}
						// One loop body at a time per worker, so that the
						// worker dies between two of them.
						w.body.Lock()
						if i == 1 && w.handled >= killAt {
							killed.Do(func() { w.nc.Close() }) // dies holding this post, before handling it
							w.body.Unlock()
							continue
						}
						observe(sk, p)
						var err error
						if i == 1 {
							// The worker that dies saves its state after
							// every post, so its snapshot holds what it
							// handled when it dies.
							err = saveRetry(ctx, wsnaps, name, sk)
						} else if count++; count%100 == 0 {
							err = saveRetry(ctx, wsnaps, name, sk)
						}
						if err == nil {
							led.add(p.Key())
							w.handled++
						}
						w.body.Unlock()
						if err != nil {
							return err
						}
					}
					// The partition's loop ended (stopped or lease lost):
					// store the final state.
					return saveRetry(context.WithoutCancel(ctx), wsnaps, name, sk)
				})
		}()
	}

	led.debug = func() {
		for _, w := range ws {
			t.Logf("%s: %v %v", w.name, w.nc.Status(), w.err)
		}
		missing := map[int][]string{}
		led.mu.Lock()
		for _, p := range posts {
			if led.handled[p.Key()] == 0 {
				part := Partition(p.Key(), partitions)
				missing[part] = append(missing[part], p.Key())
			}
		}
		led.mu.Unlock()
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		g, err := NewGroup(dctx, js, "group", opts...)
		if err != nil {
			t.Logf("group: %v", err)
			return
		}
		for p := range partitions {
			holder, _ := g.leases.Holder(dctx, fmt.Sprint("p", p))
			e, _ := g.cursors.Get(dctx, fmt.Sprint("p", p))
			var cur string
			if e != nil {
				cur = string(e.Value())
			}
			t.Logf("partition %d: held by %q, cursor %q, missing %v", p, holder, cur, missing[p])
		}
	}
	disrupt(t, ctx, ts, led, posts, partitions, restart, ws[2].nc, ws[0].nc)
	// Let a late double show up before stopping.
	time.Sleep(300 * time.Millisecond)
	stopWorkers()
	wg.Wait()

	assert.Error(t, ws[1].err, "the killed worker's group ends with the closed connection")
	assert.NoError(t, ws[0].err)
	assert.NoError(t, ws[2].err)
	// The killed worker's partitions were taken over.
	for _, p := range []int{1, 4} {
		_, by0 := ws[0].held.Load(p)
		_, by2 := ws[2].held.Load(p)
		assert.True(t, by0 || by2, "partition %d taken over", p)
	}

	led.mu.Lock()
	assert.Len(t, led.handled, n, "nothing lost")
	doubled := map[int]int{}
	for _, p := range posts {
		if c := led.handled[p.Key()]; c > 1 {
			doubled[Partition(p.Key(), partitions)] += c - 1
		}
	}
	led.mu.Unlock()
	t.Logf("handled twice, by partition: %v", doubled)
	for p, d := range doubled {
		if !restart {
			assert.Contains(t, []int{1, 4}, p, "only the dead worker's partitions have posts handled twice")
		}
		// A reader commits at the latest after two intervals.
		assert.LessOrEqual(t, d, 2*commitEvery, "partition %d", p)
	}
	assertSameTrend(t, ctx, snaps, led, posts)
}

// Group.Run returns the first error of work that is not ErrLost, after
// stopping the work on the other partitions.
func TestGroupRunError(t *testing.T) {
	_, js, ctx := newStream(t, 30*time.Second, WithPartitions(3))
	g, err := NewGroup(ctx, js, "errs", WithPartitions(3), WithLeaseTTL(time.Second))
	require.NoError(t, err)
	boom := errors.New("boom")
	var mu sync.Mutex
	stopped := 0
	err = g.Run(ctx, "w", nil, func(ctx context.Context, r *Reader) error {
		if r.Partition() == 2 {
			return boom
		}
		<-ctx.Done()
		mu.Lock()
		stopped++
		mu.Unlock()
		return nil
	})
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, 2, stopped)
}

// Messages the server delivered for a request whose answers never reached
// the Reader (here another client's request on its consumer, as a cut
// connection can leave one) are read again, even when no later delivery
// shows the gap.
func TestReaderLostTail(t *testing.T) {
	ts, js, ctx := newStream(t, 30*time.Second, WithPartitions(1))
	posts := testPosts(6)
	publishTest(t, js, ctx, posts[:5], 1, 0)
	g, err := NewGroup(ctx, js, "tail", WithPartitions(1), WithBatch(10), WithMaxWait(100*time.Millisecond))
	require.NoError(t, err)
	other, _ := ts.connect(t)
	var got []string
	for p, err := range g.Reader(0).Posts(ctx) {
		require.NoError(t, err)
		got = append(got, p.Key())
		if len(got) == 5 {
			time.Sleep(300 * time.Millisecond) // the reader's request expires
			st, err := js.Stream(ctx, DefaultStream)
			require.NoError(t, err)
			names := st.ConsumerNames(ctx)
			name := <-names.Name()
			require.NotEmpty(t, name)
			inbox := other.NewInbox()
			sub, err := other.SubscribeSync(inbox)
			require.NoError(t, err)
			require.NoError(t, other.PublishRequest("$JS.API.CONSUMER.MSG.NEXT."+DefaultStream+"."+name, inbox, []byte(`{"batch":1,"expires":5000000000}`)))
			require.NoError(t, other.Flush())
			publishTest(t, js, ctx, posts[5:], 1, 0)
			m, err := sub.NextMsg(5 * time.Second)
			require.NoError(t, err)
			d, err := DecodePost(m.Data)
			require.NoError(t, err)
			require.Equal(t, posts[5].Key(), d.Key(), "the other request took the last post")
		}
		if len(got) == 6 {
			break
		}
	}
	want := make([]string, len(posts))
	for i, p := range posts {
		want[i] = p.Key()
	}
	assert.Equal(t, want, got)
}
