package natsjs

import (
	"context"
	"errors"
	"iter"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/earshot-dev/earshot/listen"
)

// BenchmarkBare is the floor BenchmarkGroup is held to: the same server,
// stream, posts, message bodies and loop body, moved with nats.go alone
// and as little as works. A publisher sends each post as a plain NATS
// publish with its key as Nats-Msg-Id (so the server does the same
// dedupe work) and no acknowledgement, except every 256th post (and the
// last), which it publishes with js.PublishMsg and waits for: the server
// stores a connection's posts in order, so that paces the publisher
// (unpaced, the server drops posts when its ingest queue fills: 7% of
// 200,000 in one trial) at about the acknowledgements a Publisher's fast
// batches cost. Each of three workers reads its partition with an
// ordered consumer (no acks, in order, no position kept: a worker that
// dies starts over) and decodes each body with DecodePost.
func BenchmarkBare(b *testing.B) { benchBare(b, testPosts, publishBare) }

// BenchmarkBareFullPosts is BenchmarkBare with posts of a realistic size
// (see fullPosts), beside BenchmarkGroupFullPosts.
func BenchmarkBareFullPosts(b *testing.B) { benchBare(b, fullPosts, publishBare) }

// BenchmarkBareAsync is BenchmarkBare with each post published as
// nats.go offers to have it confirmed: PublishMsgAsync, at most
// DefaultMaxInFlight unacknowledged, then waiting for every
// acknowledgement (nats.go has no fast batches).
func BenchmarkBareAsync(b *testing.B) { benchBare(b, testPosts, publishBareAsync) }

// BenchmarkBareAsyncFullPosts is BenchmarkBareAsync with full-size posts.
func BenchmarkBareAsyncFullPosts(b *testing.B) { benchBare(b, fullPosts, publishBareAsync) }

func benchBare(b *testing.B, gen func(int) []listen.Post,
	publish func(ctx context.Context, js jetstream.JetStream, opts []Option, posts []listen.Post) error) {
	opts := []Option{WithPartitions(benchWorkers)}
	benchPipeline(b, false, opts, gen, publish,
		func(ctx context.Context, i int, js jetstream.JetStream, loop func(context.Context, listen.Source) error) error {
			cons, err := js.OrderedConsumer(ctx, DefaultStream, jetstream.OrderedConsumerConfig{
				FilterSubjects: []string{DefaultSubject + ".*." + strconv.Itoa(i)},
			})
			if err != nil {
				return err
			}
			return loop(ctx, listen.SourceFunc(func(ctx context.Context) iter.Seq2[listen.Post, error] {
				return orderedPosts(ctx, cons)
			}))
		})
}

// orderedPosts yields the posts of an ordered consumer until ctx ends.
func orderedPosts(ctx context.Context, cons jetstream.Consumer) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		it, err := cons.Messages(jetstream.PullMaxMessages(500))
		if err != nil {
			yield(listen.Post{}, err)
			return
		}
		defer it.Stop()
		stop := context.AfterFunc(ctx, it.Stop)
		defer stop()
		for {
			m, err := it.Next()
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				yield(listen.Post{}, err)
				return
			}
			p, err := DecodePost(m.Data())
			if err != nil {
				continue
			}
			if !yield(p, nil) {
				return
			}
		}
	}
}

// publishBare publishes posts as plain NATS messages, every 256th and the
// last one as a JetStream publish that waits for its acknowledgement.
func publishBare(ctx context.Context, js jetstream.JetStream, opts []Option, posts []listen.Post) error {
	c, err := newConfig(opts)
	if err != nil {
		return err
	}
	nc := js.Conn()
	for i := range posts {
		p := &posts[i]
		m := &nats.Msg{Subject: Subject(c.subject, c.partitions, p), Data: AppendPost(nil, p),
			Header: nats.Header{jetstream.MsgIDHeader: []string{MsgID(p)}}}
		if (i+1)%256 != 0 && i != len(posts)-1 {
			err = nc.PublishMsg(m)
		} else {
			_, err = js.PublishMsg(ctx, m)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// publishBareAsync publishes posts with nats.go's PublishMsgAsync and
// waits for every acknowledgement.
func publishBareAsync(ctx context.Context, js jetstream.JetStream, opts []Option, posts []listen.Post) error {
	c, err := newConfig(opts)
	if err != nil {
		return err
	}
	var failed atomic.Int64
	pjs, err := jetstream.New(js.Conn(), jetstream.WithPublishAsyncMaxPending(DefaultMaxInFlight),
		jetstream.WithPublishAsyncErrHandler(func(jetstream.JetStream, *nats.Msg, error) { failed.Add(1) }))
	if err != nil {
		return err
	}
	defer pjs.CleanupPublisher()
	for i := range posts {
		p := &posts[i]
		m := &nats.Msg{Subject: Subject(c.subject, c.partitions, p), Data: AppendPost(nil, p)}
		if _, err := pjs.PublishMsgAsync(m, jetstream.WithMsgID(MsgID(p)), jetstream.WithStallWait(time.Minute)); err != nil {
			return err
		}
	}
	select {
	case <-pjs.PublishAsyncComplete():
	case <-ctx.Done():
		return ctx.Err()
	}
	if n := failed.Load(); n > 0 {
		return errors.New("natsjs: bare publish: " + strconv.FormatInt(n, 10) + " failed")
	}
	return nil
}
