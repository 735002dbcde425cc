//go:build go1.24

package trend_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

// BenchmarkVoicesAdd measures one mention added to [trend.Voices], with
// the load of BenchmarkMetricsAdd.
func BenchmarkVoicesAdd(b *testing.B) {
	var v trend.Voices
	benchAdd(b, v.Add)
}

// BenchmarkVoicesMemory reports the heap of a Voices holding 1,000 keys,
// each with a day of 2,000 mentions by 1,000 authors (full summaries) and
// the report of the day before. Run with -benchtime=1x.
func BenchmarkVoicesMemory(b *testing.B) {
	for b.Loop() {
		b.ReportMetric(heapMiB(func() any {
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
			return v
		}), "heap-MiB")
	}
}

// BenchmarkReasonsAdd measures one tweet-sized mention added to
// [trend.Reasons] (10 keys, words from a vocabulary of 5,000).
func BenchmarkReasonsAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	words := rand.NewZipf(r, 1.1, 1, 4999)
	const n = 1 << 12
	ms := make([]trend.Mention, n)
	for i := range ms {
		text := "@brand" + strconv.Itoa(i%10)
		for range 14 {
			text += " w" + strconv.FormatUint(words.Uint64(), 10)
		}
		ms[i] = trend.Mention{Key: "brand" + strconv.Itoa(i%10), Text: text, Source: "bluesky", Author: "user" + strconv.Itoa(r.IntN(1000))}
	}
	var rs trend.Reasons
	i := 0
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		x := &ms[i&(n-1)]
		x.At = mt0.Add(time.Duration(i) * time.Second)
		rs.Add(*x)
		i++
	}
	reportCPU(b, c0, i)
}

// BenchmarkReasonsMemory reports the heap of a Reasons holding 1,000
// keys, each with a day of posts (a post every two minutes). Run with
// -benchtime=1x.
func BenchmarkReasonsMemory(b *testing.B) {
	for b.Loop() {
		b.ReportMetric(heapMiB(func() any {
			rs := &trend.Reasons{}
			for i := range 720 {
				at := mt0.Add(time.Duration(i) * 2 * time.Minute)
				for k := range 1000 {
					rs.Add(trend.Mention{Key: "brand-" + strconv.Itoa(k), At: at, Author: "user" + strconv.Itoa(i%300),
						Text: "word" + strconv.Itoa(i%97) + " other" + strconv.Itoa(i%31) + " again" + strconv.Itoa(i%7)})
				}
			}
			return rs
		}), "heap-MiB")
	}
}
