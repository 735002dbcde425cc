package govaderbench

import (
	"context"
	"testing"

	"github.com/jonreiter/govader"

	"github.com/earshot-dev/earshot/sentiment/vader"
)

// BenchmarkTweets scores the 4,200 ground-truth tweets with
// sentiment/vader, one per op; BenchmarkGovader scores the same tweets
// with govader. Both report CPU time per op (cpu-ns/op).
func BenchmarkTweets(b *testing.B) {
	_, texts := tweets(b)
	s := vader.New()
	ctx := context.Background()
	perOp(b, func(i int) { _, _ = s.Score(ctx, texts[i%len(texts)]) })
}

func BenchmarkGovader(b *testing.B) {
	_, texts := tweets(b)
	g := govader.NewSentimentIntensityAnalyzer()
	perOp(b, func(i int) { _ = g.PolarityScores(texts[i%len(texts)]) })
}

// BenchmarkTweetsParallel and BenchmarkGovaderParallel measure throughput
// with every core busy, where allocation and garbage collection cost more.
func BenchmarkTweetsParallel(b *testing.B) {
	_, texts := tweets(b)
	s := vader.New()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			_, _ = s.Score(ctx, texts[i%len(texts)])
		}
	})
}

func BenchmarkGovaderParallel(b *testing.B) {
	_, texts := tweets(b)
	g := govader.NewSentimentIntensityAnalyzer()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			_ = g.PolarityScores(texts[i%len(texts)])
		}
	})
}

func perOp(b *testing.B, op func(i int)) {
	b.ReportAllocs()
	start, n := cpuTime(), 0
	for b.Loop() {
		op(n)
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
}
