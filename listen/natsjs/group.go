package natsjs

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/earshot-dev/earshot/listen"
)

// Group shares the stream's partitions (see [WithPartitions]) among the
// workers of a group: each partition is read by one worker at a time, in
// stream order, by a [Reader], and taken over by another worker when its
// worker dies. It is the faster way to read the stream: a Reader does not
// acknowledge posts one by one, it records how far it has got (the stream
// sequence of the last post its host handled) in the group's cursor
// bucket, after every [WithCommitEvery] posts, every second and when its
// loop ends.
//
// What that costs: a worker that dies without ending its loop leaves the
// posts it handled since its last commit to be handled again by the worker
// that takes its partition over: at most twice [WithCommitEvery] each
// time a partition changes hands, as a Reader whose commits fall that far
// behind commits before it yields the next post. So does a worker whose
// lease lapses: one cut off from the server for longer than half the
// lease TTL, or too busy (an overloaded machine) to renew it in time.
// Shorter cuts and server restarts lose and double nothing: a Reader
// checks that every delivery follows the one before and reads on from its
// own position when one is missing. A [Source] instead acknowledges each
// post and keeps a crashed worker's handled posts from being handled again
// (see [Source]), at 1.1-1.2 times the CPU per post (BENCHMARKS.md).
//
// A Group keeps two key-value buckets: <name>_leases (one lease per
// partition, [WithLeaseTTL]) and <name>_cursors. It is safe for concurrent
// use.
type Group struct {
	js      jetstream.JetStream
	name    string
	cfg     *config
	leases  *Leases
	cursors jetstream.KeyValue
}

// NewGroup opens the buckets of the group named name, creating them if
// needed. The stream's posts must be published with the same
// [WithPartitions] and [WithSubject] as given here.
func NewGroup(ctx context.Context, js jetstream.JetStream, name string, opts ...Option) (*Group, error) {
	c, err := readerConfig(js, "group", name, opts)
	if err != nil {
		return nil, err
	}
	leases, err := NewLeases(ctx, js, name+"_leases", c.leaseTTL, WithLogger(c.logger))
	if err != nil {
		return nil, err
	}
	cursors, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: name + "_cursors", Description: "earshot: how far each partition has been read",
		History: 1, Storage: c.storage(), Replicas: c.replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("natsjs: cursors bucket %s_cursors: %w", name, err)
	}
	return &Group{js: js, name: name, cfg: c, leases: leases, cursors: cursors}, nil
}

// Run reads this worker's share of the partitions until ctx ends. For each
// partition whose lease holder (a name unique in the group) gets, it runs
// work with the partition's [Reader] and a context that ends when the
// lease is lost; work runs in a goroutine of its own per partition, so
// calls for different partitions run at the same time.
//
// prefer picks the partitions this worker takes at once (nil: all of them);
// it stands by for the others and takes one over when its lease expires,
// one [WithLeaseTTL] after its worker died or was cut off. With n workers,
// worker i preferring the partitions p with p%n == i spreads them evenly.
// When work returns nil or an error wrapping [ErrLost], the partition's
// lease is released and the worker stands by for it again.
//
// Run returns nil when ctx ends, or the first other error of work, after
// the work of every other partition has returned.
func (g *Group) Run(ctx context.Context, holder string, prefer func(partition int) bool, work func(ctx context.Context, r *Reader) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for p := range g.cfg.partitions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			standby := prefer != nil && !prefer(p)
			for ctx.Err() == nil {
				if standby && sleep(ctx, g.cfg.leaseTTL) != nil {
					return
				}
				standby = true
				err := g.leases.Run(ctx, "p"+strconv.Itoa(p), holder, func(ctx context.Context) error {
					return work(ctx, g.Reader(p))
				})
				if err != nil && !errors.Is(err, ErrLost) && ctx.Err() == nil {
					once.Do(func() { first = err })
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// Reader returns the reader of partition p, 0 ≤ p < [WithPartitions].
func (g *Group) Reader(p int) *Reader { return &Reader{g: g, p: p} }

// Reader is a [listen.Source] of one partition of a [Group]'s stream: it
// yields the partition's posts in stream order, from where the group last
// recorded it had got. Only one loop over a partition may run in the
// whole group at a time: run it under the partition's lease, as
// [Group.Run] does. A loop that starts takes the partition over: the
// earlier one's loop then ends with an error wrapping [ErrLost] at its
// next commit, and the posts it handled after its last commit are handled
// again.
//
// A Reader records a post in its position only after the loop body
// returned normally for it with ctx still live, so every post is handled
// at least once: a post whose body broke out of the loop, panicked, or ran
// while ctx ended is yielded again by the partition's next loop. A loop
// that ends records its position, trying for up to half the lease TTL
// while the connection is down. Its consumer acknowledges nothing
// (AckNone, in memory, deleted when the loop ends), so a loop body may
// take as long as it needs. Transient failures are retried as in a
// [Source]; an error that reaches the caller is final. Call Posts from one
// goroutine at a time.
type Reader struct {
	g *Group
	p int
}

// Partition returns the partition r reads.
func (r *Reader) Partition() int { return r.p }

// Posts implements [listen.Source]. The sequence runs until ctx is done
// (quietly), the loop breaks, or a failure outlasts [WithMaxRetryTime] or
// the partition is taken over (then the error is yielded last).
func (r *Reader) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		if r.p < 0 || r.p >= r.g.cfg.partitions {
			yield(listen.Post{}, fmt.Errorf("natsjs: partition %d out of range [0, %d)", r.p, r.g.cfg.partitions))
			return
		}
		rr := &readRun{
			r: r, nc: r.g.js.Conn(), key: "p" + strconv.Itoa(r.p), token: nuid.Next(),
			kick: make(chan struct{}, 1),
		}
		stop := rr.committer()
		defer rr.finish() // also when the loop body panics
		defer stop()
		err := rr.loop(ctx, yield)
		if err != nil && ctx.Err() == nil {
			yield(listen.Post{}, err)
		}
	}
}

// readRun is one loop over a partition.
type readRun struct {
	r     *Reader
	nc    *nats.Conn
	key   string // the partition's key in the cursor bucket
	token string // marks this run's commits
	retrier

	started  bool
	consumer string             // the consumer's name, until it is deleted
	cons     jetstream.Consumer // nil when a new consumer is needed
	consSeq  uint64             // its delivery sequence of the last message received
	reconns  uint64             // the connection's reconnect count when it was made
	pull     *puller

	handled atomic.Uint64 // stream sequence of the last post handled or skipped
	count   atomic.Uint64 // posts handled or skipped by this run
	lost    atomic.Bool   // a commit found the partition taken over
	kick    chan struct{}

	commitMu  sync.Mutex // one commit at a time; guards rev and committed
	rev       uint64     // revision of the cursor entry last written by this run
	committed uint64
	doneCount atomic.Uint64 // count at the last commit
}

// errGap ends a batch when deliveries may have been lost: one does not
// follow on from the one before, the server delivered more than the run
// received, the connection reconnected, or a request ended without the
// server's answer. Messages sent for a request whose answers were lost
// (a cut connection) are not delivered again by a consumer that
// acknowledges nothing, so the run reads on from its position with a new
// consumer.
var errGap = errors.New("natsjs: a delivery is missing")

func (rr *readRun) loop(ctx context.Context, yield func(listen.Post, error) bool) error {
	g := rr.r.g
	for ctx.Err() == nil {
		if rr.lost.Load() {
			return rr.lostErr()
		}
		if rr.cons == nil {
			if err := rr.setup(ctx); err != nil {
				if err := rr.retry(ctx, g.cfg, rr.nc, rr.key, err); err != nil {
					return err
				}
				continue
			}
		}
		err := rr.batch(ctx, yield)
		switch {
		case errors.Is(err, errStop):
			return nil
		case errors.Is(err, ErrLost):
			return err
		case errors.Is(err, errGap):
			g.cfg.logger.Debug("natsjs: reading on from the last post", "group", g.name, "partition", rr.r.p, "seq", rr.handled.Load())
			rr.cons = nil
		case err != nil:
			rr.cons = nil
			if err := rr.retry(ctx, g.cfg, rr.nc, rr.key, err); err != nil {
				return err
			}
		default:
			rr.reset()
		}
	}
	return nil
}

// setup reads the partition's position and takes it over, the first time,
// and makes a consumer that delivers the partition from the next post on.
func (rr *readRun) setup(ctx context.Context) error {
	g := rr.r.g
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cctx, cancel = whileConnected(cctx, rr.nc)
	defer cancel()
	if !rr.started {
		if err := rr.takeOver(cctx); err != nil {
			return err
		}
		rr.started = true
	}
	rr.dropConsumer(cctx)
	name := g.name + "_p" + strconv.Itoa(rr.r.p) + "_" + nuid.Next()
	cfg := jetstream.ConsumerConfig{
		Name:              name,
		AckPolicy:         jetstream.AckNonePolicy,
		FilterSubject:     g.cfg.subject + ".*." + strconv.Itoa(rr.r.p),
		DeliverPolicy:     jetstream.DeliverAllPolicy,
		InactiveThreshold: max(30*time.Second, 4*g.cfg.maxWait),
		MemoryStorage:     true,
	}
	if last := rr.handled.Load(); last > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, last+1
	}
	reconns := rr.nc.Stats().Reconnects
	cons, err := g.js.CreateConsumer(cctx, g.cfg.stream, cfg)
	if err != nil {
		return fmt.Errorf("natsjs: consumer for partition %d: %w", rr.r.p, err)
	}
	rr.consumer, rr.cons, rr.consSeq, rr.reconns = name, cons, 0, reconns
	rr.pull = newPuller(rr.nc, g.js, g.cfg.stream, name, g.cfg.batch, g.cfg.maxWait)
	return nil
}

// takeOver reads the partition's position and writes it back marked as
// this run's: a reader that ran before (a worker cut off from the server
// that has not noticed yet) then fails its next commit.
func (rr *readRun) takeOver(ctx context.Context) error {
	kv := rr.r.g.cursors
	for {
		e, err := kv.Get(ctx, rr.key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			rev, err := kv.Create(ctx, rr.key, rr.value(0))
			if errors.Is(err, jetstream.ErrKeyExists) {
				continue // another reader was faster
			}
			if err != nil {
				return fmt.Errorf("natsjs: cursor of partition %d: %w", rr.r.p, err)
			}
			rr.setCommitted(rev, 0)
			return nil
		}
		if err != nil {
			return fmt.Errorf("natsjs: cursor of partition %d: %w", rr.r.p, err)
		}
		seq, _, ok := parseCursor(e.Value())
		if !ok {
			return fmt.Errorf("natsjs: cursor of partition %d: %w: %q", rr.r.p, ErrCorrupt, e.Value())
		}
		rev, err := kv.Update(ctx, rr.key, rr.value(seq), e.Revision())
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue // written meanwhile: read it again
		}
		if err != nil {
			return fmt.Errorf("natsjs: cursor of partition %d: %w", rr.r.p, err)
		}
		rr.handled.Store(seq)
		rr.setCommitted(rev, seq)
		return nil
	}
}

// value is a cursor entry: the stream sequence and the run's token.
func (rr *readRun) value(seq uint64) []byte {
	return append(strconv.AppendUint(nil, seq, 10), " "+rr.token...)
}

func parseCursor(v []byte) (seq uint64, token string, ok bool) {
	s, token, _ := strings.Cut(string(v), " ")
	seq, err := strconv.ParseUint(s, 10, 64)
	return seq, token, err == nil
}

func (rr *readRun) setCommitted(rev, seq uint64) {
	rr.commitMu.Lock()
	rr.rev, rr.committed = rev, seq
	rr.commitMu.Unlock()
}

// dropConsumer deletes the run's consumer, if any; the server would remove
// it after a while of inactivity anyway.
func (rr *readRun) dropConsumer(ctx context.Context) {
	if rr.pull != nil {
		rr.pull.close()
		rr.pull = nil
	}
	if rr.consumer != "" && !rr.nc.IsClosed() {
		_ = rr.r.g.js.DeleteConsumer(ctx, rr.r.g.cfg.stream, rr.consumer)
	}
	rr.consumer, rr.cons = "", nil
}

// batch sends one pull request and yields the posts it brings. It returns
// errStop when the loop broke, errGap when a delivery is missing, nil when
// the request is done and a transient error otherwise.
func (rr *readRun) batch(ctx context.Context, yield func(listen.Post, error) bool) error {
	g := rr.r.g
	if err := rr.catchUp(ctx); err != nil {
		return err
	}
	if rr.nc.Stats().Reconnects != rr.reconns {
		return errGap
	}
	if err := rr.pull.request(); err != nil {
		return fmt.Errorf("natsjs: fetch: %w", err)
	}
	bctx, cancel := context.WithTimeout(ctx, g.cfg.maxWait+time.Second)
	defer cancel()
	from := rr.consSeq
	for {
		m, err := rr.pull.next(ctx, bctx)
		if errors.Is(err, errRequestDone) {
			switch {
			case !rr.pull.clean:
				return errGap
			case rr.consSeq == from:
				// Nothing new: the last deliveries may have been lost
				// with no later one to show it.
				return rr.checkDelivered(ctx)
			}
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("natsjs: fetch: %w", err)
		}
		if ctx.Err() != nil {
			return nil
		}
		md, ok := parseAck(m.m.Reply)
		if !ok || md.consSeq != rr.consSeq+1 {
			return errGap
		}
		rr.consSeq = md.consSeq
		if md.streamSeq <= rr.handled.Load() {
			continue // handled before: cannot happen with a new consumer
		}
		p, ok := decode(m.m.Data)
		if !ok {
			g.cfg.logger.Warn("natsjs: skipped a message that is not a post", "group", g.name, "partition", rr.r.p, "seq", md.streamSeq)
		} else if !yield(p, nil) {
			return errStop // not handled: the next loop yields it again
		} else if ctx.Err() != nil {
			return nil // its body ran while ctx ended: not handled either
		}
		rr.advance(md.streamSeq)
		if rr.lost.Load() {
			return nil // the loop returns ErrLost
		}
		if err := rr.catchUp(ctx); err != nil {
			return err
		}
	}
}

// finish commits the run's last position, trying again while the
// connection is reconnecting, for up to half the lease TTL (a lease whose
// renewals fail is kept at least that long), and deletes the consumer.
func (rr *readRun) finish() {
	ctx, cancel := context.WithTimeout(context.Background(), rr.r.g.cfg.leaseTTL/2)
	defer cancel()
	untilDone(ctx, rr.nc, func() bool {
		err := rr.commit(ctx)
		return err == nil || errors.Is(err, ErrLost)
	})
	dctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rr.dropConsumer(dctx)
}

// checkDelivered returns errGap when the consumer has delivered more
// messages than the run received.
func (rr *readRun) checkDelivered(ctx context.Context) error {
	ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	info, err := rr.cons.Info(ictx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("natsjs: consumer for partition %d: %w", rr.r.p, err)
	}
	if info.Delivered.Consumer != rr.consSeq {
		return errGap
	}
	return nil
}

// catchUp commits in the loop's goroutine when the committer has fallen
// behind by twice [WithCommitEvery] posts (it is slow, or failing), so
// that no more posts than that are handled again after a crash.
func (rr *readRun) catchUp(ctx context.Context) error {
	if rr.count.Load()-rr.doneCount.Load() < 2*uint64(rr.r.g.cfg.commitEvery) {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return rr.commit(cctx)
}

// advance records that the post at stream sequence seq was handled, and
// has the position committed every [WithCommitEvery] posts.
func (rr *readRun) advance(seq uint64) {
	rr.handled.Store(seq)
	if rr.count.Add(1)%uint64(rr.r.g.cfg.commitEvery) == 0 {
		select {
		case rr.kick <- struct{}{}:
		default:
		}
	}
}

// committer starts the goroutine that commits the run's position when
// kicked and every second. The returned function stops it and waits for
// it.
func (rr *readRun) committer() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-rr.kick:
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = rr.commit(ctx) // tried again on the next kick or tick
			cancel()
		}
	}()
	return func() { close(done); wg.Wait() }
}

// commit writes the run's position to the cursor bucket, if it moved. It
// returns an error wrapping [ErrLost] when the partition was taken over
// (and sets lost), and other errors for failures to be tried again.
func (rr *readRun) commit(ctx context.Context) error {
	rr.commitMu.Lock()
	defer rr.commitMu.Unlock()
	if rr.lost.Load() {
		return rr.lostErr()
	}
	// count before handled: the count recorded can only be too low.
	count := rr.count.Load()
	seq := rr.handled.Load()
	if rr.rev == 0 || seq == rr.committed {
		rr.doneCount.Store(count)
		return nil
	}
	if rr.nc.IsClosed() {
		return nats.ErrConnectionClosed
	}
	ctx, cancel := whileConnected(ctx, rr.nc)
	defer cancel()
	kv := rr.r.g.cursors
	rev, err := kv.Update(ctx, rr.key, rr.value(seq), rr.rev)
	if errors.Is(err, jetstream.ErrKeyExists) {
		// Written by someone else, or by this run's previous commit whose
		// answer was lost with the connection.
		e, gerr := kv.Get(ctx, rr.key)
		if gerr != nil {
			return fmt.Errorf("natsjs: commit partition %d: %w", rr.r.p, gerr)
		}
		if _, token, ok := parseCursor(e.Value()); !ok || token != rr.token {
			rr.lost.Store(true)
			return rr.lostErr()
		}
		rev, err = kv.Update(ctx, rr.key, rr.value(seq), e.Revision())
	}
	if err != nil {
		rr.r.g.cfg.logger.Debug("natsjs: commit", "group", rr.r.g.name, "partition", rr.r.p, "err", err)
		return fmt.Errorf("natsjs: commit partition %d: %w", rr.r.p, err)
	}
	rr.rev, rr.committed = rev, seq
	rr.doneCount.Store(count)
	return nil
}

func (rr *readRun) lostErr() error {
	return fmt.Errorf("natsjs: partition %d: %w (another reader took it over)", rr.r.p, ErrLost)
}

// whileConnected returns a copy of ctx that also ends when nc loses its
// connection: a request sent before a disconnect is not answered, and is
// better sent again on the new connection at once than waited for until
// its timeout (5 s for a commit, a stall of the loop). Call cancel when the
// request is done.
func whileConnected(ctx context.Context, nc *nats.Conn) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	ch := nc.StatusChanged(nats.DISCONNECTED, nats.RECONNECTING, nats.CLOSED)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, ok := <-ch; ok { // not closed by RemoveStatusListener
			cancel()
		}
	}()
	return ctx, func() {
		cancel()
		nc.RemoveStatusListener(ch)
		<-done
	}
}
