package natsjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
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
// A post is acknowledged only after the host's loop body has returned for
// it, so a worker that dies mid-post has it delivered again to another
// worker after the ack wait. Posts the Source has received but not yet
// yielded when the loop ends are handed back at once (a negative
// acknowledgement); posts still in flight from the server then are
// delivered again after the ack wait. A bounded set of the keys the host has handled drops
// redeliveries of posts that were in fact handled, e.g. when an ack was
// lost with a broken connection.
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
	if js == nil {
		return nil, errors.New("natsjs: nil JetStream")
	}
	if consumer == "" || !validToken(consumer) {
		return nil, fmt.Errorf("natsjs: invalid consumer name %q", consumer)
	}
	c, err := newConfig(opts)
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
		r := &run{s: s}
		err := r.loop(ctx, yield)
		if err != nil && ctx.Err() == nil {
			yield(listen.Post{}, err)
		}
	}
}

type run struct {
	s    *Source
	cons jetstream.Consumer

	failedAt time.Time // start of the current run of failures
	wait     time.Duration
}

var errStop = errors.New("natsjs: stop")

func (r *run) loop(ctx context.Context, yield func(listen.Post, error) bool) error {
	for ctx.Err() == nil {
		if r.cons == nil {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			cons, err := r.s.js.CreateOrUpdateConsumer(cctx, r.s.cfg.stream, r.s.consumerConfig())
			cancel()
			if err != nil {
				if err := r.retry(ctx, fmt.Errorf("natsjs: consumer %s: %w", r.s.name, err)); err != nil {
					return err
				}
				continue
			}
			r.cons = cons
		}
		err := r.batch(ctx, yield)
		if errors.Is(err, errStop) {
			return nil
		}
		if err != nil {
			if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrConsumerDeleted) {
				r.cons = nil
			}
			if err := r.retry(ctx, err); err != nil {
				return err
			}
			continue
		}
		r.failedAt = time.Time{}
	}
	return nil
}

// retry sleeps before the next attempt after a transient failure, or
// returns the failure when it is final.
func (r *run) retry(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	if r.s.js.Conn().IsClosed() || errors.Is(err, jetstream.ErrStreamNotFound) {
		return err
	}
	now := time.Now()
	if r.failedAt.IsZero() {
		r.failedAt, r.wait = now, 50*time.Millisecond
	} else {
		r.wait = min(2*r.wait, 2*time.Second)
	}
	if now.Sub(r.failedAt) > r.s.cfg.maxRetryTime {
		return err
	}
	r.s.cfg.logger.Debug("natsjs: fetch retry", "consumer", r.s.name, "err", err)
	if sleep(ctx, r.wait) != nil {
		return nil
	}
	return nil
}

// batch fetches one batch and yields its posts. It returns errStop when the
// loop broke, nil when the batch is done (possibly empty) and a transient
// error otherwise.
func (r *run) batch(ctx context.Context, yield func(listen.Post, error) bool) error {
	fctx, cancel := context.WithTimeout(ctx, r.s.cfg.maxWait)
	defer cancel()
	b, err := r.cons.Fetch(r.s.cfg.batch, jetstream.FetchContext(fctx))
	if err != nil {
		return fmt.Errorf("natsjs: fetch: %w", err)
	}
	msgs := b.Messages()
	// Whatever is left when we stop goes back to the server at once, and
	// the fetch goroutine has ended when we return.
	defer func() {
		cancel()
		for m := range msgs {
			_ = m.Nak()
		}
	}()
	nc := r.s.js.Conn()
	for m := range msgs {
		if ctx.Err() != nil {
			_ = m.Nak()
			return nil
		}
		if nc.Status() != nats.CONNECTED {
			// A disconnected worker's acks may arrive after the ack wait;
			// leave the rest of the batch to redelivery.
			return nil
		}
		id := m.Headers().Get(jetstream.MsgIDHeader)
		var p listen.Post
		if err := json.Unmarshal(m.Data(), &p); err != nil || p.Platform == "" || p.ID == "" {
			// Not a post: no worker can handle it, so don't redeliver it.
			_ = m.TermWithReason("natsjs: not a post")
			continue
		}
		p.Repair()
		if id == "" {
			id = MsgID(&p)
		}
		if r.s.seen.has(id) {
			_ = m.Ack()
			continue
		}
		more := yield(p, nil)
		r.s.seen.add(id)
		if err := r.ack(ctx, m); err != nil && more && ctx.Err() == nil {
			r.s.cfg.logger.Debug("natsjs: ack", "id", id, "err", err)
		}
		if !more {
			return errStop
		}
	}
	if err := b.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("natsjs: fetch: %w", err)
	}
	return nil
}

func (r *run) ack(ctx context.Context, m jetstream.Msg) error {
	if !r.s.cfg.syncAck {
		return m.Ack()
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return m.DoubleAck(actx)
}

// seenSet is a bounded set of string hashes with first-in first-out
// eviction. It is safe for concurrent use.
type seenSet struct {
	mu   sync.Mutex
	seed maphash.Seed
	set  map[uint64]struct{}
	ring []uint64
	next int
	full bool
}

func newSeenSet(n int) *seenSet {
	return &seenSet{seed: maphash.MakeSeed(), set: make(map[uint64]struct{}, n), ring: make([]uint64, n)}
}

func (s *seenSet) has(key string) bool {
	h := maphash.String(s.seed, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.set[h]
	return ok
}

func (s *seenSet) add(key string) {
	h := maphash.String(s.seed, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.set[h]; ok {
		return
	}
	if s.full {
		delete(s.set, s.ring[s.next])
	}
	s.ring[s.next] = h
	s.set[h] = struct{}{}
	s.next++
	if s.next == len(s.ring) {
		s.next, s.full = 0, true
	}
}
