//go:build go1.24 && unix

package watch_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/watch"
)

// cpuTime is the process's user+system CPU time, so the figure holds on a
// machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStory runs acme's three days (mentions of two keys, a wave and
// a viral post) through a Watch, without and with Reasons; cpu-ns/event
// is the cost per record.
func BenchmarkStory(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchStory(b, false) })
	b.Run("reasons", func(b *testing.B) { benchStory(b, true) })
}

func benchStory(b *testing.B, reasons bool) {
	evs := story(1)
	var got []watch.Alert
	b.ReportAllocs()
	start, n := cpuTime(), 0
	for b.Loop() {
		got = got[:0]
		w := newWatch(&got)
		if reasons {
			w.Reasons = &trend.Reasons{}
		}
		run(w, evs)
		n += len(evs)
	}
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(n), "cpu-ns/event")
	}
}
