package linear

import (
	"context"
	"testing"
	"time"
)

// tenThousand cycles the shared tweets (TweetEval and VADER) to 10,000
// examples.
func tenThousand(tb testing.TB) []Example {
	all := append(tweetEval(tb), vaderTweets(tb)...)
	out := make([]Example, 10_000)
	for i := range out {
		out[i] = all[i%len(all)]
	}
	return out
}

func BenchmarkTrain10k(b *testing.B) {
	ex := tenThousand(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := Train(ex, Config{}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/train")
	}
}

func BenchmarkScore(b *testing.B) {
	ex := tweetEval(b)
	m, err := Train(ex, Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Score(ctx, ex[i%len(ex)].Text); err != nil {
			b.Fatal(err)
		}
	}
}
