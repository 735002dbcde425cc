package linear

import (
	"context"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/vader"
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

// BenchmarkScore scores TweetEval tweets, one per op, with the default
// model and, for the cost ratio on the same machine and load, the
// rule-based scorers it builds on.
func BenchmarkScore(b *testing.B) {
	ex := tweetEval(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		s    sentiment.Scorer
	}{{"linear", Default()}, {"social", social.New()}, {"vader", vader.New()}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := bc.s.Score(ctx, ex[i%len(ex)].Text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNestedCV estimates, without bias from choosing hyperparameters
// on the test folds, the macro-recall of picking Rate and L2 by inner
// 3-fold CV on each outer training set (outer 5-fold, TweetEval). Run with
// -benchtime 1x; it reports the pooled outer metrics.
func BenchmarkNestedCV(b *testing.B) {
	te := tweetEval(b)
	grid := []Config{}
	for _, rate := range []float64{0.05, 0.1, 0.2} {
		for _, l2 := range []float64{3e-4, 1e-3, 3e-3} {
			grid = append(grid, Config{Rate: rate, L2: l2})
		}
	}
	for i := 0; i < b.N; i++ {
		folds, err := Folds(te, 5, 1)
		if err != nil {
			b.Fatal(err)
		}
		var outer Metrics
		for f := range folds {
			var train, test []Example
			for g, idx := range folds {
				for _, j := range idx {
					if g == f {
						test = append(test, te[j])
					} else {
						train = append(train, te[j])
					}
				}
			}
			best, bestScore := Config{}, -1.0
			for _, cfg := range grid {
				m, err := CrossValidate(train, cfg, 3, 2)
				if err != nil {
					b.Fatal(err)
				}
				if s := m.MacroRecall(); s > bestScore {
					best, bestScore = cfg, s
				}
			}
			m, err := Train(train, best)
			if err != nil {
				b.Fatal(err)
			}
			outer.Merge(Evaluate(m, test))
			b.Logf("fold %d: chose rate %v L2 %v (inner %.4f)", f+1, best.Rate, best.L2, bestScore)
		}
		b.ReportMetric(outer.MacroRecall(), "macro-recall")
		b.ReportMetric(outer.Accuracy(), "accuracy")
	}
}
