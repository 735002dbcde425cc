//go:build go1.24

package linear

import (
	"context"
	"testing"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

// BenchmarkTrain trains the default configuration on 10,000 SemEval tweets.
func BenchmarkTrain(b *testing.B) {
	ex := semEval(b)[:10_000]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Train(ex, Config{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScore scores TweetEval tweets, one per op, with a model of the
// default configuration trained on SemEval and, for the cost ratio on the
// same machine and load, the rule-based scorers it builds on.
func BenchmarkScore(b *testing.B) {
	ex := tweetEval(b)
	m, err := Train(semEval(b), Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		s    sentiment.Scorer
	}{{"linear", m}, {"social", social.New()}, {"vader", vader.New()}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			cpu := startCPU()
			for b.Loop() {
				if _, err := bc.s.Score(ctx, ex[i%len(ex)].Text); err != nil {
					b.Fatal(err)
				}
				i++
			}
			cpu.report(b, i)
		})
	}
}
