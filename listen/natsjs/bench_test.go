package natsjs

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
	"github.com/earshot-dev/earshot/trend"
)

// BenchmarkCluster measures posts per second end to end through JetStream
// on this machine: one in-process server with file storage, one publisher,
// three workers on one durable consumer, each post published, fetched,
// handled (hashtags into a trend.Sketch) and acknowledged. Compare with
// BenchmarkSingleProcess, the same posts and loop body without NATS.
func BenchmarkCluster(b *testing.B) { benchCluster(b, false) }

// BenchmarkClusterInProcess is BenchmarkCluster with every connection
// made in-process (nats.InProcessServer) instead of over TCP loopback,
// as a host that embeds the server can do.
func BenchmarkClusterInProcess(b *testing.B) { benchCluster(b, true) }

func benchCluster(b *testing.B, inProcess bool) {
	ts := startServer(b)
	ts.inProcess = inProcess
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, js := ts.connect(b)
	if err := EnsureStream(ctx, js); err != nil {
		b.Fatal(err)
	}
	posts := testPosts(b.N)
	var handled atomic.Int64
	all := make(chan struct{})
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 3 {
		_, wjs := ts.connect(b)
		src, err := New(wjs, "bench", WithBatch(500), WithMaxAckPending(20_000))
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sk := &trend.Sketch{}
			for p, err := range src.Posts(ctx) {
				if err != nil {
					b.Error(err)
					return
				}
				for _, tag := range trend.Hashtags(p.Text) {
					sk.Observe(tag, p.Created, 1)
				}
				if handled.Add(1) == int64(b.N) {
					close(all)
				}
			}
		}()
	}
	pub, err := NewPublisher(js)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pub.PublishAll(ctx, listentest.Static(posts...)); err != nil {
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
