package natsjs_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
	"github.com/earshot-dev/earshot/listen/natsjs"
	"github.com/earshot-dev/earshot/trend"
)

// embedded starts a NATS server with JetStream in this process, for the
// examples; a host connects to its own cluster instead.
func embedded() (srv *server.Server, stop func()) {
	dir, err := os.MkdirTemp("", "natsjs-example")
	if err != nil {
		log.Fatal(err)
	}
	srv, err = server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		log.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		log.Fatal("server not ready")
	}
	return srv, func() {
		srv.Shutdown()
		srv.WaitForShutdown()
		os.RemoveAll(dir)
	}
}

// connected starts an embedded server and returns a JetStream handle on a
// connection to it, as Example shows.
func connected() (js jetstream.JetStream, stop func()) {
	srv, stopServer := embedded()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		log.Fatal(err)
	}
	js, err = jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	return js, func() { nc.Close(); stopServer() }
}

// A poller publishes posts (twice, as two overlapping pollers would), and
// a worker handles each once from a durable consumer; the host's loop is
// the ordinary one.
func Example() {
	srv, stop := embedded()
	defer stop()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := natsjs.EnsureStream(ctx, js); err != nil {
		log.Fatal(err)
	}

	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	posts := []listen.Post{
		{Platform: "mastodon", ID: "1", Text: "shipping #golang 1.26", Created: at},
		{Platform: "bluesky", ID: "a", Text: "#golang iterators are neat", Created: at.Add(time.Second)},
		{Platform: "mastodon", ID: "2", Text: "lunch", Created: at.Add(2 * time.Second)},
	}
	pub, err := natsjs.NewPublisher(js)
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		if _, err := pub.PublishAll(ctx, listentest.Static(posts...)); err != nil {
			log.Fatal(err)
		}
	}

	src, err := natsjs.New(js, "workers")
	if err != nil {
		log.Fatal(err)
	}
	det := &trend.Sketch{Size: time.Minute, MinCount: 1}
	n := 0
	for p, err := range src.Posts(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.Key(), p.Text)
		for _, tag := range trend.Hashtags(p.Text) {
			det.Observe(tag, p.Created, 1)
		}
		if n++; n == len(posts) {
			break // a worker normally runs until its ctx is done
		}
	}
	for _, t := range det.Top(at.Add(time.Minute), 1) {
		fmt.Println("trending:", t.Key, t.Count)
	}
	// Output:
	// mastodon:1 shipping #golang 1.26
	// bluesky:a #golang iterators are neat
	// mastodon:2 lunch
	// trending: golang 2
}

// A Group shares the stream's partitions among workers: each partition is
// read in order by one worker at a time, which takes it over when its
// worker dies. Here one worker holds both partitions.
func ExampleGroup_Run() {
	js, stop := connected()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := []natsjs.Option{natsjs.WithPartitions(2)} // the same for publishers and workers
	if err := natsjs.EnsureStream(ctx, js, opts...); err != nil {
		log.Fatal(err)
	}
	pub, err := natsjs.NewPublisher(js, opts...)
	if err != nil {
		log.Fatal(err)
	}
	var posts []listen.Post
	for i := range 6 {
		posts = append(posts, listen.Post{Platform: "mastodon", ID: fmt.Sprint(i), Text: "hello"})
	}
	if _, err := pub.PublishAll(ctx, listentest.Static(posts...)); err != nil {
		log.Fatal(err)
	}

	g, err := natsjs.NewGroup(ctx, js, "workers", opts...)
	if err != nil {
		log.Fatal(err)
	}
	var (
		mu  sync.Mutex
		got = map[int][]string{}
		n   int
	)
	wctx, stopWorker := context.WithCancel(ctx)
	err = g.Run(wctx, "worker-1", nil, func(ctx context.Context, r *natsjs.Reader) error {
		for p, err := range r.Posts(ctx) { // one loop per partition, concurrently
			if err != nil {
				return err
			}
			mu.Lock()
			got[r.Partition()] = append(got[r.Partition()], p.ID)
			if n++; n == len(posts) {
				stopWorker() // a worker normally runs until its ctx is done
			}
			mu.Unlock()
		}
		return nil
	})
	fmt.Println("partition 0:", got[0])
	fmt.Println("partition 1:", got[1])
	fmt.Println(err)
	// Output:
	// partition 0: [0 2 4]
	// partition 1: [1 3 5]
	// <nil>
}

// Workers store their trend snapshots; any of them (or a reporting
// process) merges them into the cluster's answer.
func ExampleSnapshots() {
	js, stop := connected()
	defer stop()
	ctx := context.Background()
	snaps, err := natsjs.NewSnapshots(ctx, js, "trends")
	if err != nil {
		log.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	for w, tags := range [][]string{{"golang", "golang", "rust"}, {"golang", "rust", "rust", "rust"}} {
		s := &trend.Sketch{Size: time.Minute, MinCount: 1}
		for _, tag := range tags {
			s.Observe(tag, at, 1)
		}
		if err := snaps.Save(ctx, fmt.Sprint("worker-", w), s); err != nil {
			log.Fatal(err)
		}
	}
	merged, err := snaps.Merged(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range merged.Top(at.Add(time.Second), 2) {
		fmt.Println(t.Key, t.Count)
	}
	// Output:
	// rust 4
	// golang 3
}

// Only one worker at a time polls a platform; another takes over when it
// dies.
func ExampleLeases_Run() {
	js, stop := connected()
	defer stop()
	ctx := context.Background()
	leases, err := natsjs.NewLeases(ctx, js, "pollers", 5*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	err = leases.Run(ctx, "mastodon:tag:golang", "worker-1", func(ctx context.Context) error {
		holder, _ := leases.Holder(ctx, "mastodon:tag:golang")
		fmt.Println("polling as", holder)
		return nil // a poller runs until ctx is done (lease lost) or it fails
	})
	fmt.Println(err)
	// Output:
	// polling as worker-1
	// <nil>
}

// A post on the wire: AppendPost encodes it, DecodePost reads it back, and
// also reads the JSON that earlier versions published.
func ExampleDecodePost() {
	p := listen.Post{Platform: "mastodon", ID: "109", Text: "launch day #launch",
		Created: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	b := natsjs.AppendPost(nil, &p)
	fmt.Printf("%d bytes, format %#x\n", len(b), b[0])
	q, err := natsjs.DecodePost(b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(q.Key(), q.Text, q.Created.Format(time.RFC3339))
	old, err := natsjs.DecodePost([]byte(`{"platform":"bluesky","id":"7","text":"hi","created":"2026-11-22T09:00:00Z"}`))
	fmt.Println(old.Key(), old.Text, err)
	_, err = natsjs.DecodePost(b[:10])
	fmt.Println(errors.Is(err, natsjs.ErrCorrupt))
	// Output:
	// 58 bytes, format 0xe1
	// mastodon:109 launch day #launch 2026-11-22T09:00:00Z
	// bluesky:7 hi <nil>
	// true
}
