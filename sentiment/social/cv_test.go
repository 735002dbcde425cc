package social_test

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/social"
)

// TestCrossValidatedBand shows how DefaultNeutralBand was chosen: 5-fold
// cross-validation over both labelled sets, picking in each fold the band
// with the best mean macro-recall of the two sets' training parts and
// measuring it on the held-out parts. The default must be the median of
// the folds' choices, so it is not fitted to the whole of either file.
func TestCrossValidatedBand(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-validation: skipped with -short")
	}
	sets := [][]labelled{tweetEvalVal(t), vaderGroundTruth(t)}
	bands := []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0}
	// pred[b][s][i]: polarity of text i of set s with band b.
	pred := make([][][]sentiment.Polarity, len(bands))
	for b, band := range bands {
		sc := social.New(social.WithNeutralBand(band))
		pred[b] = make([][]sentiment.Polarity, len(sets))
		for s, data := range sets {
			pred[b][s] = make([]sentiment.Polarity, len(data))
			for i, d := range data {
				pred[b][s][i] = scoreOf(sc, d.text).Polarity()
			}
		}
	}
	const k = 5
	score := func(b, s, fold int, held bool) float64 {
		var gold, got []sentiment.Polarity
		for i, d := range sets[s] {
			if (i%k == fold) == held {
				gold = append(gold, d.gold)
				got = append(got, pred[b][s][i])
			}
		}
		r, _ := metrics(gold, got)
		return r
	}
	var chosen []float64
	held := make([]float64, len(sets))
	for fold := 0; fold < k; fold++ {
		best, bestScore := 0, -1.0
		for b := range bands {
			m := 0.0
			for s := range sets {
				m += score(b, s, fold, false) / float64(len(sets))
			}
			if m > bestScore {
				best, bestScore = b, m
			}
		}
		chosen = append(chosen, bands[best])
		for s := range sets {
			held[s] += score(best, s, fold, true) / k
		}
	}
	t.Logf("bands chosen per fold: %v; held-out macro-recall: TweetEval %.4f, VADER ground truth %.4f", chosen, held[0], held[1])
	sort.Float64s(chosen)
	assert.Equal(t, chosen[k/2], social.DefaultNeutralBand, "DefaultNeutralBand should be the median choice of the folds")
}
