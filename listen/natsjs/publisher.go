package natsjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/earshot-dev/earshot/listen"
)

// Publisher publishes posts to the stream as JSON, one message per post,
// with the post's [MsgID] as Nats-Msg-Id so that the server drops a post
// published twice within the duplicate window (overlapping pollers, a
// retried publish). Publishes are asynchronous: at most [WithMaxInFlight]
// are unacknowledged at a time, and [Publisher.Flush] waits for the rest.
//
// A Publisher is safe for concurrent use. It does not own the connection.
type Publisher struct {
	js  jetstream.JetStream
	cfg *config

	mu      sync.Mutex
	pending []pending // oldest first
	head    int
}

// pubAckTimeout is how long a publish waits for its acknowledgement
// before it is sent again.
const pubAckTimeout = 5 * time.Second

type pending struct {
	f   jetstream.PubAckFuture
	msg *nats.Msg
}

// NewPublisher returns a publisher on js. It does no I/O; call
// [EnsureStream] (with the same options) once before publishing.
func NewPublisher(js jetstream.JetStream, opts ...Option) (*Publisher, error) {
	if js == nil {
		return nil, errors.New("natsjs: nil JetStream")
	}
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Publisher{js: js, cfg: c}, nil
}

// Publish sends p. It returns once the message is handed to the
// connection, waiting first for the oldest acknowledgement when
// [WithMaxInFlight] publishes are pending. An error means the post, or an
// earlier one, was not stored; it is final, as publishes are retried.
func (pub *Publisher) Publish(ctx context.Context, p listen.Post) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("natsjs: encode %s: %w", p.Key(), err)
	}
	msg := &nats.Msg{
		Subject: Subject(pub.cfg.subject, pub.cfg.partitions, &p),
		Data:    data,
		Header:  nats.Header{jetstream.MsgIDHeader: []string{MsgID(&p)}},
	}
	pub.mu.Lock()
	defer pub.mu.Unlock()
	for len(pub.pending)-pub.head >= pub.cfg.maxInFlight {
		if err := pub.waitOldest(ctx); err != nil {
			return err
		}
	}
	return pub.send(ctx, msg)
}

// send publishes msg asynchronously, retrying while the publisher stalls
// (too many pending acks in the client) or the connection reconnects.
func (pub *Publisher) send(ctx context.Context, msg *nats.Msg) error {
	start := time.Now()
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		f, err := pub.js.PublishMsgAsync(msg)
		if err == nil {
			pub.pending = append(pub.pending, pending{f, msg})
			return nil
		}
		if pub.js.Conn().IsClosed() || time.Since(start) > pub.cfg.maxRetryTime {
			return fmt.Errorf("natsjs: publish %s: %w", msg.Header.Get(jetstream.MsgIDHeader), err)
		}
		pub.cfg.logger.Debug("natsjs: publish retry", "err", err)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// waitOldest waits for the oldest pending publish, publishing it again
// (synchronously, same message ID) if its acknowledgement failed.
func (pub *Publisher) waitOldest(ctx context.Context) error {
	p := pub.pending[pub.head]
	pub.pending[pub.head] = pending{}
	pub.head++
	if pub.head > 1024 && pub.head*2 > len(pub.pending) {
		n := copy(pub.pending, pub.pending[pub.head:])
		clear(pub.pending[n:])
		pub.pending, pub.head = pub.pending[:n], 0
	}
	t := time.NewTimer(pubAckTimeout)
	defer t.Stop()
	select {
	case <-p.f.Ok():
		return nil
	case err := <-p.f.Err():
		return pub.republish(ctx, p.msg, err)
	case <-t.C:
		// The acknowledgement was lost (a server restart): publish again.
		return pub.republish(ctx, p.msg, errors.New("natsjs: no acknowledgement"))
	case <-ctx.Done():
		return ctx.Err()
	}
}

// republish retries one failed publish synchronously. The message ID makes
// a retry of a publish that was in fact stored harmless.
func (pub *Publisher) republish(ctx context.Context, msg *nats.Msg, cause error) error {
	start := time.Now()
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		pub.cfg.logger.Debug("natsjs: publish retry", "err", cause)
		if pub.js.Conn().IsClosed() || time.Since(start) > pub.cfg.maxRetryTime {
			return fmt.Errorf("natsjs: publish %s: %w", msg.Header.Get(jetstream.MsgIDHeader), cause)
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		m := &nats.Msg{Subject: msg.Subject, Data: msg.Data, Header: msg.Header}
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, cause = pub.js.PublishMsg(actx, m)
		cancel()
		if cause == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// Flush waits until every post published so far is acknowledged by the
// server, and returns the first failure.
func (pub *Publisher) Flush(ctx context.Context) error {
	pub.mu.Lock()
	defer pub.mu.Unlock()
	var first error
	for len(pub.pending) > pub.head {
		if err := pub.waitOldest(ctx); err != nil {
			if ctx.Err() != nil {
				return err
			}
			if first == nil {
				first = err
			}
		}
	}
	pub.pending, pub.head = pub.pending[:0], 0
	return first
}

// PublishAll publishes every post of src, then flushes. It returns the
// number of posts published and the first error: the source's, or a
// publish failure. Cancelling ctx ends it quietly, with ctx's error only
// if posts remain unacknowledged.
func (pub *Publisher) PublishAll(ctx context.Context, src listen.Source) (int, error) {
	n := 0
	for p, err := range src.Posts(ctx) {
		if err != nil {
			return n, errors.Join(err, pub.Flush(ctx))
		}
		if err := pub.Publish(ctx, p); err != nil {
			return n, err
		}
		n++
	}
	return n, pub.Flush(ctx)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
