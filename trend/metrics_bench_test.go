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

// zipfMentions returns n mentions (n a power of two) of 1,000 keys
// (Zipf-distributed volume) by authors from a population of a million
// (Zipf, so some post often), with followers, engagement and sentiment;
// the benchmarks set their times.
func zipfMentions(n int) []trend.Mention {
	r := rand.New(rand.NewPCG(1, 1))
	keyZipf := rand.NewZipf(r, 1.1, 1, 999)
	authorZipf := rand.NewZipf(r, 1.05, 1, 1_000_000-1)
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
	return ms
}

// benchAdd measures add on zipfMentions with time moving forward, about
// 40 mentions per key-hour, so buckets keep closing.
func benchAdd(b *testing.B, add func(trend.Mention)) {
	const n = 1 << 16
	ms := zipfMentions(n)
	step := time.Hour * 1000 / 40 / n
	i := 0
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		x := &ms[i&(n-1)]
		x.At = mt0.Add(time.Duration(i) * step)
		add(*x)
		i++
	}
	reportCPU(b, c0, i)
}

// BenchmarkMetricsAdd measures one mention added to [trend.Metrics].
// cpu-ns/op and ops/cpu-s are per core.
func BenchmarkMetricsAdd(b *testing.B) {
	var m trend.Metrics
	benchAdd(b, m.Add)
}

// heapMiB returns the heap that what build returns retains, after a GC.
func heapMiB(build func() any) float64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	x := build()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(x)
	return float64(ms.HeapAlloc-before) / (1 << 20)
}

// BenchmarkMetricsMemory fills 1,000 keys x 168 hourly buckets (a week) and
// reports the heap the metrics retain (heap-MiB, after a GC), for several
// numbers of distinct authors per key-hour: 0 (no author known), 5, 7, 15
// (about the airline tweets' average per airline-hour) and 40. Each
// key-hour gets twice as many mentions as authors (at least one).
// Run with -benchtime=1x.
func BenchmarkMetricsMemory(b *testing.B) {
	for _, authors := range []int{0, 5, 7, 15, 40} {
		b.Run(fmt.Sprintf("authors=%d", authors), func(b *testing.B) {
			for b.Loop() {
				b.ReportMetric(metricsHeap(authors), "heap-MiB")
			}
		})
	}
	// A skewed week: a million mentions of 1,000 keys with Zipf volume
	// (the largest key gets about a sixth), by 100,000 authors with Zipf
	// activity, spread evenly over the 168 hours.
	b.Run("zipf-week", func(b *testing.B) {
		for b.Loop() {
			b.ReportMetric(heapMiB(func() any {
				r := rand.New(rand.NewPCG(3, 3))
				keys, authors := rand.NewZipf(r, 1.1, 1, 999), rand.NewZipf(r, 1.1, 1, 99_999)
				m := &trend.Metrics{}
				const n = 1_000_000
				for i := range n {
					a := authors.Uint64()
					m.Add(trend.Mention{
						Key: "brand-" + strconv.FormatUint(keys.Uint64(), 10), At: mt0.Add(168 * time.Hour / n * time.Duration(i)),
						Author: "user" + strconv.FormatUint(a, 10), Followers: int(a), Sentiment: 0.5,
					})
				}
				return m
			}), "heap-MiB")
		}
	})
}

func metricsHeap(authors int) float64 {
	return heapMiB(func() any {
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
		return m
	})
}
