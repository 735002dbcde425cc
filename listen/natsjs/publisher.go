package natsjs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/earshot-dev/earshot/listen"
)

// Publisher publishes posts to the stream in the binary format of
// [AppendPost], one message per post, with the post's [MsgID] as
// Nats-Msg-Id so that the server drops a post published twice within the
// duplicate window (overlapping pollers, a retried publish). Publishes are
// asynchronous: at most [WithMaxInFlight] are unacknowledged at a time,
// and [Publisher.Flush] waits for the rest.
//
// Where the server and stream allow it (nats-server 2.14 or later;
// [EnsureStream] turns it on), posts go out as a fast batch: the server
// confirms every few hundred stored messages at once instead of each one,
// and [Publisher.Flush] commits the batch. Otherwise, and after the first
// message of a batch turns out to be a duplicate (overlapping pollers),
// every publish is acknowledged on its own. The acknowledgements come
// back on a subscription of the Publisher's own (an inbox, read by the
// publishing goroutine: no goroutine of its own), which exists while
// publishes are in flight: Flush removes it. A publish whose
// acknowledgement reports an error, does not come within five seconds, or
// may have been lost with a reconnect or a server restart is sent again,
// synchronously; the message ID makes that harmless.
//
// A Publisher is safe for concurrent use. It does not own the connection.
type Publisher struct {
	js  jetstream.JetStream
	cfg *config

	mu         sync.Mutex
	sub        *nats.Subscription // acknowledgements: inbox + ">"
	inbox      string             // prefix of the reply subjects, ending in '.'
	seq        uint64             // of the last publish; its reply subject is inbox+seq
	reconnects uint64             // the connection's reconnect count when last checked
	batch      string             // the open fast batch; "" when none is
	bseq       uint64             // batch sequence of the batch's last message
	perMsg     bool               // the server or stream takes no fast batches
	lastSubj   string             // subject of the last publish, for the commit
	flow       string             // ".<flow>.fail." of the batch reply subjects
	batchSeen  bool               // the server has answered the open batch
	pending    []pending          // oldest first, consecutive seqs
	head       int
	free       []*nats.Msg         // acknowledged messages, reused with their headers
	slab       []byte              // message bodies are cut from it; never rewritten
	subjects   map[string][]string // platform -> subject per partition
}

// errNoAck fails a publish whose acknowledgement did not come in time.
var errNoAck = errors.New("natsjs: no acknowledgement")

// pubAckTimeout is how long a publish waits for its acknowledgement
// before it is sent again.
const pubAckTimeout = 5 * time.Second

// maxInFlight caps [WithMaxInFlight]: a subscription buffers at most
// 65536 messages (nats.DefaultMaxChanLen) before it drops acknowledgements.
const maxInFlight = 1 << 15

type pending struct {
	seq      uint64
	batch    string // the fast batch it was sent in, "" for none
	bseq     uint64 // its sequence in the batch
	msg      *nats.Msg
	waitFrom time.Time // when waiting for its ack took longer than usual
	done     bool
	err      error // the acknowledgement's error
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
	for len(pub.pending)-pub.head >= min(pub.cfg.maxInFlight, maxInFlight) {
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

// send publishes msg asynchronously with a reply subject of its own,
// retrying while the connection cannot take it (reconnecting with a full
// buffer).
func (pub *Publisher) send(ctx context.Context, msg *nats.Msg) error {
	nc := pub.js.Conn()
	if pub.sub == nil || !pub.sub.IsValid() {
		inbox := nc.NewInbox() + "."
		sub, err := nc.SubscribeSync(inbox + ">")
		if err != nil {
			return fmt.Errorf("natsjs: publish %s: %w", msg.Header.Get(jetstream.MsgIDHeader), err)
		}
		pub.failPending(errors.New("natsjs: acknowledgement subscription lost"))
		pub.sub, pub.inbox = sub, inbox
		pub.reconnects = nc.Stats().Reconnects
		pub.batch = ""
	}
	pub.seq++
	var batch string
	var bseq uint64
	if pub.perMsg {
		msg.Reply = pub.inbox + strconv.FormatUint(pub.seq, 36)
	} else {
		batch, bseq = pub.nextInBatch(nc)
		msg.Reply = pub.batchReply(batch, bseq, batchOpAppend)
	}
	pub.lastSubj = msg.Subject
	var start time.Time // only when a publish fails: the clock is not free
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		err := nc.PublishMsg(msg)
		if err == nil {
			pub.pending = append(pub.pending, pending{seq: pub.seq, batch: batch, bseq: bseq, msg: msg})
			return nil
		}
		if start.IsZero() {
			start = time.Now()
		}
		if nc.IsClosed() || time.Since(start) > pub.cfg.maxRetryTime {
			return fmt.Errorf("natsjs: publish %s: %w", msg.Header.Get(jetstream.MsgIDHeader), err)
		}
		pub.cfg.logger.Debug("natsjs: publish retry", "err", err)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// waitOldest waits for the acknowledgement of the oldest pending publish,
// reading the acknowledgements that come first, and publishes it again
// (synchronously, same message ID) if it failed.
func (pub *Publisher) waitOldest(ctx context.Context) error {
	p := &pub.pending[pub.head]
	for !p.done {
		if err := pub.readAck(ctx, p); err != nil {
			return err
		}
	}
	msg, ackErr := p.msg, p.err
	pub.pending[pub.head] = pending{}
	pub.head++
	if pub.head > 1024 && pub.head*2 > len(pub.pending) {
		n := copy(pub.pending, pub.pending[pub.head:])
		clear(pub.pending[n:])
		pub.pending, pub.head = pub.pending[:n], 0
	}
	if ackErr != nil {
		return pub.republish(ctx, msg, ackErr)
	}
	pub.recycle(msg)
	return nil
}

// readAck reads and records one acknowledgement, waiting up to 50ms for
// it, so that ctx and reconnects are looked at between waits. p is the
// publish waited for: it fails when its acknowledgement is five seconds
// late, counted from the first of these waits (so that the clock is read
// only when an acknowledgement is slow).
func (pub *Publisher) readAck(ctx context.Context, p *pending) error {
	m, err := pub.sub.NextMsg(50 * time.Millisecond)
	switch {
	case err == nil:
		pub.ack(m)
	case errors.Is(err, nats.ErrTimeout):
		if err := ctx.Err(); err != nil {
			return err
		}
		if p.waitFrom.IsZero() {
			p.waitFrom = time.Now()
		}
		if time.Since(p.waitFrom) >= pubAckTimeout {
			// The acknowledgement was lost (a server restart).
			pub.failBatch(p.batch, errNoAck)
			if !p.done {
				p.done, p.err = true, errNoAck
			}
		} else if n := pub.js.Conn().Stats().Reconnects; n != pub.reconnects {
			// Acks of publishes sent before the reconnect may be lost.
			pub.reconnects = n
			pub.failPending(nats.ErrDisconnected)
		}
	default: // the subscription is gone (connection closed)
		pub.failPending(err)
	}
	return nil
}

// ack records an acknowledgement: a PubAck in JSON, or a status message
// such as 503 (no responders) when the stream is missing.
func (pub *Publisher) ack(m *nats.Msg) {
	rest := strings.TrimPrefix(m.Subject, pub.inbox)
	if strings.HasSuffix(rest, batchSuffix) {
		pub.batchAck(rest, m)
		return
	}
	seq, err := strconv.ParseUint(rest, 36, 64)
	if err != nil || pub.head == len(pub.pending) {
		return
	}
	first := pub.pending[pub.head].seq
	if seq < first || seq-first >= uint64(len(pub.pending)-pub.head) {
		return // a late one, for a publish already sent again
	}
	p := &pub.pending[pub.head+int(seq-first)]
	if p.done {
		return
	}
	p.done = true
	if st := m.Header.Get("Status"); st != "" {
		p.err = fmt.Errorf("natsjs: publish status %s %s", st, m.Header.Get("Description"))
	} else if bytes.Contains(m.Data, []byte(`"error"`)) {
		var r struct {
			Error *jetstream.APIError `json:"error"`
		}
		if json.Unmarshal(m.Data, &r) == nil && r.Error != nil {
			p.err = r.Error
		} else {
			p.err = fmt.Errorf("natsjs: bad acknowledgement %q", m.Data)
		}
	}
}

// failPending marks every pending publish not yet acknowledged as failed,
// so that it is sent again.
func (pub *Publisher) failPending(err error) {
	pub.batch = ""
	for i := pub.head; i < len(pub.pending); i++ {
		if p := &pub.pending[i]; !p.done {
			p.done, p.err = true, err
		}
	}
}

// recycle keeps an acknowledged message for a later post. The connection
// does not use it any more.
func (pub *Publisher) recycle(m *nats.Msg) {
	if len(pub.free) < min(pub.cfg.maxInFlight, 4096) {
		m.Data, m.Reply = nil, ""
		pub.free = append(pub.free, m)
	}
}

// republish retries one failed publish synchronously. The message ID makes
// a retry of a publish that was in fact stored harmless.
func (pub *Publisher) republish(ctx context.Context, msg *nats.Msg, cause error) error {
	start := time.Now()
	for wait := time.Duration(0); ; wait = min(max(2*wait, 20*time.Millisecond), time.Second) {
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
	if err := pub.commit(ctx); err != nil {
		return err
	}
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
	if pub.sub != nil {
		_ = pub.sub.Unsubscribe()
		pub.sub = nil
	}
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
