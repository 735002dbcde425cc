//go:build go1.24

package polarity

import (
	"context"
	"testing"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/complaint"
	"github.com/earshot-dev/earshot/sentiment/emotion"
	"github.com/earshot-dev/earshot/sentiment/linear"
	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

// BenchmarkScore scores the TweetEval validation tweets (as timing input
// only), one per op, with each shipped model and, for the cost ratio on
// the same machine and load, the rule-based scorers. It reports CPU time
// per text (cpu-ns/op) beside wall time.
func BenchmarkScore(b *testing.B) {
	texts := shared.Lines(b, "sentiment/tweeteval/val_text.txt")
	ctx := context.Background()
	de, _ := For("de")
	for _, bc := range []struct {
		name string
		s    sentiment.Scorer
	}{
		{"polarity-en", English()}, {"polarity-de", de}, {"polarity-multi", Multilingual()},
		{"emotion", classifier{emotion.Model()}}, {"complaint", classifier{complaint.Model()}},
		{"social", social.New()}, {"vader", vader.New()},
	} {
		bc.s.Score(ctx, "warm up: decode the model")
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			cpu := startCPU()
			for b.Loop() {
				if _, err := bc.s.Score(ctx, texts[i%len(texts)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			cpu.report(b, i)
		})
	}
}

// classifier times Predict as a Score.
type classifier struct{ m *linear.Model }

func (c classifier) Score(_ context.Context, text string) (sentiment.Score, error) {
	_, p := c.m.Predict(text)
	return sentiment.Score{Compound: p}, nil
}
