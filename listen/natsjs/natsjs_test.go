package natsjs

import (
	"context"
	"iter"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Option
	}{
		{"stream with dot", WithStream("a.b")},
		{"empty subject token", WithSubject("a..b")},
		{"wildcard subject", WithSubject("a.*")},
		{"zero partitions", WithPartitions(0)},
		{"zero batch", WithBatch(0)},
		{"tiny max wait", WithMaxWait(time.Millisecond)},
		{"zero max deliver", WithMaxDeliver(0)},
		{"zero in flight", WithMaxInFlight(0)},
		{"short lease", WithLeaseTTL(500 * time.Millisecond)},
		{"zero commit every", WithCommitEvery(0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPublisher(nopJS{}, tc.opt)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "natsjs: "), err.Error())
		})
	}
	_, err := New(nopJS{}, "bad.name")
	require.Error(t, err)
	_, err = New(nil, "workers")
	require.Error(t, err)
}

// nopJS satisfies jetstream.JetStream for constructors that do no I/O.
type nopJS struct{ jetstream.JetStream }

func TestSubjectPartitions(t *testing.T) {
	p := listen.Post{Platform: "rss feed.x", ID: "1"}
	s := Subject("earshot.posts", 8, &p)
	assert.Regexp(t, `^earshot\.posts\.rss_feed_x\.[0-7]$`, s)
	seen := map[int]bool{}
	for _, p := range testPosts(200) {
		k := Partition(p.Key(), 8)
		require.Equal(t, k, Partition(p.Key(), 8), "stable")
		seen[k] = true
	}
	assert.Len(t, seen, 8, "200 keys spread over all 8 partitions")
	assert.Equal(t, 0, Partition("x", 1))
	assert.Equal(t, "bluesky:1", MsgID(&listen.Post{Platform: "bluesky", ID: "1"}))
	assert.Equal(t, "bluesky:1#update", MsgID(&listen.Post{Platform: "bluesky", ID: "1", Kind: listen.KindUpdate}))
}

// Two overlapping pollers publish the same posts: the stream keeps one
// message per post, on the partitioned subject, with the key as ID.
func TestPublishDedupe(t *testing.T) {
	ts := startServer(t)
	_, js := ts.connect(t)
	ctx := context.Background()
	require.NoError(t, EnsureStream(ctx, js, WithPartitions(4)))
	posts := testPosts(500)
	for range 2 {
		pub, err := NewPublisher(js, WithPartitions(4), WithMaxInFlight(64))
		require.NoError(t, err)
		n, err := pub.PublishAll(ctx, listentest.Static(posts...))
		require.NoError(t, err)
		require.Equal(t, len(posts), n)
	}
	// An edit is a different message from the post it edits.
	edit := posts[0]
	edit.Kind, edit.Text = listen.KindUpdate, "edited"
	pub, err := NewPublisher(js, WithPartitions(4))
	require.NoError(t, err)
	require.NoError(t, pub.Publish(ctx, edit))
	require.NoError(t, pub.Flush(ctx))

	st, err := js.Stream(ctx, DefaultStream)
	require.NoError(t, err)
	info, err := st.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(len(posts)+1), info.State.Msgs)

	m, err := st.GetMsg(ctx, 1)
	require.NoError(t, err)
	got, err := DecodePost(m.Data)
	require.NoError(t, err)
	assert.Equal(t, posts[0].Key(), got.Key())
	assert.True(t, posts[0].Created.Equal(got.Created))
	assert.Equal(t, Subject(DefaultSubject, 4, &posts[0]), m.Subject)
	assert.Equal(t, posts[0].Key(), m.Header.Get(jetstream.MsgIDHeader))
}

func TestPublishClosedConnection(t *testing.T) {
	ts := startServer(t)
	nc, js := ts.connect(t)
	ctx := context.Background()
	require.NoError(t, EnsureStream(ctx, js))
	pub, err := NewPublisher(js)
	require.NoError(t, err)
	nc.Close()
	err = pub.Publish(ctx, testPosts(1)[0])
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "natsjs: publish"), err.Error())
}

func TestConformance(t *testing.T) {
	listentest.Run(t, func(t *testing.T) listen.Source {
		ts := startServer(t)
		_, js := ts.connect(t)
		ctx := context.Background()
		require.NoError(t, EnsureStream(ctx, js))
		pub, err := NewPublisher(js)
		require.NoError(t, err)
		_, err = pub.PublishAll(ctx, listentest.Static(testPosts(5)...))
		require.NoError(t, err)
		src, err := New(js, "conformance", WithMaxWait(100*time.Millisecond))
		require.NoError(t, err)
		// Create the consumer and bucket now: the in-process server starts
		// goroutines for them, which the suite must not take for the source's.
		require.NoError(t, src.Setup(ctx))
		return src
	})
}

// A post the host has handled is acknowledged; breaking out of the loop
// hands the post it broke on and the rest of the batch back, so a second
// run gets exactly the remaining posts.
func TestSourceAcksAfterBody(t *testing.T) {
	t.Run("async", func(t *testing.T) { testAcksAfterBody(t) })
	t.Run("sync", func(t *testing.T) { testAcksAfterBody(t, WithSyncAck()) })
}

func testAcksAfterBody(t *testing.T, extra ...Option) {
	_, js, ctx := newStream(t, 30*time.Second)
	posts := testPosts(50)
	pub, err := NewPublisher(js)
	require.NoError(t, err)
	_, err = pub.PublishAll(ctx, listentest.Static(posts...))
	require.NoError(t, err)

	opts := append([]Option{WithBatch(20), WithMaxWait(100 * time.Millisecond), WithAckWait(time.Second)}, extra...)
	src, err := New(js, "acks", opts...)
	require.NoError(t, err)
	var first []string
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		if len(first) == 7 {
			break // cannot handle this one: it comes again
		}
		first = append(first, p.Key())
	}
	// A second source (another worker, no shared seen-set) on the same
	// consumer gets the other 43 posts, not the 7 handled ones.
	src2, err := New(js, "acks", opts...)
	require.NoError(t, err)
	cons, err := js.Consumer(ctx, DefaultStream, "acks")
	require.NoError(t, err)
	allAcked := func() bool {
		info, err := cons.Info(ctx)
		return err == nil && info.NumAckPending == 0 && info.NumPending == 0
	}
	var rest []string
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	for p, err := range src2.Posts(lctx) {
		require.NoError(t, err)
		rest = append(rest, p.Key())
		if len(rest) == 43 {
			// Stop once the last post is acknowledged (breaking out on it
			// would hand it back).
			go stopWhen(lctx, stop, allAcked)
		}
	}
	all := append(first, rest...)
	want := make([]string, len(posts))
	for i, p := range posts {
		want[i] = p.Key()
	}
	assert.ElementsMatch(t, want, all)
	assert.True(t, allAcked())
}

// A post whose loop body panicked, or ran while ctx ended, is handed back
// at once (not left to its ack wait, here longer than the test) and
// comes again; the posts handled are acknowledged once each.
func TestSourceUncommitted(t *testing.T) {
	_, js, ctx := newStream(t, 20*time.Second)
	posts := testPosts(30)
	pub, err := NewPublisher(js)
	require.NoError(t, err)
	_, err = pub.PublishAll(ctx, listentest.Static(posts...))
	require.NoError(t, err)
	src, err := New(js, "uncommitted", WithBatch(4), WithMaxWait(100*time.Millisecond), WithAckWait(time.Minute))
	require.NoError(t, err)
	got := readUncommitted(t, ctx, src, len(posts))
	want := make([]string, len(posts))
	for i, p := range posts {
		want[i] = p.Key()
	}
	assert.ElementsMatch(t, want, got)
}

// A message that is not a post is terminated, not delivered.
func TestSourceSkipsGarbage(t *testing.T) {
	_, js, ctx := newStream(t, 30*time.Second)
	_, err := js.Publish(ctx, DefaultSubject+".x.0", []byte("not json"))
	require.NoError(t, err)
	_, err = js.Publish(ctx, DefaultSubject+".x.0", []byte(`{"text":"no id"}`))
	require.NoError(t, err)
	pub, err := NewPublisher(js)
	require.NoError(t, err)
	_, err = pub.PublishAll(ctx, listentest.Static(testPosts(1)...))
	require.NoError(t, err)
	src, err := New(js, "garbage", WithMaxWait(100*time.Millisecond))
	require.NoError(t, err)
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		assert.Equal(t, "bluesky:0", p.Key())
		break
	}
}

// When the stream does not exist, the error is final and comes last.
func TestSourceNoStream(t *testing.T) {
	ts := startServer(t)
	_, js := ts.connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	src, err := New(js, "nostream", WithStream("MISSING"), WithMaxRetryTime(time.Second))
	require.NoError(t, err)
	var errs []error
	for _, err := range src.Posts(ctx) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], jetstream.ErrStreamNotFound)
}

// Publishes in flight when the server restarts are sent again: every post
// is stored once, and PublishAll reports no error.
func TestPublishAcrossRestart(t *testing.T) {
	ts, js, ctx := newStream(t, 3*time.Minute) // against a hang
	posts := testPosts(20_000)
	var retries atomic.Int64
	pub, err := NewPublisher(js, WithMaxInFlight(512), WithLogger(slog.New(countHandler{&retries})))
	require.NoError(t, err)
	// A slow source, so that the restart comes in the middle.
	slow := listen.SourceFunc(func(ctx context.Context) iter.Seq2[listen.Post, error] {
		return func(yield func(listen.Post, error) bool) {
			for i, p := range posts {
				if i%1000 == 0 {
					time.Sleep(20 * time.Millisecond)
				}
				if !yield(p, nil) {
					return
				}
			}
		}
	})
	done := make(chan error, 1)
	go func() {
		_, err := pub.PublishAll(ctx, slow)
		done <- err
	}()
	st, err := js.Stream(ctx, DefaultStream)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		info, err := st.Info(ctx)
		return err == nil && info.State.Msgs > 2000
	}, 2*time.Minute, 5*time.Millisecond)
	ts.stop()
	time.Sleep(100 * time.Millisecond)
	ts.start()
	require.NoError(t, <-done)
	require.Eventually(t, func() bool {
		st, err := js.Stream(ctx, DefaultStream)
		if err != nil {
			return false
		}
		info, err := st.Info(ctx)
		return err == nil && info.State.Msgs == uint64(len(posts))
	}, 2*time.Minute, 50*time.Millisecond, "every post stored once")
	t.Logf("%d publishes retried", retries.Load())
}

// countHandler counts log records.
type countHandler struct{ n *atomic.Int64 }

func (h countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countHandler) Handle(context.Context, slog.Record) error {
	h.n.Add(1)
	return nil
}
func (h countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countHandler) WithGroup(string) slog.Handler      { return h }

// A publish the server rejects (no stream for the subject) is retried,
// then fails with an error, and the publisher stays usable.
func TestPublishNoStream(t *testing.T) {
	ts := startServer(t)
	_, js := ts.connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pub, err := NewPublisher(js, WithMaxRetryTime(300*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, pub.Publish(ctx, testPosts(1)[0]))
	err = pub.Flush(ctx)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "natsjs: publish"), err.Error())
	require.NoError(t, EnsureStream(ctx, js))
	_, err = pub.PublishAll(ctx, listentest.Static(testPosts(3)...))
	require.NoError(t, err)
}

func TestParseAck(t *testing.T) {
	for _, tc := range []struct {
		reply string
		want  ackMeta
		ok    bool
	}{
		{"$JS.ACK.EARSHOT_POSTS.workers.3.120.118.1763800000000000000.5", ackMeta{3, 120, 118}, true},
		{"$JS.ACK._.ABCDEF.EARSHOT_POSTS.workers.1.120.118.1763800000000000000.5.tok", ackMeta{1, 120, 118}, true},
		{"$JS.ACK.hub.ABCDEF.S.c.12.7.5.1.0", ackMeta{12, 7, 5}, true}, // v2 without the last token
		{"$JS.ACK.S.c.x.1.1.1.0", ackMeta{}, false},
		{"$JS.ACK.S.c.1.x.1.1.0", ackMeta{}, false},
		{"$JS.ACK.S.c.1.1..1.0", ackMeta{}, false},
		{"$JS.ACK.S.c.1.1.1", ackMeta{}, false},
		{"$JS.ACK.S.c.1.1.99999999999999999999.1.0", ackMeta{}, false},
		{"$JS.ACK.a.b.c.d.e.f.g.h.i.j", ackMeta{}, false},
		{"_INBOX.abc.1", ackMeta{}, false},
		{"", ackMeta{}, false},
	} {
		md, ok := parseAck(tc.reply)
		assert.Equal(t, tc.ok, ok, tc.reply)
		assert.Equal(t, tc.want, md, tc.reply)
	}
	// The server's own subjects agree with the library's parser.
	_, js, ctx := newStream(t, 10*time.Second)
	pub, err := NewPublisher(js)
	require.NoError(t, err)
	_, err = pub.PublishAll(ctx, listentest.Static(testPosts(1)...))
	require.NoError(t, err)
	cons, err := js.CreateOrUpdateConsumer(ctx, DefaultStream, jetstream.ConsumerConfig{Durable: "nd", AckPolicy: jetstream.AckExplicitPolicy})
	require.NoError(t, err)
	for want := uint64(1); want <= 2; want++ {
		m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		require.NoError(t, err)
		md, err := m.Metadata()
		require.NoError(t, err)
		got, ok := parseAck(m.Reply())
		require.True(t, ok, m.Reply())
		assert.Equal(t, want, got.delivered)
		assert.Equal(t, ackMeta{md.NumDelivered, md.Sequence.Stream, md.Sequence.Consumer}, got)
		require.NoError(t, m.Nak())
	}
}

// On a stream with fast batches the publisher sends batches, confirmed by
// a few flow messages; on a stream without them it falls back to one
// acknowledgement per message. Either way every post is stored once.
func TestPublishFastBatch(t *testing.T) {
	for _, tc := range []struct {
		name    string
		batched bool
	}{{"batched", true}, {"stream without fast batches", false}} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t)
			nc, js := ts.connect(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if tc.batched {
				require.NoError(t, EnsureStream(ctx, js))
			} else {
				_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: DefaultStream,
					Subjects: []string{DefaultSubject + ".>"}, Storage: jetstream.FileStorage})
				require.NoError(t, err)
			}
			posts := testPosts(5000)
			pub, err := NewPublisher(js, WithMaxInFlight(1000))
			require.NoError(t, err)
			before := nc.Stats().InMsgs
			n, err := pub.PublishAll(ctx, listentest.Static(posts...))
			require.NoError(t, err)
			require.Equal(t, len(posts), n)
			acks := nc.Stats().InMsgs - before
			pub.mu.Lock()
			perMsg := pub.perMsg
			pub.mu.Unlock()
			if tc.batched {
				assert.False(t, perMsg)
				assert.Less(t, acks, uint64(len(posts)/10), "a flow message per many posts")
			} else {
				assert.True(t, perMsg)
				assert.GreaterOrEqual(t, acks, uint64(len(posts)), "an ack per post")
			}
			st, err := js.Stream(ctx, DefaultStream)
			require.NoError(t, err)
			info, err := st.Info(ctx)
			require.NoError(t, err)
			assert.Equal(t, uint64(len(posts)), info.State.Msgs)
			// And again: all duplicates, nothing added.
			_, err = pub.PublishAll(ctx, listentest.Static(posts...))
			require.NoError(t, err)
			info, err = st.Info(ctx)
			require.NoError(t, err)
			assert.Equal(t, uint64(len(posts)), info.State.Msgs)
			// A new publisher flushing right after its first post stores
			// that post and nothing else. (A server older than 2.14 would
			// store an end-of-batch message sent before its first answer
			// as an empty post; commit waits for that answer. That case
			// needs an old server and is not tested here.)
			fresh, err := NewPublisher(js)
			require.NoError(t, err)
			extra := testPosts(len(posts) + 1)[len(posts)]
			require.NoError(t, fresh.Publish(ctx, extra))
			require.NoError(t, fresh.Flush(ctx))
			info, err = st.Info(ctx)
			require.NoError(t, err)
			assert.Equal(t, uint64(len(posts)+1), info.State.Msgs)
		})
	}
}

// A post the stream rejects in the middle of a fast batch (too large)
// ends the batch: the posts before and after it are stored, and the
// rejected one fails with an error once its retries run out.
func TestPublishRejectedInBatch(t *testing.T) {
	_, js, ctx := newStream(t, 30*time.Second)
	st, err := js.Stream(ctx, DefaultStream)
	require.NoError(t, err)
	cfg := st.CachedInfo().Config
	cfg.MaxMsgSize = 1024
	_, err = js.UpdateStream(ctx, cfg)
	require.NoError(t, err)

	posts := testPosts(2000)
	posts[1000].Text = strings.Repeat("x", 2000)
	pub, err := NewPublisher(js, WithMaxRetryTime(200*time.Millisecond))
	require.NoError(t, err)
	for _, p := range posts {
		require.NoError(t, pub.Publish(ctx, p))
	}
	err = pub.Flush(ctx)
	require.Error(t, err, "the large post is not stored")
	assert.True(t, strings.HasPrefix(err.Error(), "natsjs: publish"), err.Error())
	assert.Contains(t, err.Error(), posts[1000].Key())
	info, err := st.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(len(posts)-1), info.State.Msgs, "all the others are")
}

// A consumer deleted under a running Source is created again, and the
// loop goes on with the posts it has not handled.
func TestSourceConsumerDeleted(t *testing.T) {
	_, js, ctx := newStream(t, 30*time.Second)
	posts := testPosts(40)
	pub, err := NewPublisher(js)
	require.NoError(t, err)
	_, err = pub.PublishAll(ctx, listentest.Static(posts[:20]...))
	require.NoError(t, err)
	src, err := New(js, "deleted", WithBatch(5), WithMaxWait(100*time.Millisecond), WithMaxRetryTime(10*time.Second))
	require.NoError(t, err)
	seen := map[string]int{}
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		seen[p.Key()]++
		if len(seen) == 20 {
			require.NoError(t, js.DeleteConsumer(ctx, DefaultStream, "deleted"))
			_, err = pub.PublishAll(ctx, listentest.Static(posts[20:]...))
			require.NoError(t, err)
		}
		if len(seen) == len(posts) {
			break
		}
	}
	assert.Len(t, seen, len(posts))
	for k, n := range seen {
		assert.Equal(t, 1, n, k)
	}
}

func TestAPIPrefix(t *testing.T) {
	ts := startServer(t)
	nc, js := ts.connect(t)
	assert.Equal(t, "$JS.API.", apiPrefix(js))
	d, err := jetstream.NewWithDomain(nc, "hub")
	require.NoError(t, err)
	assert.Equal(t, "$JS.hub.API.", apiPrefix(d))
	for _, p := range []string{"acct.JS.API", "acct.JS.API."} {
		j, err := jetstream.NewWithAPIPrefix(nc, p)
		require.NoError(t, err)
		assert.Equal(t, "acct.JS.API.", apiPrefix(j))
	}
}
