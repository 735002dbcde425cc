package linear

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuality measures the default configuration with stratified 5-fold
// cross-validation (seed 1) on TweetEval validation tweets and on the VADER
// ground-truth tweets, and trained on TweetEval, tested on the VADER tweets,
// and checks the calibration of the out-of-fold probabilities. Floors sit
// a little below the measured values.
func TestQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("quality evaluation skipped under -short")
	}
	te := tweetEval(t)
	vt := vaderTweets(t)

	start := time.Now()
	var sumP, sumY [10]float64 // calibration bins
	cv, err := crossValidate(te, Config{}, 5, 1, func(i int, p Probabilities) {
		for c, q := range [3]float64{p.Negative, p.Neutral, p.Positive} {
			b := min(int(q*10), 9)
			sumP[b] += q
			if c == int(te[i].Label)+1 {
				sumY[b]++
			}
		}
	})
	require.NoError(t, err)
	t.Logf("TweetEval val, 5-fold CV: %v (%v)", cv, time.Since(start))
	// The probabilities mean what they say on tweets the model did not
	// see: the class-wise expected calibration error over 10 bins is small.
	var ece float64
	for b := range sumP {
		ece += math.Abs(sumP[b]-sumY[b]) / float64(3*len(te))
	}
	t.Logf("class-wise ECE, out-of-fold: %.4f", ece)
	assert.Less(t, ece, 0.05)
	assert.GreaterOrEqual(t, cv.MacroRecall(), 0.65)
	assert.GreaterOrEqual(t, cv.Accuracy(), 0.66)

	m, err := Train(te, Config{})
	require.NoError(t, err)
	cross := Evaluate(m, vt)
	t.Logf("trained on TweetEval, tested on VADER tweets: %v", cross)
	assert.GreaterOrEqual(t, cross.MacroRecall(), 0.73)

	if raceEnabled {
		t.Log("VADER tweets cross-validation skipped under -race (slow, single goroutine)")
		return
	}
	cv, err = CrossValidate(vt, Config{}, 5, 1)
	require.NoError(t, err)
	t.Logf("VADER tweets, 5-fold CV: %v", cv)
	assert.GreaterOrEqual(t, cv.MacroRecall(), 0.73)
	assert.GreaterOrEqual(t, cv.Accuracy(), 0.85)
}

func TestFolds(t *testing.T) {
	ex := toy()
	folds, err := Folds(ex, 4, 3)
	require.NoError(t, err)
	seen := map[int]bool{}
	for _, f := range folds {
		var per [3]int
		for _, i := range f {
			require.False(t, seen[i], "example %d in two folds", i)
			seen[i] = true
			per[ex[i].Label+1]++
		}
		for _, n := range per {
			assert.InDelta(t, 2, n, 1, "stratified: each class about equally in each fold")
		}
	}
	assert.Len(t, seen, len(ex))
	again, err := Folds(ex, 4, 3)
	require.NoError(t, err)
	assert.Equal(t, folds, again)
	_, err = Folds(ex, 1, 0)
	assert.Error(t, err)

	var m Metrics
	m.Add(-1, -1)
	m.Add(-1, 0)
	m.Add(1, 1)
	m.Add(0, 1)
	assert.Equal(t, 4, m.N())
	assert.InDelta(t, 0.5, m.Accuracy(), 1e-12)
	assert.InDelta(t, (0.5+0+1)/3, m.MacroRecall(), 1e-12)
}
