//go:build unix

package polarity

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock measures the process's CPU time (user and system, GC included),
// which on a shared, noisy machine says more than wall time.
type cpuClock struct{ start time.Duration }

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{cpuNow()} }

// report adds "cpu-ns/op" for n operations.
func (c cpuClock) report(b *testing.B, n int) {
	if n > 0 {
		b.ReportMetric(float64(cpuNow()-c.start)/float64(n), "cpu-ns/op")
	}
}
