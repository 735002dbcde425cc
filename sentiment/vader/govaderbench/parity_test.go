package govaderbench

import (
	"math"
	"testing"

	"github.com/jonreiter/govader"

	"github.com/earshot-dev/earshot/sentiment/vader"
)

// TestParity counts, for both ports, the ground-truth tweets whose
// compound differs from vaderSentiment 3.3.2's by more than 0.001.
// sentiment/vader must match all of them (its own tests check more); the
// figures for govader are logged for BENCHMARKS.md.
func TestParity(t *testing.T) {
	ids, texts := tweets(t)
	ref := reference(t, "sentiment/reference/vader_tweets.tsv")
	g := govader.NewSentimentIntensityAnalyzer()
	v := vader.New()
	var vaderMiss, govaderMiss int
	var govaderMax float64
	for i, text := range texts {
		want, ok := ref[ids[i]]
		if !ok {
			t.Fatalf("no reference for id %d", ids[i])
		}
		got, _ := v.Score(t.Context(), text)
		if math.Abs(got.Compound-want.Compound) > 0.001 {
			vaderMiss++
		}
		gs := g.PolarityScores(text)
		gd := math.Abs(gs.Compound - want.Compound)
		if gd > 0.001 {
			govaderMiss++
		}
		govaderMax = math.Max(govaderMax, gd)
	}
	n := float64(len(texts))
	t.Logf("%d tweets: compound off by more than 0.001: sentiment/vader %d (%.2f%%), govader %d (%.2f%%, by up to %.4f)",
		len(texts), vaderMiss, 100*float64(vaderMiss)/n, govaderMiss, 100*float64(govaderMiss)/n, govaderMax)
	if vaderMiss > 0 {
		t.Errorf("sentiment/vader differs from the reference on %d tweets", vaderMiss)
	}
}
