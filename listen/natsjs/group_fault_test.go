package natsjs

import (
	"context"
	"fmt"
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
		killAt      = 300
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
		nc   *nats.Conn
		err  error
		body sync.Mutex // one loop body at a time per worker, so that it dies between two
		// posts handled, under body
		handled int
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
		dies := i == 1
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.err = g.Run(wctx, w.name, func(p int) bool { return p%workers == i },
				func(ctx context.Context, r *Reader) error {
					l := startLoop(w.name, r.Partition())
					sk := newTestSketch()
					count := 0
					err := func() error {
						for p, err := range r.Posts(ctx) {
							if err != nil {
								return err
							}
							w.body.Lock()
							if dies && w.handled >= killAt {
								killed.Do(func() { w.nc.Close() }) // dies holding this post, before handling it
								w.body.Unlock()
								continue
							}
							observe(sk, p)
							var err error
							// The worker that dies saves its state after every
							// post, so its snapshot holds what it handled when it
							// dies. A save is not cut short by a lapsed lease
							// (wctx, not ctx): a post saved is a post handled.
							if dies || (count+1)%100 == 0 {
								err = saveRetry(wctx, wsnaps, l.name, sk)
							}
							if err == nil {
								led.add(p.Key(), l.name)
								w.handled++
								count++
							}
							w.body.Unlock()
							if err != nil {
								return err // not handled: the partition's next loop yields it again
							}
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
					endLoop(l, count, err)
					return err
				})
		}()
	}

	debug := func() {
		for _, w := range ws {
			t.Logf("%s: %v", w.name, w.nc.Status())
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
			t.Logf("  missing %d: %v", len(missing), missing)
			t.Logf("  handled more than once %d: %v", len(twice), twice)
		}
	}
	led.debug = debug
	disrupt(t, ctx, ts, led, posts, partitions, restart, ws[2].nc, ws[0].nc)
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

	assert.Error(t, ws[1].err, "the killed worker's group ends with the closed connection")
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

// streamSeqs returns the stream sequence of every post in the stream, by
// its key; it is for failure messages, so it gives up quietly.
func streamSeqs(ctx context.Context, js jetstream.JetStream) map[string]uint64 {
	out := map[string]uint64{}
	st, err := js.Stream(ctx, DefaultStream)
	if err != nil {
		return out
	}
	info, err := st.Info(ctx)
	if err != nil {
		return out
	}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && ctx.Err() == nil; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			continue
		}
		if p, err := DecodePost(m.Data); err == nil {
			out[p.Key()] = seq
		}
	}
	return out
}
