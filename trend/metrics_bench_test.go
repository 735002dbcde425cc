//go:build go1.24

package trend_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

// BenchmarkMetricsAdd measures one mention added to [trend.Metrics]: 1,000
// keys (Zipf-distributed volume), authors from a population of a million
// (Zipf, so some post often), followers and engagement set, time moving
// forward so buckets keep closing (about 40 mentions per key-hour on
// average). cpu-ns/op and ops/cpu-s are per core.
func BenchmarkMetricsAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	keyZipf := rand.NewZipf(r, 1.1, 1, 999)
	authorZipf := rand.NewZipf(r, 1.05, 1, 1_000_000-1)
	const n = 1 << 16
	ms := make([]trend.Mention, n)
	for i := range ms {
		a := authorZipf.Uint64()
		ms[i] = trend.Mention{
			Key:       "brand" + strconv.FormatUint(keyZipf.Uint64(), 10),
			Author:    "bluesky:user" + strconv.FormatUint(a, 10) + ".bsky.social",
			Followers: int(a % 5000),
			Likes:     i % 3, Reposts: i % 2,
			Sentiment: float64(i%3-1) * 0.5,
		}
	}
	var m trend.Metrics
	step := time.Hour * 1000 / 40 / n // 40 mentions per key-hour over the 1,000 keys
	i := 0
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		x := &ms[i&(n-1)]
		x.At = mt0.Add(time.Duration(i) * step)
		m.Add(*x)
		i++
	}
	reportCPU(b, c0, i)
}

// BenchmarkMetricsMemory fills 1,000 keys x 168 hourly buckets (a week) and
// reports the heap the metrics retain (heap-MiB, after a GC), for several
// numbers of distinct authors per key-hour: 0 (no author known), 5, 15
// (about the airline tweets' average per airline-hour) and 40. Each
// key-hour gets twice as many mentions as authors (at least one).
// Run with -benchtime=1x.
func BenchmarkMetricsMemory(b *testing.B) {
	for _, authors := range []int{0, 5, 15, 40} {
		b.Run(fmt.Sprintf("authors=%d", authors), func(b *testing.B) {
			for b.Loop() {
				b.ReportMetric(metricsHeap(authors), "heap-MiB")
			}
		})
	}
}

func metricsHeap(authors int) float64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	m := &trend.Metrics{}
	keys := make([]string, 1000)
	for k := range keys {
		keys[k] = "brand-" + strconv.Itoa(k)
	}
	mentions := max(1, 2*authors)
	for h := range 168 {
		at := mt0.Add(time.Duration(h) * time.Hour)
		for _, key := range keys {
			for i := range mentions {
				mn := trend.Mention{Key: key, At: at, Likes: 1, Sentiment: 0.5}
				if authors > 0 {
					a := (h*authors + i%authors) * 7919 % 100_000 // authors recur across hours
					mn.Author, mn.Followers = "user"+strconv.Itoa(a), a
				}
				m.Add(mn)
			}
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(m)
	return float64(ms.HeapAlloc-before) / (1 << 20)
}
