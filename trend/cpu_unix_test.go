//go:build unix

package trend_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the process's user+system CPU time, so benchmarks can
// report throughput per core even on a machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports CPU nanoseconds per op and ops per CPU second since
// start (a value of cpuTime()).
func reportCPU(b *testing.B, start time.Duration, ops int) {
	d := cpuTime() - start
	if d <= 0 || ops == 0 {
		return
	}
	b.ReportMetric(float64(d.Nanoseconds())/float64(ops), "cpu-ns/op")
	b.ReportMetric(float64(ops)/d.Seconds(), "ops/cpu-s")
}
