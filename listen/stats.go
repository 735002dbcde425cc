package listen

import (
	"sync/atomic"
	"time"
)

// Stats are a source's counters since it was built. Hosts export them to
// Prometheus, expvar or logs; the core has no metrics dependency.
type Stats struct {
	Delivered  int64         // posts yielded to the loop
	Duplicates int64         // posts dropped because they were already delivered
	Skipped    int64         // records that could not be decoded and were skipped
	Retries    int64         // requests retried after a transient failure
	Reconnects int64         // stream connections re-established
	Pauses     int64         // waits of 5 s or more (rate-limit resets, Retry-After, long backoff) and stalled streams; each also logged
	Lag        time.Duration // how far the last delivered post is behind the platform's clock (or ours)
}

// StatsReporter is implemented by sources that count their work. Stats is
// safe to call from any goroutine while the source runs.
type StatsReporter interface {
	Stats() Stats
}

// Counters is a concurrency-safe set of the [Stats] counters for source
// implementations to embed. The zero value is ready to use.
type Counters struct {
	delivered, duplicates, skipped, retries, reconnects, pauses, lag atomic.Int64
}

// Deliver counts one delivered post created at created, as seen at now.
func (c *Counters) Deliver(created, now time.Time) {
	c.delivered.Add(1)
	if !created.IsZero() {
		c.lag.Store(int64(now.Sub(created)))
	}
}

func (c *Counters) Duplicate() { c.duplicates.Add(1) } // counts a dropped duplicate
func (c *Counters) Skip()      { c.skipped.Add(1) }    // counts a skipped undecodable record
func (c *Counters) Retry()     { c.retries.Add(1) }    // counts a retried request
func (c *Counters) Reconnect() { c.reconnects.Add(1) } // counts a re-established stream
func (c *Counters) Pause()     { c.pauses.Add(1) }     // counts a wait of 5 s or more, or a stall

// Stats returns a snapshot of the counters.
func (c *Counters) Stats() Stats {
	return Stats{
		Delivered:  c.delivered.Load(),
		Duplicates: c.duplicates.Load(),
		Skipped:    c.skipped.Load(),
		Retries:    c.retries.Load(),
		Reconnects: c.reconnects.Load(),
		Pauses:     c.pauses.Load(),
		Lag:        time.Duration(c.lag.Load()),
	}
}
