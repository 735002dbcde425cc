package natsjs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/earshot-dev/earshot/listen"
)

// Publisher publishes posts to the stream in the binary format of
// [AppendPost], one message per post,
// with the post's [MsgID] as Nats-Msg-Id so that the server drops a post
// published twice within the duplicate window (overlapping pollers, a
// retried publish). Publishes are asynchronous: at most [WithMaxInFlight]
// are unacknowledged at a time, and [Publisher.Flush] waits for the rest.
//
// A Publisher is safe for concurrent use. It does not own the connection.
type Publisher struct {
	js  jetstream.JetStream
	cfg *config

	mu       sync.Mutex
	pending  []pending // oldest first
	head     int
	free     []*nats.Msg         // acknowledged messages, reused with their headers
	slab     []byte              // message bodies are cut from it; never rewritten
	subjects map[string][]string // platform -> subject per partition
	timer    *time.Timer
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
	id := MsgID(&p)
	pub.mu.Lock()
	defer pub.mu.Unlock()
	for len(pub.pending)-pub.head >= pub.cfg.maxInFlight {
		if err := pub.waitOldest(ctx); err != nil {
			return err
		}
	}
	msg := pub.newMsg()
	msg.Subject = pub.subject(&p)
	msg.Data = pub.encode(&p)
	msg.Header[jetstream.MsgIDHeader][0] = id
	return pub.send(ctx, msg)
}

// newMsg returns a message with a Nats-Msg-Id header to fill in: one
// whose publish was acknowledged, or a new one.
func (pub *Publisher) newMsg() *nats.Msg {
	if n := len(pub.free); n > 0 {
		m := pub.free[n-1]
		pub.free = pub.free[:n-1]
		return m
	}
	return &nats.Msg{Header: nats.Header{jetstream.MsgIDHeader: make([]string, 1)}}
}

// encode returns the binary encoding of p, cut from a slab shared by
// many messages so that a post costs no allocation of its own. A message
// body is never written again: a republish sends the same bytes.
func (pub *Publisher) encode(p *listen.Post) []byte {
	if n := postSize(p); cap(pub.slab)-len(pub.slab) < n {
		pub.slab = make([]byte, 0, max(n, 64<<10))
	}
	start := len(pub.slab)
	pub.slab = AppendPost(pub.slab, p)
	return pub.slab[start:len(pub.slab):len(pub.slab)]
}

// subject returns [Subject] for p, from a cache per platform.
func (pub *Publisher) subject(p *listen.Post) string {
	subs := pub.subjects[p.Platform]
	if subs == nil {
		if pub.subjects == nil {
			pub.subjects = make(map[string][]string)
		}
		if len(pub.subjects) >= 1024 { // platforms are few; bound it anyway
			clear(pub.subjects)
		}
		subs = make([]string, pub.cfg.partitions)
		pub.subjects[p.Platform] = subs
	}
	i := partition(p.Platform, p.ID, pub.cfg.partitions)
	if subs[i] == "" {
		subs[i] = Subject(pub.cfg.subject, pub.cfg.partitions, p)
	}
	return subs[i]
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
	ok := p.f.Ok()
	select {
	case <-ok: // already acknowledged: no timer, no error channel
		pub.recycle(p.msg)
		return nil
	default:
	}
	if pub.timer == nil {
		pub.timer = time.NewTimer(pubAckTimeout)
	} else {
		pub.timer.Reset(pubAckTimeout)
	}
	defer pub.timer.Stop()
	select {
	case <-ok:
		pub.recycle(p.msg)
		return nil
	case err := <-p.f.Err():
		return pub.republish(ctx, p.msg, err)
	case <-pub.timer.C:
		// The acknowledgement was lost (a server restart): publish again.
		return pub.republish(ctx, p.msg, errors.New("natsjs: no acknowledgement"))
	case <-ctx.Done():
		return ctx.Err()
	}
}

// recycle keeps an acknowledged message for a later post. Neither the
// connection nor the acknowledgement future uses it any more.
func (pub *Publisher) recycle(m *nats.Msg) {
	if len(pub.free) < pub.cfg.maxInFlight && len(pub.free) < 4096 {
		m.Data = nil
		pub.free = append(pub.free, m)
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
