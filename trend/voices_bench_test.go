//go:build go1.24

package trend_test

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

// BenchmarkVoicesAdd measures one mention added to [trend.Voices], with
// the load of BenchmarkMetricsAdd (1,000 keys, a million authors).
func BenchmarkVoicesAdd(b *testing.B) {
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
			Sentiment: float64(i%3-1) * 0.5,
		}
	}
	var v trend.Voices
	step := time.Hour * 1000 / 40 / n
	i := 0
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		x := &ms[i&(n-1)]
		x.At = mt0.Add(time.Duration(i) * step)
		v.Add(*x)
		i++
	}
	reportCPU(b, c0, i)
}

// BenchmarkVoicesMemory reports the heap of a Voices holding 1,000 keys,
// each with a day of 2,000 mentions by 1,000 authors (full summaries) and
// the report of the day before. Run with -benchtime=1x.
func BenchmarkVoicesMemory(b *testing.B) {
	for b.Loop() {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		v := &trend.Voices{}
		for day := range 2 {
			for k := range 1000 {
				key := "brand-" + strconv.Itoa(k)
				for i := range 2000 {
					v.Add(trend.Mention{
						Key: key, At: mt0.Add(time.Duration(day*24) * time.Hour),
						Author: "mastodon:user" + strconv.Itoa(i*7919%1000) + "@example.social", Followers: i,
						Sentiment: float64(i%3-1) * 0.5,
					})
				}
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		runtime.KeepAlive(v)
		b.ReportMetric(float64(ms.HeapAlloc-before)/(1<<20), "heap-MiB")
	}
}
