package trend_test

import (
	"math/rand"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

// BenchmarkSpikeStep measures one bucket observation of one series.
func BenchmarkSpikeStep(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	vals := make([]float64, 4096)
	for i := range vals {
		vals[i] = daily(r, i, 40)
	}
	var s trend.Spike
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		s.Step(t0.Add(time.Duration(i)*5*time.Minute), vals[i&4095])
	}
	b.StopTimer()
	reportCPU(b, c0, b.N)
}

// BenchmarkSpikesObserve measures keyed event observations (100 keys,
// several events per bucket, buckets closing as time moves on).
func BenchmarkSpikesObserve(b *testing.B) {
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "brand" + strconv.Itoa(i)
	}
	var d trend.Spikes
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		d.Observe(keys[i%100], t0.Add(time.Duration(i)*time.Second/4), 1)
	}
	b.StopTimer()
	reportCPU(b, c0, b.N)
}

// BenchmarkSketchObserve measures trending-key updates over a large
// vocabulary (Zipf-distributed keys, time moving through a day).
func BenchmarkSketchObserve(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	z := rand.NewZipf(r, 1.1, 1, 1<<20-1)
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = "#t" + strconv.FormatUint(z.Uint64(), 10)
	}
	var s trend.Sketch
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		s.Observe(keys[i&(1<<16-1)], t0.Add(time.Duration(i)*time.Millisecond*8), 1)
	}
	b.StopTimer()
	reportCPU(b, c0, b.N)
}

// BenchmarkSketchTenMillion feeds 10 million posts over about a million
// distinct terms through a day and reports the heap the sketch retains
// (heap-MiB, measured with runtime.MemStats after a GC) and the peak heap
// sampled during the run (peak-heap-MiB). Run with -benchtime=1x.
func BenchmarkSketchTenMillion(b *testing.B) {
	const posts, vocab = 10_000_000, 1_000_000
	for n := 0; n < b.N; n++ {
		r := rand.New(rand.NewSource(int64(n)))
		z := rand.NewZipf(r, 1.2, 1, vocab-1)
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		peak := uint64(0)
		s := &trend.Sketch{}
		buf := make([]byte, 0, 16)
		b.ResetTimer()
		c0 := cpuTime()
		for i := 0; i < posts; i++ {
			var term uint64
			if i&1 == 0 {
				term = uint64(r.Intn(vocab)) // uniform half: every term appears
			} else {
				term = z.Uint64()
			}
			buf = strconv.AppendUint(append(buf[:0], '#', 't'), term, 10)
			s.Observe(string(buf), t0.Add(time.Duration(i)*8640*time.Microsecond), 1)
			if i%1_000_000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		b.StopTimer()
		reportCPU(b, c0, posts)
		top := s.Top(t0.Add(24*time.Hour), 10)
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
		b.ReportMetric(float64(ms.HeapAlloc-before)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(s.Distinct(), "distinct")
		b.ReportMetric(float64(posts)/b.Elapsed().Seconds(), "posts/s")
		runtime.KeepAlive(top)
	}
}

// BenchmarkShiftObserve measures one post fed to the sentiment-shift
// detector (100 keys).
func BenchmarkShiftObserve(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "brand" + strconv.Itoa(i)
	}
	scores := make([]float64, 4096)
	for i := range scores {
		scores[i] = post(r, 0.2)
	}
	var d trend.Shift
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		d.Observe(keys[i%100], t0.Add(time.Duration(i)*time.Second), scores[i&4095], "id", "text")
	}
	b.StopTimer()
	reportCPU(b, c0, b.N)
}
