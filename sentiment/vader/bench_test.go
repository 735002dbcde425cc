package vader_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/sentiment/vader"
)

// benchTexts returns the 4,200 ground-truth tweets.
func benchTexts(b *testing.B) []string {
	b.Helper()
	var texts []string
	for _, g := range readGroundTruth(b) {
		texts = append(texts, g.text)
	}
	return texts
}

// cpuTime returns the process's user+system CPU time. The benchmarks
// report it per op as cpu-ns/op, which, unlike ns/op, does not grow when
// other processes compete for the machine's cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	if d := cpuTime() - start; d > 0 && b.N > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkTweets scores the 4,200 ground-truth tweets, one per op. The
// comparison with govader, in the same run, is in the separate module
// ./govaderbench, which keeps govader out of this module's requirements.
func BenchmarkTweets(b *testing.B) {
	texts := benchTexts(b)
	s := vader.New()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		_, _ = s.Score(ctx, texts[i%len(texts)])
	}
	reportCPU(b, start)
}

func BenchmarkTypical(b *testing.B) {
	s := vader.New()
	ctx := context.Background()
	for _, bc := range []struct{ name, text string }{
		{"ascii", "The new update is SO good, but the battery life is kind of terrible!! Not happy :( @acme"},
		{"emoji", "Loving the new phone 😍😍 but support is a joke 🙄 #fail"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				_, _ = s.Score(ctx, bc.text)
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkNew measures building a Scorer (the default lexicon is decoded
// once per process; see BenchmarkNewCold for that cost).
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = vader.New()
	}
}

// BenchmarkNewWithTerms builds a Scorer with domain terms and a phrase.
func BenchmarkNewWithTerms(b *testing.B) {
	terms := map[string]float64{"price hike": -2.1, "fire": 2, "mid": -1}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = vader.New(vader.WithTerms(terms))
	}
}

// BenchmarkNewCold measures the first New of a process: decoding the
// embedded lexicon, then building (the emoji descriptions
// are decoded later, on first use: see BenchmarkEmojiCold).
func BenchmarkNewCold(b *testing.B) {
	b.ReportAllocs()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		vader.LoadBaseForBench()
		_ = vader.New()
	}
	reportCPU(b, start)
}

// BenchmarkEmojiCold measures decoding the emoji descriptions, which the
// first text with a non-ASCII character in a process pays (New does not).
func BenchmarkEmojiCold(b *testing.B) {
	b.ReportAllocs()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		vader.LoadEmojiForBench()
	}
	reportCPU(b, start)
}

// BenchmarkTweetsParallel measures throughput with every core busy
// (b.RunParallel), where allocation and garbage collection cost more.
func BenchmarkTweetsParallel(b *testing.B) {
	texts := benchTexts(b)
	s := vader.New()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			_, _ = s.Score(ctx, texts[i%len(texts)])
		}
	})
}
