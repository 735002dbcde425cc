//go:build go1.24 && unix

package viral

import (
	"fmt"
	"sort"
	"syscall"
	"testing"
	"time"
)

// reportCPU adds "cpu-ns/op", the process's CPU time (user and system,
// getrusage) per op, which stays meaningful on a busy machine where wall
// time does not. Use it as defer reportCPU(b)() after the setup.
func reportCPU(b *testing.B) func() {
	start, ok := cpuTime()
	return func() {
		end, ok2 := cpuTime()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// BenchmarkObserve feeds reshares spread over a few days: in time order,
// and in random order (late reshares land in older bins).
func BenchmarkObserve(b *testing.B) {
	rs := synthetic(1<<16, 3)
	ordered := append([]Reshare(nil), rs...)
	sort.Slice(ordered, func(i, j int) bool { return ordered[i].Age < ordered[j].Age })
	for _, tc := range []struct {
		name string
		rs   []Reshare
	}{{"ordered", ordered}, {"shuffled", rs}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			var tr *Tracker
			i := 0
			for b.Loop() {
				k := i & (1<<16 - 1)
				if k == 0 {
					tr = &Tracker{Posted: t0, Followers: 1000}
				}
				r := tc.rs[k]
				tr.Observe(t0.Add(r.Age), r.Followers)
				i++
			}
		})
	}
}

// BenchmarkPredict predicts a post with reshares over its first hour, 6
// hours and week (the number of bins, not of reshares, sets the cost).
func BenchmarkPredict(b *testing.B) {
	for _, span := range []time.Duration{time.Hour, 6 * time.Hour, 7 * 24 * time.Hour} {
		b.Run(fmt.Sprint(span), func(b *testing.B) {
			m := Model{Rhythm: TwitterRhythm()}
			tr := &Tracker{Posted: t0, Followers: 1000, Model: &m}
			n := 20000
			for i := 0; i < n; i++ {
				tr.Observe(t0.Add(span*time.Duration(i)/time.Duration(n)), 100+i%1000)
			}
			at := t0.Add(span - time.Minute)
			b.ReportAllocs()
			done := reportCPU(b)
			for b.Loop() {
				_ = tr.Predict(at)
			}
			done()
			b.ReportMetric(float64(len(tr.bins)), "bins")
		})
	}
}

func BenchmarkObserveCount(b *testing.B) {
	b.ReportAllocs()
	defer reportCPU(b)()
	var tr *Tracker
	i := 0
	for b.Loop() {
		k := i % 2016 // a week of polls every 5 minutes, then a new post
		if k == 0 {
			tr = &Tracker{Posted: t0}
		}
		tr.ObserveCount(t0.Add(time.Duration(k+1)*5*time.Minute), 10*k)
		i++
	}
}

// BenchmarkDetectorCheck predicts 1000 posts of 100 reshares each.
func BenchmarkDetectorCheck(b *testing.B) {
	d := &Detector{Threshold: 1000}
	for p := 0; p < 1000; p++ {
		for i := 0; i < 100; i++ {
			d.Observe(fmt.Sprint("p", p), t0, t0.Add(time.Duration(i*p%3600)*time.Second), 500)
		}
	}
	at := t0.Add(time.Hour)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		_ = d.Check(at)
	}
}
