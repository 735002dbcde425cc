package linear

import (
	"context"
	"fmt"
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

// BenchmarkCV reports stratified k-fold cross-validated macro-recall and
// accuracy on TweetEval with the default Config, averaged over fold seeds
// 1-5, for 5 and 10 folds. Run with -benchtime 1x.
func BenchmarkCV(b *testing.B) {
	te := tweetEval(b)
	for _, k := range []int{5, 10} {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var mr, acc float64
				for seed := uint64(1); seed <= 5; seed++ {
					m, err := CrossValidate(te, Config{}, k, seed)
					if err != nil {
						b.Fatal(err)
					}
					b.Logf("seed %d: %v", seed, m)
					mr += m.MacroRecall()
					acc += m.Accuracy()
				}
				b.ReportMetric(mr/5, "macro-recall")
				b.ReportMetric(acc/5, "accuracy")
			}
		})
	}
}

// BenchmarkNestedCV estimates, without bias from choosing hyperparameters
// on the test folds, the macro-recall of picking the settings by inner
// CV on each outer training set (outer 5-fold, TweetEval, fold
// seeds 1-3; inner 5-fold): character n-grams on or off, naive-Bayes scaling off or
// with smoothing 1 or 2, L2 1e-3 or 3e-3. Run with -benchtime 1x; it
// reports the outer metrics averaged over the seeds and logs how often each
// setting was chosen.
func BenchmarkNestedCV(b *testing.B) {
	te := tweetEval(b)
	grid := []Config{}
	for _, noChars := range []bool{true, false} {
		for _, nb := range []float64{-1, 1, 2} {
			for _, l2 := range []float64{1e-3, 3e-3} {
				grid = append(grid, Config{Features: Features{NoChars: noChars}, NaiveBayes: nb, L2: l2})
			}
		}
	}
	const seeds = 3
	for i := 0; i < b.N; i++ {
		var mr, acc float64
		chosen := map[string]int{}
		for seed := uint64(1); seed <= seeds; seed++ {
			folds, err := Folds(te, 5, seed)
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
					m, err := CrossValidate(train, cfg, 5, seed+100)
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
				chosen[fmt.Sprintf("chars %v, naive Bayes %v, L2 %v", !best.Features.NoChars, best.NaiveBayes, best.L2)]++
			}
			b.Logf("seed %d: %v", seed, outer)
			mr += outer.MacroRecall()
			acc += outer.Accuracy()
		}
		b.Logf("chosen: %v", chosen)
		b.ReportMetric(mr/seeds, "macro-recall")
		b.ReportMetric(acc/seeds, "accuracy")
	}
}
