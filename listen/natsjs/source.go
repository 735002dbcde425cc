package natsjs

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/earshot-dev/earshot/listen"
)

// Source is a [listen.Source] that reads posts from a durable JetStream
// pull consumer. Several workers (processes, or loops in one process)
// that build a Source with the same consumer name share its posts: each
// post goes to one of them.
//
// A post is acknowledged only after the host's loop body has returned
// normally for it with ctx still live, so a worker that dies mid-post has
// it delivered again to another worker after the ack wait. A post whose
// body broke out of the loop, panicked, or ran while ctx ended is handed
// back at once (a negative acknowledgement) and delivered again. While a
// loop body runs, the Source tells the server every third of the ack wait
// that the post is in progress; posts of the batch whose ack wait has
// mostly run out by the time the loop gets to them are left to be
// delivered again, not yielded. Posts the Source has received but not yet
// yielded when the loop ends are handed back at once (a negative
// acknowledgement), including those of the batch in flight from the
// server, so a loop ends within [WithMaxWait] of a break or of ctx being
// cancelled. A bounded set of the keys the host has handled drops
// redeliveries of posts that were in fact handled, e.g. when an ack was
// lost with a broken connection.
//
// # Exactly once
//
// Posts are acknowledged asynchronously, and after each batch one round
// trip confirms that the server received the acks. When that fails, or
// whenever the connection has reconnected, the acks may be lost (a server
// that restarts can even lose acks it had confirmed) and the server will
// deliver those posts again, possibly to another worker; so the worker
// writes the IDs of its unconfirmed and its last few thousand confirmed
// posts to the key-value bucket <consumer>_guard once it is reconnected,
// and every worker checks that bucket for each redelivered post and drops
// the ones found there. After its own connection came back
// (a server restart can forget deliveries), a worker waits a second
// and then checks every post for two ack waits. Together with
// the message-ID dedupe on publish, each post reaches one host's loop body
// once, provided the worker reconnects within the ack wait. A worker that
// crashes without closing its connection can lose the acks of its last
// batch; make effects idempotent by [listen.Post.Key] where that matters.
//
// A Source is safe for concurrent use; each call of Posts runs its own
// fetch loop. It does not own the connection.
type Source struct {
	js   jetstream.JetStream
	name string
	cfg  *config
	seen *seenSet
}

// New returns a source reading the durable consumer named consumer on the
// stream of [WithStream]. It does no I/O: Posts creates the consumer, or
// updates its settings, when it starts.
func New(js jetstream.JetStream, consumer string, opts ...Option) (*Source, error) {
	c, err := readerConfig(js, "consumer", consumer, opts)
	if err != nil {
		return nil, err
	}
	return &Source{js: js, name: consumer, cfg: c, seen: newSeenSet(c.seen)}, nil
}

func (s *Source) consumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       s.name,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.cfg.ackWait,
		MaxDeliver:    s.cfg.maxDeliver,
		BackOff:       s.cfg.backoff,
		MaxAckPending: s.cfg.maxAckPend,
		FilterSubject: s.cfg.subject + ".>",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		MaxWaiting:    512,
	}
}

// Posts implements [listen.Source]. The sequence runs until ctx is done
// (quietly), the loop breaks, or a failure outlasts [WithMaxRetryTime]
// (then the error is yielded last).
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		n := s.js.Conn().Stats().Reconnects
		r := &run{s: s, reconnects: n, lastReconnects: n, recent: make([]string, min(max(4*s.cfg.batch, 256), 4096))}
		stop := r.keepAlive()
		defer func() { // also when the loop body panics
			stop()
			if r.pull != nil {
				r.pull.close()
			}
		}()
		err := r.loop(ctx, yield)
		if err != nil && ctx.Err() == nil {
			yield(listen.Post{}, err)
		}
	}
}

type run struct {
	s     *Source
	cons  jetstream.Consumer
	guard jetstream.KeyValue // set by the loop under mu; read by mark

	retrier

	// After a reconnect (perhaps a server restart, which can forget
	// deliveries), every post is checked against the guard until
	// guardUntil, not only redelivered ones.
	lastReconnects uint64
	guardUntil     time.Time

	pull *puller // the run's pull requests, on an inbox of its own

	mu         sync.Mutex
	body       *msg     // the message whose loop body is running
	acked      []string // IDs acknowledged since the last confirmation
	recent     []string // ring of the last confirmed IDs: a server restart can lose them
	next       int
	reconnects uint64 // the connection's reconnect count at the last confirmation
}

// keepAlive starts a goroutine that tells the server, every third of the
// ack wait, that a post whose loop body is still running is in progress,
// so it is not delivered again elsewhere meanwhile. The returned function
// stops the goroutine and waits for it.
func (r *run) keepAlive() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := min(r.s.cfg.ackWait/3, 100*time.Millisecond)
		t := time.NewTicker(tick)
		defer t.Stop()
		nc := r.s.js.Conn()
		var last *msg
		var running time.Duration
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			r.mu.Lock()
			m := r.body
			var lost []string
			if n := nc.Stats().Reconnects; n != r.reconnects && nc.Status() == nats.CONNECTED {
				// Reconnected while a loop body runs: mark now, not at
				// the end of the batch.
				lost, r.reconnects = r.takeLocked(), n
			}
			r.mu.Unlock()
			r.mark(lost)
			if m == nil || m != last {
				last, running = m, 0
				continue
			}
			if running += tick; running >= r.s.cfg.ackWait/3 {
				_ = m.InProgress() // running for a third of the ack wait
				running = 0
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func (r *run) setBody(m *msg) {
	r.mu.Lock()
	r.body = m
	r.mu.Unlock()
}

var errStop = errors.New("natsjs: stop")

// settle is how long a worker waits after its connection came back before
// it fetches again.
const settle = time.Second

func (r *run) loop(ctx context.Context, yield func(listen.Post, error) bool) error {
	for ctx.Err() == nil {
		if r.cons == nil || r.guard == nil {
			if err := r.setup(ctx); err != nil {
				if err := r.retry(ctx, r.s.cfg, r.s.js.Conn(), r.s.name, err); err != nil {
					return err
				}
				continue
			}
		}
		err := r.batch(ctx, yield)
		if errors.Is(err, errStop) {
			return nil
		}
		if err != nil {
			if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrConsumerDeleted) {
				r.cons = nil
			}
			if err := r.retry(ctx, r.s.cfg, r.s.js.Conn(), r.s.name, err); err != nil {
				return err
			}
			continue
		}
		r.reset()
	}
	return nil
}

// setup creates or updates the consumer and its guard bucket.
func (r *run) setup(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cons, err := r.s.js.CreateOrUpdateConsumer(cctx, r.s.cfg.stream, r.s.consumerConfig())
	if err != nil {
		return fmt.Errorf("natsjs: consumer %s: %w", r.s.name, err)
	}
	kv, err := r.s.js.CreateOrUpdateKeyValue(cctx, jetstream.KeyValueConfig{
		Bucket: r.s.name + "_guard", Description: "earshot: posts whose ack may be lost",
		History: 1, TTL: max(10*r.s.cfg.ackWait, time.Minute), Storage: r.s.cfg.storage(),
	})
	if err != nil {
		return fmt.Errorf("natsjs: guard bucket %s_guard: %w", r.s.name, err)
	}
	r.mu.Lock() // mark reads guard from the keep-alive goroutine
	r.cons, r.guard = cons, kv
	r.mu.Unlock()
	return nil
}

// Setup creates the durable consumer, or updates its settings, and the
// key-value bucket <consumer>_guard the workers share (see [Source]). Posts
// does the same when it starts; call Setup to fail fast at startup.
func (s *Source) Setup(ctx context.Context) error {
	return (&run{s: s}).setup(ctx)
}

// retrier paces the attempts after transient failures.
type retrier struct {
	failedAt time.Time // start of the current run of failures
	wait     time.Duration
}

// retry sleeps before the next attempt after a transient failure, or
// returns the failure when it is final: the connection is closed, the
// stream is gone, or failures have lasted longer than [WithMaxRetryTime].
// It returns nil without sleeping out when ctx ends.
func (b *retrier) retry(ctx context.Context, cfg *config, nc *nats.Conn, what string, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	if nc.IsClosed() || errors.Is(err, jetstream.ErrStreamNotFound) {
		return err
	}
	now := time.Now()
	if b.failedAt.IsZero() {
		b.failedAt, b.wait = now, 50*time.Millisecond
	} else {
		b.wait = min(2*b.wait, 2*time.Second)
	}
	if now.Sub(b.failedAt) > cfg.maxRetryTime {
		return err
	}
	cfg.logger.Debug("natsjs: retry", "what", what, "err", err)
	_ = sleep(ctx, b.wait)
	return nil
}

// reset ends a run of failures.
func (b *retrier) reset() { b.failedAt = time.Time{} }

// batch fetches one batch and yields its posts. It returns errStop when the
// loop broke, nil when the batch is done (possibly empty) and a transient
// error otherwise.
func (r *run) batch(ctx context.Context, yield func(listen.Post, error) bool) error {
	if n := r.s.js.Conn().Stats().Reconnects; n != r.lastReconnects {
		r.lastReconnects = n
		r.guardUntil = time.Now().Add(2 * r.s.cfg.ackWait)
		// Give the other workers time to mark what they handled before
		// the connections broke.
		if err := sleep(ctx, settle); err != nil {
			return nil
		}
	}
	fetched := time.Now()
	lateAfter := r.s.cfg.ackWait * 3 / 4
	nc := r.s.js.Conn()
	if r.pull == nil {
		r.pull = newPuller(nc, r.s.js, r.s.cfg.stream, r.s.name, r.s.cfg.batch, r.s.cfg.maxWait)
	}
	if err := r.pull.request(); err != nil {
		return fmt.Errorf("natsjs: fetch: %w", err)
	}
	// The request ends with the server's status after maxWait, which
	// comes after every message the server sent for it; a second more
	// covers a status lost with the connection.
	deadline := fetched.Add(r.s.cfg.maxWait + time.Second)
	bctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	// Whatever is left when we stop goes back to the server at once
	// (within maxWait).
	defer r.pull.drain(deadline)
	defer r.confirm()
	defer func() {
		// A loop body that panicked: hand its post back.
		if m := r.takeBody(); m != nil {
			_ = m.Nak()
		}
	}()
	for {
		m, err := r.pull.next(ctx, bctx)
		if errors.Is(err, errRequestDone) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("natsjs: fetch: %w", err)
		}
		if ctx.Err() != nil {
			_ = m.Nak()
			return nil
		}
		if nc.Status() != nats.CONNECTED {
			// A disconnected worker's acks may arrive after the ack wait;
			// leave the rest of the batch to redelivery.
			return nil
		}
		if time.Since(fetched) > lateAfter {
			// Slow loop bodies: the rest of the batch may already be on
			// its way to another worker.
			return nil
		}
		id := m.m.Header.Get(jetstream.MsgIDHeader)
		p, ok := decode(m.m.Data)
		if !ok {
			// Not a post: no worker can handle it, so don't redeliver it.
			_ = m.TermWithReason("natsjs: not a post")
			continue
		}
		if id == "" {
			id = MsgID(&p)
		}
		if handled, looked := r.handledElsewhere(ctx, m, id, fetched); handled {
			_ = m.Ack()
			continue
		} else if looked {
			// Checked again right before the loop body: the guard lookup
			// can wait on a broken connection.
			if nc.Status() != nats.CONNECTED || time.Since(fetched) > lateAfter || ctx.Err() != nil {
				return nil
			}
		}
		h := r.s.seen.hash(id)
		if r.s.seen.has(h) {
			_ = m.Ack() // this Source's host handled it already
			continue
		}
		r.setBody(m)
		more := yield(p, nil)
		r.takeBody()
		if !more || ctx.Err() != nil {
			// Not handled: its body broke out of the loop or ran while ctx
			// ended. Hand it back for the next loop (or another worker).
			_ = m.Nak()
			if !more {
				return errStop
			}
			return nil
		}
		r.s.seen.add(h)
		r.mu.Lock()
		r.acked = append(r.acked, id) // handled; its ack is on its way
		r.mu.Unlock()
		if err := r.ack(ctx, m); err != nil && ctx.Err() == nil {
			r.s.cfg.logger.Debug("natsjs: ack", "id", id, "err", err)
		}
	}
}

// takeBody returns the message whose loop body was running, if any, and
// clears it.
func (r *run) takeBody() *msg {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.body
	r.body = nil
	return m
}

// confirm makes sure the server received the acknowledgements sent since
// the last confirmation: a round trip on the connection, with no
// reconnection since. If that fails, the acks may be lost and the posts
// delivered again, possibly to another worker, so their IDs are written to
// the consumer's guard bucket, which every worker checks for redelivered
// posts.
func (r *run) confirm() {
	nc := r.s.js.Conn()
	if nc.IsClosed() {
		return // the connection was closed: Close flushed the acks
	}
	r.mu.Lock()
	empty := len(r.acked) == 0
	r.mu.Unlock()
	if empty {
		return
	}
	ferr := nc.FlushTimeout(5 * time.Second)
	r.mu.Lock()
	var lost []string
	n := nc.Stats().Reconnects
	if ferr == nil && n == r.reconnects {
		for _, id := range r.acked {
			r.recent[r.next] = id
			r.next = (r.next + 1) % len(r.recent)
		}
		r.acked = r.acked[:0]
	} else {
		lost = r.takeLocked()
	}
	r.reconnects = n
	r.mu.Unlock()
	r.mark(lost)
}

// takeLocked returns the IDs whose acks may be lost after a reconnect: the
// unconfirmed ones and the recently confirmed ones (a server that
// restarts can lose acks it had received). r.mu is held.
func (r *run) takeLocked() []string {
	out := r.acked
	r.acked = nil
	for i, id := range r.recent {
		if id != "" {
			out = append(out, id)
			r.recent[i] = ""
		}
	}
	return out
}

// mark writes the IDs whose acknowledgement may be lost to the guard
// bucket, trying for up to the ack wait (the connection may still be
// reconnecting).
func (r *run) mark(ids []string) {
	r.mu.Lock()
	guard := r.guard
	r.mu.Unlock()
	if len(ids) == 0 || guard == nil {
		return
	}
	nc := r.s.js.Conn()
	ctx, cancel := context.WithTimeout(context.Background(), r.s.cfg.ackWait)
	defer cancel()
	// A few writers at once: the marks must land before other workers get
	// the posts again.
	ch := make(chan string)
	var wg sync.WaitGroup
	for range min(16, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ch {
				untilDone(ctx, nc, func() bool {
					_, err := guard.Put(ctx, kvKey(id), nil)
					return err == nil
				})
			}
		}()
	}
	for _, id := range ids {
		ch <- id
	}
	close(ch)
	wg.Wait()
}

// untilDone calls try until it reports done, ctx ends or the connection
// is closed, waiting 20 ms, 40 ms, … up to 500 ms between attempts while
// the connection may be reconnecting.
func untilDone(ctx context.Context, nc *nats.Conn, try func() bool) {
	for wait := 20 * time.Millisecond; !try() && ctx.Err() == nil && !nc.IsClosed(); wait = min(2*wait, 500*time.Millisecond) {
		if sleep(ctx, wait) != nil {
			return
		}
	}
}

// handledElsewhere reports whether a redelivered post was handled by a
// worker whose acknowledgement may have been lost, and whether it looked
// in the guard bucket to find out. at is the time of the fetch.
func (r *run) handledElsewhere(ctx context.Context, m *msg, id string, at time.Time) (handled, looked bool) {
	if r.guard == nil {
		return false, false
	}
	if at.After(r.guardUntil) {
		md, ok := parseAck(m.m.Reply)
		if !ok || md.delivered < 2 {
			return false, false
		}
	}
	gctx, cancel := context.WithTimeout(ctx, min(5*time.Second, r.s.cfg.ackWait/4))
	defer cancel()
	_, err := r.guard.Get(gctx, kvKey(id))
	return err == nil, true
}

func (r *run) ack(ctx context.Context, m *msg) error {
	if !r.s.cfg.syncAck {
		return m.Ack()
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return m.DoubleAck(actx)
}

// decode reads a post published by a [Publisher] (see [DecodePost]); it
// reports false for anything else. The post's strings are valid UTF-8.
func decode(data []byte) (listen.Post, bool) {
	p, err := DecodePost(data)
	if err != nil {
		return listen.Post{}, false
	}
	p.Repair()
	return p, true
}

// ackMeta is what a JetStream ack subject tells about a delivered message.
type ackMeta struct {
	delivered uint64 // how often the message was delivered, this time included
	streamSeq uint64 // its sequence in the stream
	consSeq   uint64 // the consumer's delivery sequence: one more per delivery
}

// parseAck reads the metadata of a JetStream ack subject,
// $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.… or,
// from newer servers, $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.
// <delivered>.…, without allocating. It reports false for any other
// subject.
func parseAck(reply string) (ackMeta, bool) {
	rest, ok := strings.CutPrefix(reply, "$JS.ACK.")
	if !ok {
		return ackMeta{}, false
	}
	pos := 2 // tokens after $JS.ACK
	switch n := strings.Count(rest, ".") + 3; {
	case n == 9:
	case n >= 11:
		pos = 4
	default:
		return ackMeta{}, false
	}
	for range pos {
		_, rest, _ = strings.Cut(rest, ".")
	}
	var m ackMeta
	for _, v := range []*uint64{&m.delivered, &m.streamSeq, &m.consSeq} {
		var tok string
		tok, rest, _ = strings.Cut(rest, ".")
		if tok == "" || len(tok) > 19 {
			return ackMeta{}, false
		}
		for i := 0; i < len(tok); i++ {
			c := tok[i]
			if c < '0' || c > '9' {
				return ackMeta{}, false
			}
			*v = *v*10 + uint64(c-'0')
		}
	}
	return m, true
}

// readerConfig checks the arguments of a reader's constructor, whose name
// names a consumer or a group, and reads its options.
func readerConfig(js jetstream.JetStream, what, name string, opts []Option) (*config, error) {
	if js == nil {
		return nil, errors.New("natsjs: nil JetStream")
	}
	if !validName(name) {
		return nil, fmt.Errorf("natsjs: invalid %s name %q", what, name)
	}
	return newConfig(opts)
}

// validName reports whether s can name a consumer and a bucket.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
