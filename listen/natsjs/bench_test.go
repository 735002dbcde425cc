package natsjs

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
	"github.com/earshot-dev/earshot/trend"
)

// BenchmarkCluster measures posts per second end to end through JetStream
// on this machine: one in-process server with file storage, one publisher,
// three workers on one durable consumer, each post published, fetched,
// handled (hashtags into a trend.Sketch) and acknowledged. Compare with
// BenchmarkSingleProcess, the same posts and loop body without NATS.
//
// Its posts are small (bodies of about 60 bytes); BenchmarkClusterFullPosts
// runs the same pipeline with posts of a realistic size.
func BenchmarkCluster(b *testing.B) { benchCluster(b, false, testPosts) }

// BenchmarkClusterFullPosts is BenchmarkCluster with posts the size of a
// real Mastodon or Bluesky post (see fullPosts): bodies of about 430 bytes.
func BenchmarkClusterFullPosts(b *testing.B) { benchCluster(b, false, fullPosts) }

// BenchmarkClusterInProcess is BenchmarkCluster with every connection
// made in-process (nats.InProcessServer) instead of over TCP loopback,
// as a host that embeds the server can do.
func BenchmarkClusterInProcess(b *testing.B) { benchCluster(b, true, testPosts) }

func benchCluster(b *testing.B, inProcess bool, gen func(int) []listen.Post) {
	benchPipeline(b, inProcess, nil, gen, publishPosts, func(ctx context.Context, _ int, js jetstream.JetStream, loop func(context.Context, listen.Source) error) error {
		src, err := New(js, "bench", WithBatch(500), WithMaxAckPending(20_000))
		if err != nil {
			return err
		}
		return loop(ctx, src)
	})
}

// BenchmarkGroup is BenchmarkCluster with the workers reading through a
// Group instead of one shared consumer: three partitions, one per worker,
// each read in order with its position committed every 64 posts instead
// of an acknowledgement per post.
func BenchmarkGroup(b *testing.B) { benchGroup(b, 3, testPosts) }

// BenchmarkGroupFullPosts is BenchmarkGroup with posts of a realistic size
// (see fullPosts).
func BenchmarkGroupFullPosts(b *testing.B) { benchGroup(b, 3, fullPosts) }

// BenchmarkGroup16 is BenchmarkGroup with the default 16 partitions: each
// worker reads five or six of them.
func BenchmarkGroup16(b *testing.B) { benchGroup(b, DefaultPartitions, testPosts) }

func benchGroup(b *testing.B, partitions int, gen func(int) []listen.Post) {
	opts := []Option{WithPartitions(partitions), WithBatch(500)}
	benchPipeline(b, false, opts, gen, publishPosts, func(ctx context.Context, i int, js jetstream.JetStream, loop func(context.Context, listen.Source) error) error {
		g, err := NewGroup(ctx, js, "bench", opts...)
		if err != nil {
			return err
		}
		return g.Run(ctx, fmt.Sprint("w", i), func(p int) bool { return p%benchWorkers == i },
			func(ctx context.Context, r *Reader) error { return loop(ctx, r) })
	})
}

const benchWorkers = 3

// publishPosts publishes posts with a Publisher made with opts.
func publishPosts(ctx context.Context, js jetstream.JetStream, opts []Option, posts []listen.Post) error {
	pub, err := NewPublisher(js, opts...)
	if err != nil {
		return err
	}
	_, err = pub.PublishAll(ctx, listentest.Static(posts...))
	return err
}

// benchPipeline measures posts per second end to end: one in-process
// server with file storage and a stream made with opts, one publisher of
// gen(b.N) posts (publish), and benchWorkers workers, each run by worker
// on a connection of its own until ctx ends; worker runs loop over each
// source it reads, which puts every post's hashtags into a sketch of its
// own.
func benchPipeline(b *testing.B, inProcess bool, opts []Option, gen func(int) []listen.Post,
	publish func(ctx context.Context, js jetstream.JetStream, opts []Option, posts []listen.Post) error,
	worker func(ctx context.Context, i int, js jetstream.JetStream, loop func(context.Context, listen.Source) error) error) {
	ts := startServer(b)
	ts.inProcess = inProcess
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, js := ts.connect(b)
	if err := EnsureStream(ctx, js, opts...); err != nil {
		b.Fatal(err)
	}
	posts := gen(b.N)
	var handled atomic.Int64
	all := make(chan struct{})
	loop := func(ctx context.Context, src listen.Source) error {
		sk := &trend.Sketch{}
		for p, err := range src.Posts(ctx) {
			if err != nil {
				return err
			}
			for _, tag := range trend.Hashtags(p.Text) {
				sk.Observe(tag, p.Created, 1)
			}
			if handled.Add(1) == int64(b.N) {
				close(all)
			}
		}
		return nil
	}
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range benchWorkers {
		_, wjs := ts.connect(b)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := worker(ctx, i, wjs, loop); err != nil && ctx.Err() == nil {
				b.Error(err)
			}
		}()
	}
	if err := publish(ctx, js, opts, posts); err != nil {
		b.Fatal(err)
	}
	select {
	case <-all:
	case <-time.After(5 * time.Minute):
		b.Fatalf("handled %d of %d", handled.Load(), b.N)
	}
	b.StopTimer()
	cancel()
	wg.Wait()
	report(b, cpu)
}

// BenchmarkSingleProcess is the baseline: the same posts and loop body in
// one process, from an in-memory source.
func BenchmarkSingleProcess(b *testing.B) {
	posts := testPosts(b.N)
	src := listentest.Static(posts...)
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	sk := &trend.Sketch{}
	n := 0
	for p, err := range listen.Dedupe(src, 100_000).Posts(context.Background()) {
		if err != nil {
			b.Fatal(err)
		}
		for _, tag := range trend.Hashtags(p.Text) {
			sk.Observe(tag, p.Created, 1)
		}
		n++
	}
	b.StopTimer()
	if n != b.N {
		b.Fatalf("handled %d of %d", n, b.N)
	}
	report(b, cpu)
}

func report(b *testing.B, cpu time.Duration) {
	elapsed := b.Elapsed()
	if elapsed > 0 {
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "posts/s")
	}
	if used := cpuTime() - cpu; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(b.N)/used.Seconds(), "posts/cpu-s")
	}
}

// BenchmarkPublish measures the publishing side alone: posts per second
// stored (file storage, acknowledged) by one Publisher.
func BenchmarkPublish(b *testing.B) {
	ts := startServer(b)
	ctx := context.Background()
	_, js := ts.connect(b)
	if err := EnsureStream(ctx, js); err != nil {
		b.Fatal(err)
	}
	posts := testPosts(b.N)
	pub, err := NewPublisher(js)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	if _, err := pub.PublishAll(ctx, listentest.Static(posts...)); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	report(b, cpu)
}

// fullPosts is testPosts with every field a real post fills: a text of
// about 260 characters, its URL, the author's name and followers, the
// language, tags, a link and counts.
func fullPosts(n int) []listen.Post {
	out := testPosts(n)
	filler := " Our order arrived two days late and the box was crushed, but support " +
		"answered within the hour and sent a replacement with a handwritten note. " +
		"That is how you keep a customer. Details and photos in the thread below:"
	for i := range out {
		p := &out[i]
		p.Text += filler + " https://example.com/orders/" + p.ID
		p.URL = "https://mastodon.example/@" + p.Author.Handle + "/11334455667788" + p.ID
		p.Author.ID = "10987654321" + p.ID
		p.Author.Name = "Customer " + p.Author.Handle
		p.Author.Followers = 1200 + i%500
		p.Lang = "en"
		p.Tags = trend.Hashtags(p.Text)
		p.Links = []string{"https://example.com/orders/" + p.ID}
		p.Likes, p.Reposts, p.Replies = i%40, i%9, i%5
	}
	return out
}
