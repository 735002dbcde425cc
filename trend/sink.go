package trend

import (
	"context"
	"sync"
)

// Sink receives alerts. Send may block (a webhook retries); the error it
// returns is final. Package trend/webhook posts them to Slack-compatible
// incoming webhooks.
type Sink interface {
	Send(ctx context.Context, a Alert) error
}

// SinkFunc adapts a function to a [Sink]: the callback sink.
type SinkFunc func(ctx context.Context, a Alert) error

// Send calls f(ctx, a).
func (f SinkFunc) Send(ctx context.Context, a Alert) error { return f(ctx, a) }

// StartsAndEnds returns a Sink that passes each episode on at most twice:
// when it is first reported and when it ends. Updates of an open episode
// (a new peak) and repeats are dropped, so a chat channel gets one message
// when a spike starts and one when it is over. It remembers the last n
// episodes (n <= 0 means 1024). It is safe for concurrent use. (It is not
// named Dedupe: listen.Dedupe drops repeated posts, a different thing.)
func StartsAndEnds(s Sink, n int) Sink {
	if s == nil {
		panic("trend: StartsAndEnds of a nil Sink")
	}
	return &dedupe{next: s, max: orInt(n, 1024), seen: map[episode]bool{}}
}

type episode struct {
	kind  AlertKind
	key   string
	start int64
}

type dedupe struct {
	next  Sink
	max   int
	mu    sync.Mutex
	seen  map[episode]bool // value: the end has been sent
	order []episode
}

func (d *dedupe) Send(ctx context.Context, a Alert) error {
	e := episode{a.Kind, a.Key, a.Start.UnixNano()}
	d.mu.Lock()
	ended, known := d.seen[e]
	if known && (ended || a.Open()) {
		d.mu.Unlock()
		return nil
	}
	if !known {
		if len(d.order) >= d.max {
			delete(d.seen, d.order[0])
			d.order = d.order[1:]
		}
		d.order = append(d.order, e)
	}
	d.seen[e] = !a.Open()
	d.mu.Unlock()
	return d.next.Send(ctx, a)
}
