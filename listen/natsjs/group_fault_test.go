package natsjs

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

// TestGroup runs three workers of a Group over six partitions while two
// overlapping pollers publish the same posts. One worker dies mid-stream
// and two workers' connections are cut. It checks what a Group promises:
// nothing is lost; a post is handled twice only on a partition that
// changed hands (a worker died, or its lease lapsed: on a loaded machine
// that can happen to any worker), at most twice WithCommitEvery per
// change; and the trend state merged from the workers' snapshots answers
// as one process fed the same deliveries. On failure it logs each
// partition's loops and the stream sequences of the posts lost or
// handled twice.
func TestGroup(t *testing.T) { testGroup(t, false) }

// TestGroupRestart adds a server restart (file storage) to TestGroup.
func TestGroupRestart(t *testing.T) { testGroup(t, true) }

// groupLoop is one loop over a partition in testGroup.
type groupLoop struct {
	name      string // worker-partition-run, also its snapshot's name
	partition int
	start     time.Duration // since the test began
	end       time.Duration
	handled   int
	err       error
	done      bool
}

func testGroup(t *testing.T, restart bool) {
	n := 6000
	if testing.Short() {
		n = 2000
	}
	const (
		partitions  = 6
		workers     = 3
		commitEvery = 16
		killAt      = 100 // worker 1 dies on its 101st post, before anything else happens
	)
	opts := []Option{WithPartitions(partitions), WithBatch(64), WithMaxWait(200 * time.Millisecond),
		WithCommitEvery(commitEvery), WithLeaseTTL(2 * time.Second)}
	ts, js, ctx := newStream(t, 90*time.Second, opts...)
	snaps, err := NewSnapshots(ctx, js, "trends")
	require.NoError(t, err)
	posts := testPosts(n)
	led := &ledger{handled: map[string]int{}, by: map[string][]string{}, changed: make(chan struct{}, 1)}
	began := time.Now()

	var (
		loopsMu sync.Mutex
		loops   []*groupLoop
	)
	startLoop := func(worker string, p int) *groupLoop {
		loopsMu.Lock()
		defer loopsMu.Unlock()
		runs := 1
		for _, l := range loops {
			if l.partition == p && strings.HasPrefix(l.name, worker+"-") {
				runs++
			}
		}
		l := &groupLoop{name: fmt.Sprintf("%s-p%d-%d", worker, p, runs), partition: p, start: time.Since(began)}
		loops = append(loops, l)
		return l
	}
	endLoop := func(l *groupLoop, handled int, err error) {
		loopsMu.Lock()
		l.end, l.handled, l.err, l.done = time.Since(began), handled, err, true
		loopsMu.Unlock()
	}

	type worker struct {
		name string
		log  *syncBuffer // its Group's log
		nc   *nats.Conn
		err  error
		body sync.Mutex // one loop body at a time per worker, so that it dies between two
		// under body: posts handled, and the sketch of each loop running
		handled  int
		sketches map[string]*trend.Sketch
	}
	ws := make([]*worker, workers)
	// The workers outlive ctx, so that a test that times out logs them as
	// they are, not as they stop.
	var (
		wg     sync.WaitGroup
		killed sync.Once
		dead   = make(chan struct{})
	)
	defer wg.Wait()
	wctx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	for i := range ws {
		nc, wjs := ts.connect(t)
		w := &worker{name: fmt.Sprint("w", i), nc: nc, sketches: map[string]*trend.Sketch{}}
		ws[i] = w
		w.log = &syncBuffer{}
		g, err := NewGroup(ctx, wjs, "group", append(opts, WithLogger(slog.New(slog.NewTextHandler(w.log, &slog.HandlerOptions{Level: slog.LevelDebug}))))...)
		require.NoError(t, err)
		wsnaps, err := NewSnapshots(ctx, wjs, "trends")
		require.NoError(t, err)
		dies := i == 1
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.err = g.Run(wctx, w.name, func(p int) bool { return p%workers == i },
				func(ctx context.Context, r *Reader) error {
					l := startLoop(w.name, r.Partition())
					sk := newTestSketch()
					w.body.Lock()
					w.sketches[l.name] = sk
					w.body.Unlock()
					count := 0
					err := func() error {
						for p, err := range r.Posts(ctx) {
							if err != nil {
								return err
							}
							w.body.Lock()
							if dies && w.handled >= killAt {
								killed.Do(func() {
									// It dies holding this post, before handling
									// it, with the state of the posts it handled
									// saved.
									for name, sk := range w.sketches {
										if err := saveRetry(wctx, wsnaps, name, sk); err != nil {
											t.Errorf("save %s: %v", name, err)
										}
									}
									w.nc.Close()
									close(dead)
								})
								w.body.Unlock()
								continue
							}
							observe(sk, p)
							if (count+1)%100 == 0 {
								// A failure is made good by the loop's last save.
								_ = saveRetry(wctx, wsnaps, l.name, sk)
							}
							led.add(p.Key(), l.name)
							w.handled++
							count++
							w.body.Unlock()
						}
						return nil
					}()
					if !w.nc.IsClosed() {
						// The loop ended (stopped, lease lost, or failed):
						// store the state of every post it handled.
						if serr := saveRetry(context.WithoutCancel(wctx), wsnaps, l.name, sk); serr != nil && err == nil {
							err = serr
						}
					}
					w.body.Lock()
					delete(w.sketches, l.name)
					w.body.Unlock()
					endLoop(l, count, err)
					return err
				})
		}()
	}

	debug := func() {
		for _, w := range ws {
			t.Logf("%s: %v; the end of its log:\n%s", w.name, w.nc.Status(), w.log.tail(30))
		}
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		seqs := streamSeqs(dctx, js)
		g, err := NewGroup(dctx, js, "group", opts...)
		if err != nil {
			t.Logf("group: %v", err)
			return
		}
		led.mu.Lock()
		defer led.mu.Unlock()
		loopsMu.Lock()
		defer loopsMu.Unlock()
		for p := range partitions {
			holder, _ := g.leases.Holder(dctx, fmt.Sprint("p", p))
			var cur string
			if e, err := g.cursors.Get(dctx, fmt.Sprint("p", p)); err == nil {
				cur = string(e.Value())
			}
			t.Logf("partition %d: held by %q, cursor %q", p, holder, cur)
			for _, l := range loops {
				if l.partition == p {
					t.Logf("  loop %s: %v to %v (done %v), handled %d, ended with %v", l.name, l.start.Round(time.Millisecond), l.end.Round(time.Millisecond), l.done, l.handled, l.err)
				}
			}
			var missing, twice []string
			for _, post := range posts {
				k := post.Key()
				if Partition(k, partitions) != p {
					continue
				}
				switch c := led.handled[k]; {
				case c == 0:
					missing = append(missing, fmt.Sprintf("%s (seq %d)", k, seqs[k]))
				case c > 1:
					twice = append(twice, fmt.Sprintf("%s (seq %d, by %v)", k, seqs[k], led.by[k]))
				}
			}
			t.Logf("  missing %d: %v", len(missing), firstFew(missing))
			t.Logf("  handled more than once %d: %v", len(twice), firstFew(twice))
		}
	}
	led.debug = debug
	disrupt(t, ctx, ts, led, posts, partitions, dead, restart, ws[2].nc, ws[0].nc)
	// Stop once every partition's position is recorded at its last post:
	// no loop can then handle a post again.
	lastSeqs := map[int]uint64{}
	st, err := js.Stream(ctx, DefaultStream)
	require.NoError(t, err)
	for p := range partitions {
		m, err := st.GetLastMsgForSubject(ctx, fmt.Sprintf("%s.*.%d", DefaultSubject, p))
		require.NoError(t, err)
		lastSeqs[p] = m.Sequence
	}
	g, err := NewGroup(ctx, js, "group", opts...)
	require.NoError(t, err)
	for p := range partitions {
		for {
			e, err := g.cursors.Get(ctx, fmt.Sprint("p", p))
			if err == nil {
				if seq, _, ok := parseCursor(e.Value()); ok && seq >= lastSeqs[p] {
					break
				}
			}
			if ctx.Err() != nil {
				debug()
				t.Fatalf("partition %d: position not recorded at its last post (seq %d): %v", p, lastSeqs[p], ctx.Err())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	stopWorkers()
	wg.Wait()

	assert.ErrorIs(t, ws[1].err, nats.ErrConnectionClosed, "the killed worker's group ends with the closed connection")
	assert.NoError(t, ws[0].err)
	assert.NoError(t, ws[2].err)

	runs := map[int]int{}
	for _, l := range loops {
		runs[l.partition]++
	}
	// The killed worker's partitions were taken over.
	for _, p := range []int{1, 4} {
		assert.Greater(t, runs[p], 1, "partition %d taken over", p)
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
	t.Logf("handled twice, by partition: %v; loops by partition: %v", doubled, runs)
	for _, p := range slices.Sorted(maps.Keys(doubled)) {
		// Each change of hands leaves at most two commit intervals.
		assert.LessOrEqual(t, doubled[p], 2*commitEvery*(runs[p]-1),
			"partition %d: %d posts handled twice with %d loops", p, doubled[p], runs[p])
	}
	assertSameTrend(t, ctx, snaps, led, posts)
	if t.Failed() {
		debug()
	}
}

// firstFew returns the first 12 of s, and how many more there are.
func firstFew(s []string) string {
	if len(s) <= 12 {
		return strings.Join(s, " ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(s[:12], " "), len(s)-12)
}

// syncBuffer is a log written by several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// tail returns the last n lines written.
func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimSuffix(b.b.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// streamSeqs returns the stream sequence of every post in the stream, by
// its key; it is for failure messages, so it gives up quietly.
func streamSeqs(ctx context.Context, js jetstream.JetStream) map[string]uint64 {
	out := map[string]uint64{}
	cons, err := js.OrderedConsumer(ctx, DefaultStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return out
	}
	for ctx.Err() == nil {
		batch, err := cons.Fetch(1000, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return out
		}
		n := 0
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				continue
			}
			if p, err := DecodePost(m.Data()); err == nil {
				out[p.Key()] = md.Sequence.Stream
			}
		}
		if n == 0 {
			return out
		}
	}
	return out
}
