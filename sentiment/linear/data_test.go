package linear

import (
	"strconv"
	"strings"
	"testing"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/stretchr/testify/require"
)

// tweetEval reads the TweetEval validation split (labels 0 negative,
// 1 neutral, 2 positive), skipping the test when the data is absent.
func tweetEval(tb testing.TB) []Example {
	tb.Helper()
	texts := shared.Lines(tb, "sentiment/tweeteval/val_text.txt")
	labels := shared.Lines(tb, "sentiment/tweeteval/val_labels.txt")
	require.Equal(tb, len(texts), len(labels), "TweetEval texts and labels")
	out := make([]Example, len(texts))
	for i := range texts {
		l, err := strconv.Atoi(strings.TrimSpace(labels[i]))
		require.NoError(tb, err, "label line %d", i+1)
		out[i] = Example{Text: texts[i], Label: sentiment.Polarity(l - 1)}
	}
	return out
}

// vaderTweets reads the 4,200 VADER ground-truth tweets with 3 classes at
// a mean rating of +-0.2 (positive above +0.2, negative below -0.2).
func vaderTweets(tb testing.TB) []Example {
	tb.Helper()
	var out []Example
	for i, line := range shared.Lines(tb, "sentiment/vader_tweets_groundtruth.tsv") {
		f := strings.SplitN(line, "\t", 3)
		require.Len(tb, f, 3, "line %d", i+1)
		r, err := strconv.ParseFloat(f[1], 64)
		require.NoError(tb, err, "line %d", i+1)
		out = append(out, Example{Text: f[2], Label: ratingLabel(r)})
	}
	return out
}

func ratingLabel(r float64) sentiment.Polarity {
	switch {
	case r > 0.2:
		return sentiment.Positive
	case r < -0.2:
		return sentiment.Negative
	}
	return sentiment.Neutral
}
