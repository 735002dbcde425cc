package httpx

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Watchdog calls a function when it has not been kicked for a while: the
// stall detector for streams without read deadlines. Create it with
// [NewWatchdog]; Kick after every read that returned data; Stop when done.
// It starts no goroutine of its own (it uses [time.AfterFunc]). It is safe
// for concurrent use.
type Watchdog struct {
	idle  time.Duration
	t     *time.Timer
	fired atomic.Bool
	mu    sync.Mutex
	done  bool
}

// NewWatchdog starts a watchdog that calls onStall once if Kick is not
// called for idle.
func NewWatchdog(idle time.Duration, onStall func()) *Watchdog {
	w := &Watchdog{idle: idle}
	w.t = time.AfterFunc(idle, func() {
		w.mu.Lock()
		done := w.done
		w.mu.Unlock()
		if done {
			return
		}
		w.fired.Store(true)
		onStall()
	})
	return w
}

// Kick restarts the idle period.
func (w *Watchdog) Kick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done && !w.fired.Load() {
		w.t.Reset(w.idle)
	}
}

// Fired reports whether the watchdog has called onStall.
func (w *Watchdog) Fired() bool { return w.fired.Load() }

// Stop stops the watchdog; onStall will not be called after Stop returns
// unless it was already running.
func (w *Watchdog) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
	w.t.Stop()
}

// IdleReader wraps a stream body: if no byte arrives for idle, it closes
// rc, and the pending and later Reads return a [*StallError]. Close stops
// the watchdog and closes rc.
func IdleReader(rc io.ReadCloser, platform string, idle time.Duration) io.ReadCloser {
	r := &idleReader{rc: rc, err: &StallError{Platform: platform, Idle: idle}}
	r.w = NewWatchdog(idle, func() { rc.Close() })
	return r
}

type idleReader struct {
	rc  io.ReadCloser
	w   *Watchdog
	err *StallError
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if n > 0 {
		r.w.Kick()
	}
	if err != nil && r.w.Fired() {
		return n, r.err
	}
	return n, err
}

func (r *idleReader) Close() error {
	r.w.Stop()
	return r.rc.Close()
}
