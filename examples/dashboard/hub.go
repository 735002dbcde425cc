package main

import (
	"sync"
	"sync/atomic"
)

// hub fans state messages out to the Server-Sent Events clients. Publish
// never blocks: each client has a bounded buffer, and a message that does
// not fit is dropped and counted (every message is a full state, so a slow
// client only misses intermediate frames). The zero value is not usable;
// call newHub. A hub is safe for concurrent use.
type hub struct {
	mu         sync.Mutex
	clients    map[*client]struct{}
	last       []byte // the latest message, for late joiners and /api/state
	closed     bool
	everJoined bool
	done       chan struct{} // closed by close: handlers return
	joined     chan struct{} // closed when the first client subscribes

	dropped atomic.Int64
	sent    atomic.Int64
	buffer  int
}

type client struct {
	ch      chan []byte
	dropped atomic.Int64
}

func newHub(buffer int) *hub {
	if buffer <= 0 {
		buffer = 4
	}
	return &hub{clients: map[*client]struct{}{}, done: make(chan struct{}), joined: make(chan struct{}), buffer: buffer}
}

// subscribe registers a client; it receives the latest message first.
// It reports false when the hub is closed.
func (h *hub) subscribe() (*client, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	c := &client{ch: make(chan []byte, h.buffer)}
	if h.last != nil {
		c.ch <- h.last
	}
	if h.clients[c] = struct{}{}; !h.everJoined {
		h.everJoined = true
		close(h.joined)
	}
	return c, true
}

func (h *hub) unsubscribe(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

// publish sends msg to every client without blocking.
func (h *hub) publish(msg []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.last = msg
	for c := range h.clients {
		select {
		case c.ch <- msg:
			h.sent.Add(1)
		default:
			c.dropped.Add(1)
			h.dropped.Add(1)
		}
	}
}

// latest returns the last message published, or nil.
func (h *hub) latest() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// close makes every event handler return and refuses new clients.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}
