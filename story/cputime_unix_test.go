//go:build unix

package story_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock measures the process's CPU time (getrusage), so that a
// benchmark on a busy machine reports CPU time per op beside the wall
// clock, which other processes inflate.
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{processCPU()} }

// report adds cpu-ns/op and cpu-ns/B (bytes per op given).
func (c cpuClock) report(b *testing.B, bytes int) {
	if d := processCPU() - c.start; d > 0 && b.N > 0 {
		per := float64(d.Nanoseconds()) / float64(b.N)
		b.ReportMetric(per, "cpu-ns/op")
		b.ReportMetric(per/float64(bytes), "cpu-ns/B")
	}
}
