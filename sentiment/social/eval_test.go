package social_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment"
)

// labelled is a text with a 3-class gold label.
type labelled struct {
	text string
	gold sentiment.Polarity
}

// tweetEvalVal is the TweetEval sentiment validation split (labels 0
// negative, 1 neutral, 2 positive).
func tweetEvalVal(t testing.TB) []labelled {
	texts := shared.Lines(t, "sentiment/tweeteval/val_text.txt")
	labels := shared.Lines(t, "sentiment/tweeteval/val_labels.txt")
	require.Equal(t, len(texts), len(labels))
	out := make([]labelled, len(texts))
	for i := range texts {
		n, err := strconv.Atoi(strings.TrimSpace(labels[i]))
		require.NoError(t, err)
		out[i] = labelled{texts[i], sentiment.Polarity(n - 1)}
	}
	return out
}

// vaderGroundTruth is the 4,200 tweets with mean human ratings, labelled
// positive above +0.2, negative below -0.2 and neutral in between.
func vaderGroundTruth(t testing.TB) []labelled {
	var out []labelled
	for _, line := range shared.Lines(t, "sentiment/vader_tweets_groundtruth.tsv") {
		f := strings.SplitN(line, "\t", 3)
		require.Len(t, f, 3)
		m, err := strconv.ParseFloat(f[1], 64)
		require.NoError(t, err)
		g := sentiment.Neutral
		switch {
		case m > 0.2:
			g = sentiment.Positive
		case m < -0.2:
			g = sentiment.Negative
		}
		out = append(out, labelled{f[2], g})
	}
	return out
}

// metrics returns macro-averaged recall and accuracy of predictions.
func metrics(gold, pred []sentiment.Polarity) (macroRecall, accuracy float64) {
	var n, hit [3]int
	correct := 0
	for i := range gold {
		g := int(gold[i]) + 1
		n[g]++
		if pred[i] == gold[i] {
			hit[g]++
			correct++
		}
	}
	classes := 0
	for c := range n {
		if n[c] > 0 {
			macroRecall += float64(hit[c]) / float64(n[c])
			classes++
		}
	}
	return macroRecall / float64(classes), float64(correct) / float64(len(gold))
}

func evaluate(s sentiment.Scorer, data []labelled) (float64, float64) {
	gold := make([]sentiment.Polarity, len(data))
	pred := make([]sentiment.Polarity, len(data))
	for i, d := range data {
		gold[i] = d.gold
		pred[i] = scoreOf(s, d.text).Polarity()
	}
	return metrics(gold, pred)
}

// scoreOf returns s's score of text (a local scorer, which never fails).
func scoreOf(s sentiment.Scorer, text string) sentiment.Score {
	sc, err := s.Score(context.Background(), text)
	if err != nil {
		panic(err)
	}
	return sc
}
