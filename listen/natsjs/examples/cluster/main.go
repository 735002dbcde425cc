// Command cluster runs an earshot pipeline across workers on NATS
// JetStream: a publisher feeds generated posts into a stream, N workers
// read them from one durable consumer with the ordinary loop, each keeps
// a trend.Sketch, and the merged snapshots give the cluster's trending
// keys, compared with one process on the same posts.
//
// By default it starts an embedded NATS server (file storage in a
// temporary directory) and the workers in this process:
//
//	go run ./examples/cluster -workers 3 -n 200000
//
// With -group the workers share the stream's partitions through a
// natsjs.Group (one partition per worker, read in order, positions
// committed every 64 posts) instead of acknowledging every post of one
// shared consumer: less CPU per post (a shared consumer takes 1.1-1.2
// times as much in the package's benchmarks), and a worker that dies
// leaves up to 128 posts per partition to be handled again:
//
//	go run ./examples/cluster -group
//
// With -nats it uses a real server or cluster instead, in a stream of its
// own that it deletes at the end:
//
//	go run ./examples/cluster -nats nats://localhost:4222
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
	"github.com/earshot-dev/earshot/listen/natsjs"
	"github.com/earshot-dev/earshot/trend"
)

func main() {
	var (
		url     = flag.String("nats", "", "NATS URL; empty starts an embedded server")
		workers = flag.Int("workers", 3, "number of workers")
		n       = flag.Int("n", 100_000, "number of posts")
		batch   = flag.Int("batch", 500, "fetch batch size")
		group   = flag.Bool("group", false, "share partitions through a natsjs.Group instead of one consumer")
	)
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: cluster [flags]: runs generated posts through workers on NATS JetStream (an embedded server unless -nats) and compares their merged trend with one process")
		flag.PrintDefaults()
	}
	flag.Parse()
	switch {
	case flag.NArg() > 0:
		usageError(fmt.Sprintf("unexpected arguments %q", flag.Args()))
	case *workers < 1 || *n < 1 || *batch < 1:
		usageError("-workers, -n and -batch must be positive")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *url, *workers, *n, *batch, *group); err != nil {
		log.Fatal(err)
	}
}

// usageError reports a bad command line and exits with status 2.
func usageError(msg string) {
	fmt.Fprintln(os.Stderr, "cluster:", msg)
	flag.Usage()
	os.Exit(2)
}

func newSketch() *trend.Sketch { return &trend.Sketch{Size: time.Minute} }

func run(ctx context.Context, url string, workers, n, batch int, group bool) error {
	runID := fmt.Sprint(time.Now().UnixNano())
	opts := []natsjs.Option{natsjs.WithBatch(batch), natsjs.WithMaxAckPending(20_000)}
	if group {
		opts = append(opts, natsjs.WithPartitions(workers))
	}
	shared := url != ""
	if !shared {
		dir, err := os.MkdirTemp("", "earshot-cluster")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
		if err != nil {
			return err
		}
		srv.Start()
		defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
		if !srv.ReadyForConnections(10 * time.Second) {
			return errors.New("cluster: embedded server not ready")
		}
		url = srv.ClientURL()
		fmt.Printf("embedded NATS server at %s (file storage)\n", url)
	} else {
		// A stream of our own on a shared cluster.
		opts = append(opts, natsjs.WithStream("EARSHOT_EXAMPLE_"+runID), natsjs.WithSubject("earshot.example."+runID))
	}
	connect := func() (*nats.Conn, jetstream.JetStream, error) {
		nc, err := nats.Connect(url, nats.MaxReconnects(-1))
		if err != nil {
			return nil, nil, err
		}
		js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(10*time.Second))
		if err != nil {
			nc.Close()
			return nil, nil, err
		}
		return nc, js, nil
	}
	nc, js, err := connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := natsjs.EnsureStream(ctx, js, opts...); err != nil {
		return err
	}
	snapBucket := "earshot_example_" + runID
	snaps, err := natsjs.NewSnapshots(ctx, js, snapBucket)
	if err != nil {
		return err
	}
	defer func() {
		cctx := context.WithoutCancel(ctx)
		_ = js.DeleteObjectStore(cctx, snapBucket)
		if shared {
			_ = js.DeleteStream(cctx, "EARSHOT_EXAMPLE_"+runID)
			for _, suffix := range []string{"_guard", "_leases", "_cursors"} {
				_ = js.DeleteKeyValue(cctx, "example_"+runID+suffix)
			}
		}
	}()

	posts := generate(runID, n)
	wctx, stopWorkers := context.WithCancel(ctx)
	defer stopWorkers()
	var handled atomic.Int64
	all := make(chan struct{})
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wnc, wjs, err := connect()
		if err != nil {
			return err
		}
		defer wnc.Close()
		// The loop body: hashtags into a sketch, saved when the loop ends.
		count := func(ctx context.Context, src listen.Source, snapshot string) error {
			sk := newSketch()
			for p, err := range src.Posts(ctx) {
				if err != nil {
					return err
				}
				for _, tag := range trend.Hashtags(p.Text) {
					sk.Observe(tag, p.Created, 1)
				}
				if handled.Add(1) == int64(n) {
					close(all)
				}
			}
			return snaps.Save(context.WithoutCancel(ctx), snapshot, sk)
		}
		wg.Add(1)
		if !group {
			src, err := natsjs.New(wjs, "example_"+runID, opts...)
			if err != nil {
				return err
			}
			go func() {
				defer wg.Done()
				errs[i] = count(wctx, src, fmt.Sprint("worker-", i))
			}()
			continue
		}
		g, err := natsjs.NewGroup(ctx, wjs, "example_"+runID, opts...)
		if err != nil {
			return err
		}
		go func() {
			defer wg.Done()
			// Worker i takes partition i at once and stands by for the
			// others, to take one over if its worker dies.
			errs[i] = g.Run(wctx, fmt.Sprint("worker-", i), func(p int) bool { return p%workers == i },
				func(ctx context.Context, r *natsjs.Reader) error {
					return count(ctx, r, fmt.Sprintf("worker-%d-p%d", i, r.Partition()))
				})
		}()
	}

	start := time.Now()
	cpu0 := cpuTime()
	pub, err := natsjs.NewPublisher(js, opts...)
	if err != nil {
		return err
	}
	if _, err := pub.PublishAll(ctx, listentest.Static(posts...)); err != nil {
		return err
	}
	published := time.Since(start)
	select {
	case <-all:
	case <-ctx.Done():
		stopWorkers()
		wg.Wait()
		return ctx.Err()
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	stopWorkers()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Printf("%d posts, %d workers: published in %v, handled end to end in %v: %.0f posts/s\n",
		n, workers, published.Round(time.Millisecond), elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	if cpu > 0 {
		fmt.Printf("CPU time (this process, server included): %v, %.0f posts per CPU-second\n", cpu.Round(time.Millisecond), float64(n)/cpu.Seconds())
	}

	// The same posts through a plain loop in one process.
	single := newSketch()
	t0 := time.Now()
	for p, err := range listen.Dedupe(listentest.Static(posts...), 100_000).Posts(ctx) {
		if err != nil {
			return err
		}
		for _, tag := range trend.Hashtags(p.Text) {
			single.Observe(tag, p.Created, 1)
		}
	}
	fmt.Printf("single process, same loop body: %v, %.0f posts/s\n", time.Since(t0).Round(time.Millisecond), float64(n)/time.Since(t0).Seconds())

	merged, err := snaps.Merged(ctx)
	if err != nil {
		return err
	}
	at := posts[len(posts)-1].Created.Add(time.Millisecond)
	top, want := merged.Top(at, 5), single.Top(at, 5)
	fmt.Println("trending in the cluster (merged snapshots):")
	for _, t := range top {
		fmt.Printf("  #%-10s count %6.0f  baseline %6.1f  score %7.1f\n", t.Key, t.Count, t.Baseline, t.Score)
	}
	fmt.Println("same as one process:", fmt.Sprint(top) == fmt.Sprint(want))
	return nil
}

// generate returns n posts over ten minutes: a steady background of topics
// and #launch rising in the last two minutes.
func generate(runID string, n int) []listen.Post {
	base := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	out := make([]listen.Post, n)
	for i := range out {
		platform := []string{"mastodon", "bluesky", "reddit"}[i%3]
		text := fmt.Sprintf("post %d about #topic%d", i, i%17)
		if i > n*8/10 && i%3 != 0 {
			text += " #launch"
		}
		out[i] = listen.Post{
			Platform: platform, ID: runID + "-" + fmt.Sprint(i), Text: text,
			Created: base.Add(time.Duration(i) * (10 * time.Minute) / time.Duration(n)),
		}
	}
	return out
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
