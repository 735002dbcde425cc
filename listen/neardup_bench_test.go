//go:build go1.24 && unix

package listen

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkNearDuplicatesAdd measures NearDuplicates.Add on the airline
// tweets (about 104 bytes each) in file order, again and again, through an
// index of the default 10,000 texts (so a tweet's copy from the pass
// before is forgotten): cpu-ns/op is CPU time per tweet, Mposts/cpu-s its
// inverse, and base-cpu-ns/op the CPU time of a loop that only multiplies
// and adds each tweet's bytes, to compare machines and loads.
func BenchmarkNearDuplicatesAdd(b *testing.B) {
	texts := airlineTexts(b)
	base := baseLoop(texts)
	d := NewNearDuplicates(0)
	i := 0
	b.ReportAllocs()
	c0 := nearCPU()
	for b.Loop() {
		d.Add(texts[i%len(texts)])
		i++
	}
	if c := nearCPU() - c0; c > 0 {
		b.ReportMetric(float64(c.Nanoseconds())/float64(i), "cpu-ns/op")
		b.ReportMetric(float64(i)/c.Seconds()/1e6, "Mposts/cpu-s")
		b.ReportMetric(base, "base-cpu-ns/op")
	}
}

// baseLoop returns the CPU time per text of a trivial loop over the bytes.
func baseLoop(texts []string) float64 {
	const rounds = 20
	c0 := nearCPU()
	sum := 0
	for range rounds {
		for _, t := range texts {
			for j := 0; j < len(t); j++ {
				sum += int(t[j]) * (j | 1)
			}
		}
	}
	c := nearCPU() - c0
	if sum == 42 {
		return 0 // keeps the loop
	}
	return float64(c.Nanoseconds()) / float64(rounds*len(texts))
}

func nearCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
