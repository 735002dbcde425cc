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
// the same machine and load, the rule-based scorers; the French and Hindi
// models score their own language's validation tweets. It reports CPU
// time per text (cpu-ns/op) beside wall time.
func BenchmarkScore(b *testing.B) {
	en := shared.Lines(b, "sentiment/tweeteval/val_text.txt")
	fr := shared.Lines(b, "sentiment/multilingual/french/val_text.txt")
	hi := shared.Lines(b, "sentiment/multilingual/hindi/val_text.txt")
	ctx := context.Background()
	model := func(lang string) sentiment.Scorer { m, _ := For(lang); return m }
	for _, bc := range []struct {
		name  string
		s     sentiment.Scorer
		texts []string
	}{
		{"polarity-en", English(), en}, {"polarity-de", model("de"), en}, {"polarity-fr", model("fr"), fr},
		{"polarity-hi", model("hi"), hi}, {"polarity-multi", Multilingual(), en},
		{"emotion", classifier{emotion.Model()}, en}, {"complaint", classifier{complaint.Model()}, en},
		{"social", social.New(), en}, {"vader", vader.New(), en},
	} {
		bc.s.Score(ctx, "warm up: decode the model")
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			cpu := startCPU()
			for b.Loop() {
				if _, err := bc.s.Score(ctx, bc.texts[i%len(bc.texts)]); err != nil {
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
