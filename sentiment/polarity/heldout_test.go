package polarity

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

var names = []string{linear.Negative, linear.Neutral, linear.Positive}

// split reads a TweetEval-style pair of files.
func split(t *testing.T, prefix string) []linear.Example {
	texts := shared.Lines(t, prefix+"_text.txt")
	labels := shared.Lines(t, prefix+"_labels.txt")
	require.Equal(t, len(texts), len(labels))
	out := make([]linear.Example, len(texts))
	for i := range texts {
		c, err := strconv.Atoi(strings.TrimSpace(labels[i]))
		require.NoError(t, err)
		out[i] = linear.Example{Text: texts[i], Label: names[c]}
	}
	return out
}

// TestHeldOut scores the shipped models on validation splits they never
// saw and that took no part in choosing their settings: the TweetEval
// sentiment validation tweets (macro-recall, the TweetEval metric) and
// each language's validation tweets (macro-F1, the XLM-T metric). The
// floors sit a little below the measured figures.
func TestHeldOut(t *testing.T) {
	if testing.Short() {
		t.Skip("quality evaluation skipped under -short")
	}
	mt, err := linear.Evaluate(English(), split(t, "sentiment/tweeteval/val"))
	require.NoError(t, err)
	t.Logf("en, TweetEval val: %v", mt)
	assert.GreaterOrEqual(t, mt.MacroRecall(), floors["en"])
	// The 4,200 VADER ground-truth tweets (another collection), 3 classes
	// at a mean human rating of +-0.2.
	var vt []linear.Example
	for _, line := range shared.Lines(t, "sentiment/vader_tweets_groundtruth.tsv") {
		f := strings.SplitN(line, "\t", 3)
		require.Len(t, f, 3)
		r, err := strconv.ParseFloat(f[1], 64)
		require.NoError(t, err)
		l := linear.Neutral
		if r > 0.2 {
			l = linear.Positive
		} else if r < -0.2 {
			l = linear.Negative
		}
		vt = append(vt, linear.Example{Text: f[2], Label: l})
	}
	mt, err = linear.Evaluate(English(), vt)
	require.NoError(t, err)
	t.Logf("en, VADER ground-truth tweets: %v", mt)
	assert.GreaterOrEqual(t, mt.MacroRecall(), 0.70)

	folders := map[string]string{"ar": "arabic", "de": "german", "es": "spanish", "fr": "french", "hi": "hindi", "it": "italian", "pt": "portuguese"}
	var mean float64
	for _, code := range []string{"ar", "de", "es", "fr", "hi", "it", "pt"} {
		m, _ := For(code)
		mt, err := linear.Evaluate(m, split(t, "sentiment/multilingual/"+folders[code]+"/val"))
		require.NoError(t, err)
		mean += mt.MacroF1() / 7
		t.Logf("%s val: %v", code, mt)
		assert.GreaterOrEqual(t, mt.MacroF1(), floors[code], code)
	}
	t.Logf("mean macro-F1 of the seven: %.4f", mean)
}

// floors are a little below the figures measured once, at the end of the
// work (TweetEval macro-recall 0.702; macro-F1 ar 0.615, de 0.663,
// es 0.602, fr 0.616, hi 0.331, it 0.609, pt 0.609). The Hindi
// validation labels are close to noise (see BENCHMARKS.md): its floor
// only catches a broken model.
var floors = map[string]float64{"en": 0.68, "ar": 0.58, "de": 0.63, "es": 0.57, "fr": 0.58, "hi": 0.29, "it": 0.58, "pt": 0.58}
