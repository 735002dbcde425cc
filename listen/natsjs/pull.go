package natsjs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A Source (and a Reader) pulls from its consumer itself, over one inbox
// subscription per Posts call (per consumer, for a Reader): it sends a
// pull request ({"batch":n,"expires":maxWait}) to the consumer's
// CONSUMER.MSG.NEXT subject and reads the messages, and then the server's
// status message that ends the request (404 or 408), in the loop's own
// goroutine. The inbox subscription is kept from one
// request to the next while each request ends cleanly (a full batch, or
// the server's status after its last message), so nothing can come late
// for it. After a request that ended otherwise (the client's deadline), or
// once the connection has reconnected, the next request gets a new inbox:
// a message that comes late for an earlier request (the server can go on
// serving a request made before a broken connection came back) is then
// neither handled nor acknowledged, because its ack wait began when it was
// sent and it may already be on its way to another worker; the server
// delivers it again if nobody acknowledges it. (A Reader's consumer
// acknowledges nothing and delivers nothing again: the Reader notices the
// missing delivery and reads on from its position with a new consumer.)

// msg is a delivered JetStream message.
type msg struct {
	m  *nats.Msg
	nc *nats.Conn
}

var (
	ackAck      = []byte("+ACK")
	ackNak      = []byte("-NAK")
	ackProgress = []byte("+WPI")
)

func (m *msg) Ack() error        { return m.nc.Publish(m.m.Reply, ackAck) }
func (m *msg) Nak() error        { return m.nc.Publish(m.m.Reply, ackNak) }
func (m *msg) InProgress() error { return m.nc.Publish(m.m.Reply, ackProgress) }
func (m *msg) TermWithReason(reason string) error {
	return m.nc.Publish(m.m.Reply, []byte("+TERM "+reason))
}

// DoubleAck acknowledges and waits for the server to confirm.
func (m *msg) DoubleAck(ctx context.Context) error {
	_, err := m.nc.RequestWithContext(ctx, m.m.Reply, ackAck)
	return err
}

// apiPrefix returns the JetStream API prefix js sends requests with.
func apiPrefix(js jetstream.JetStream) string {
	o := js.Options()
	switch {
	case o.Domain != "":
		return "$JS." + o.Domain + ".API."
	case o.APIPrefix != "":
		return strings.TrimSuffix(o.APIPrefix, ".") + "."
	}
	return jetstream.DefaultAPIPrefix
}

// puller reads one consumer's messages for one run.
type puller struct {
	nc      *nats.Conn
	sub     *nats.Subscription
	inbox   string
	subject string // the consumer's next-message request subject
	req     []byte
	maxWait time.Duration
	open    bool   // a request is still open on the server
	clean   bool   // the last request ended with its last message or the server's status
	subRec  uint64 // the connection's reconnect count when sub was made
	got     int    // messages received for it
	batch   int
}

func newPuller(nc *nats.Conn, js jetstream.JetStream, stream, consumer string, batch int, maxWait time.Duration) *puller {
	return &puller{
		nc: nc, batch: batch, maxWait: maxWait,
		subject: apiPrefix(js) + "CONSUMER.MSG.NEXT." + stream + "." + consumer,
		req:     fmt.Appendf(nil, `{"batch":%d,"expires":%d}`, batch, maxWait.Nanoseconds()),
	}
}

// request opens a pull request for the next batch.
func (p *puller) request() error {
	rec := p.nc.Stats().Reconnects
	if p.sub == nil || !p.sub.IsValid() || !p.clean || rec != p.subRec {
		p.close()
		p.inbox = p.nc.NewInbox()
		sub, err := p.nc.SubscribeSync(p.inbox)
		if err != nil {
			return err
		}
		p.sub, p.subRec = sub, rec
	}
	if err := p.nc.PublishRequest(p.subject, p.inbox, p.req); err != nil {
		return err
	}
	p.open, p.got, p.clean = true, 0, false
	return nil
}

// errRequestDone ends a batch: the server answered the request's end.
var errRequestDone = errors.New("natsjs: request done")

// next returns the next message of the open request. It returns
// errRequestDone when the request has ended (all its messages received,
// the server's end status, or bctx's deadline: maxWait and a second, for a
// status lost with a disconnect), ctx's error when the host's ctx is done,
// and other errors for a request the server refused (ErrConsumerDeleted
// when the consumer is gone).
func (p *puller) next(ctx, bctx context.Context) (*msg, error) {
	for p.open {
		m, err := p.sub.NextMsgWithContext(bctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err() // still open: drain hands the rest back
			}
			p.open = false
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, errRequestDone
			}
			if errors.Is(err, nats.ErrNoResponders) {
				// The 503 status: the consumer is gone (or JetStream is
				// restarting); the loop creates it again.
				return nil, fmt.Errorf("natsjs: pull request: %w", jetstream.ErrConsumerNotFound)
			}
			return nil, err
		}
		if len(m.Data) == 0 && len(m.Header) > 0 {
			if st := m.Header.Get("Status"); st != "" {
				switch st {
				case "100": // heartbeat or flow control
					continue
				case "404", "408": // no messages, request expired
					p.open, p.clean = false, true
					return nil, errRequestDone
				case "409":
					p.open, p.clean = false, true
					if strings.Contains(strings.ToLower(m.Header.Get("Description")), "consumer deleted") {
						return nil, jetstream.ErrConsumerDeleted
					}
					return nil, errRequestDone // leadership change, max waiting, ...
				case "503": // as above, should the client pass the status on
					p.open = false
					return nil, fmt.Errorf("natsjs: pull request: %w", jetstream.ErrConsumerNotFound)
				default:
					p.open = false
					return nil, fmt.Errorf("natsjs: pull request: status %s %s", st, m.Header.Get("Description"))
				}
			}
		}
		if p.got++; p.got >= p.batch {
			// The server ends a full request without a status.
			p.open, p.clean = false, true
		}
		return &msg{m: m, nc: p.nc}, nil
	}
	return nil, errRequestDone
}

// drain hands back (negative ack) what is left of the open request,
// waiting for it until deadline.
func (p *puller) drain(deadline time.Time) {
	if !p.open {
		return
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	for {
		m, err := p.next(ctx, ctx)
		if err != nil {
			return
		}
		_ = m.Nak()
	}
}

func (p *puller) close() {
	if p.sub != nil {
		_ = p.sub.Unsubscribe()
		p.sub = nil
	}
}
