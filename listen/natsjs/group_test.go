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
// a loop that breaks records how far it got (the post it broke on is not
// handled), and the next loop goes on from there: every post once.
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
		if len(got) == 37 {
			break // cannot handle this one: it comes again
		}
		got = append(got, p.Key())
	}
	// The second loop stops once it has recorded the last post: breaking
	// out on it would leave it unhandled.
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	for p, err := range g.Reader(1).Posts(lctx) {
		require.NoError(t, err)
		got = append(got, p.Key())
		if len(got) == len(want) {
			go stopWhen(lctx, stop, func() bool { return cursorKey(lctx, js, g, 1) == want[len(want)-1] })
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
	assert.Equal(t, want[len(want)-1], cursorKey(ctx, js, g, 1), "the cursor is the last post handled")

	// The consumers are gone.
	st, err := js.Stream(ctx, DefaultStream)
	require.NoError(t, err)
	var names []string
	for name := range st.ConsumerNames(ctx).Name() {
		names = append(names, name)
	}
	assert.Empty(t, names)
}

// cursorKey returns the key of the post partition p's cursor points at,
// or "" when there is none (or it cannot be read).
func cursorKey(ctx context.Context, js jetstream.JetStream, g *Group, p int) string {
	e, err := g.cursors.Get(ctx, fmt.Sprint("p", p))
	if err != nil {
		return ""
	}
	seq, _, ok := parseCursor(e.Value())
	if !ok || seq == 0 {
		return ""
	}
	st, err := js.Stream(ctx, g.cfg.stream)
	if err != nil {
		return ""
	}
	m, err := st.GetMsg(ctx, seq)
	if err != nil {
		return ""
	}
	post, err := DecodePost(m.Data)
	if err != nil {
		return ""
	}
	return post.Key()
}

// stopWhen calls stop once done reports true, checking every 20ms until
// ctx ends: a loop that has handled its last post ends this way, since
// breaking out on it would leave it unhandled.
func stopWhen(ctx context.Context, stop func(), done func() bool) {
	for ctx.Err() == nil && !done() {
		time.Sleep(20 * time.Millisecond)
	}
	stop()
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

// A post whose loop body panicked, or ran while ctx ended, is not
// recorded: the next loop yields it again.
func TestReaderUncommitted(t *testing.T) {
	_, js, ctx := newStream(t, 30*time.Second, WithPartitions(1))
	want := publishTest(t, js, ctx, testPosts(30), 1, 0)
	g, err := NewGroup(ctx, js, "uncommitted", WithPartitions(1), WithBatch(4), WithMaxWait(100*time.Millisecond), WithCommitEvery(3))
	require.NoError(t, err)
	got := readUncommitted(t, ctx, g.Reader(0), len(want))
	assert.Equal(t, want, got)
}

// readUncommitted reads n posts from src in three loops: the first
// panics in the body of its eleventh post, the second cancels its ctx in
// the body of its eleventh, the third reads the rest. It returns the
// posts handled, in order; the two that were not must come again.
func readUncommitted(t *testing.T, ctx context.Context, src listen.Source, n int) []string {
	t.Helper()
	var got, refused []string
	func() {
		defer func() { require.Equal(t, "boom", recover()) }()
		for p, err := range src.Posts(ctx) {
			require.NoError(t, err)
			if len(got) == 10 {
				refused = append(refused, p.Key())
				panic("boom")
			}
			got = append(got, p.Key())
		}
	}()
	lctx, cancel := context.WithCancel(ctx)
	for p, err := range src.Posts(lctx) {
		require.NoError(t, err)
		if len(got) == 20 {
			refused = append(refused, p.Key())
			cancel() // the loop ends quietly after this body
			continue
		}
		got = append(got, p.Key())
	}
	cancel()
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		got = append(got, p.Key())
		if len(got) == n {
			break
		}
	}
	require.Len(t, refused, 2)
	assert.Contains(t, got, refused[0], "the post whose body panicked came again")
	assert.Contains(t, got, refused[1], "the post whose body ran as ctx ended came again")
	return got
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

// Group.Run returns the first error of work that is not ErrLost, after
// stopping the work on the other partitions.
func TestGroupRunError(t *testing.T) {
	_, js, ctx := newStream(t, 30*time.Second, WithPartitions(3))
	g, err := NewGroup(ctx, js, "errs", WithPartitions(3), WithLeaseTTL(time.Second))
	require.NoError(t, err)
	boom := errors.New("boom")
	var mu sync.Mutex
	started, stopped := 0, 0
	err = g.Run(ctx, "w", nil, func(ctx context.Context, r *Reader) error {
		if r.Partition() == 2 {
			return boom
		}
		mu.Lock()
		started++ // the others may not have got their lease yet
		mu.Unlock()
		<-ctx.Done()
		mu.Lock()
		stopped++
		mu.Unlock()
		return nil
	})
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, started, stopped, "every work that started has returned")
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
