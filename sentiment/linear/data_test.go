package linear

import (
	"strconv"
	"strings"
	"testing"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment/linear/internal/textkey"
	"github.com/stretchr/testify/require"
)

// polarityNames maps the TweetEval label ids 0, 1, 2.
var polarityNames = []string{Negative, Neutral, Positive}

// parallel reads a TweetEval-style pair of files (one text per line, one
// label id per line) from the shared data, naming label i names[i],
// skipping the test when the data is absent.
func parallel(tb testing.TB, texts, labels string, names []string) []Example {
	tb.Helper()
	t := shared.Lines(tb, texts)
	l := shared.Lines(tb, labels)
	require.Equal(tb, len(t), len(l), "%s and %s", texts, labels)
	out := make([]Example, len(t))
	for i := range t {
		c, err := strconv.Atoi(strings.TrimSpace(l[i]))
		require.NoError(tb, err, "%s line %d", labels, i+1)
		require.True(tb, c >= 0 && c < len(names), "%s line %d: %d", labels, i+1, c)
		out[i] = Example{Text: t[i], Label: names[c]}
	}
	return out
}

// semEval reads the 47,387 SemEval 2013-2016 training tweets.
func semEval(tb testing.TB) []Example {
	tb.Helper()
	var out []Example
	for i, line := range shared.Lines(tb, "sentiment/semeval/train.tsv")[1:] {
		f := strings.SplitN(line, "\t", 4)
		require.Len(tb, f, 4, "semeval line %d", i+2)
		out = append(out, Example{Text: f[3], Label: f[2]})
	}
	return out
}

var emotionNames = []string{"anger", "joy", "optimism", "sadness"}

// emotion reads the TweetEval emotion split "train" or "val".
func emotion(tb testing.TB, split string) []Example {
	return parallel(tb, "sentiment/emotion/"+split+"_text.txt", "sentiment/emotion/"+split+"_labels.txt", emotionNames)
}

// complaints reads the complaints training tweets, labelled "complaint"
// or "not", with their domains.
func complaints(tb testing.TB) (ex []Example, domains []string) {
	tb.Helper()
	for i, line := range shared.Lines(tb, "sentiment/complaints/train.tsv")[1:] {
		f := strings.SplitN(line, "\t", 4)
		require.Len(tb, f, 4, "complaints line %d", i+2)
		l := "not"
		if f[1] == "1" {
			l = "complaint"
		}
		ex = append(ex, Example{Text: f[3], Label: l})
		domains = append(domains, f[2])
	}
	return ex, domains
}

// multilingual reads one language's split ("train" or "val") of the
// XLM-T tweets, by folder name ("german").
func multilingual(tb testing.TB, lang, split string) []Example {
	dir := "sentiment/multilingual/" + lang + "/" + split
	return parallel(tb, dir+"_text.txt", dir+"_labels.txt", polarityNames)
}

// hindiNoisy is the number of Hindi training tweets, at the start of the
// file, whose labels are noise (see the polarity-hi recipe of
// internal/pretrain).
const hindiNoisy = 1400

// usable returns the training tweets of the multilingual folder lang
// whose labels carry signal: for Hindi, those after the first hindiNoisy.
func usable(tb testing.TB, lang string) []Example {
	ex := multilingual(tb, lang, "train")
	if lang == "hindi" {
		ex = ex[hindiNoisy:]
	}
	return ex
}

// semEvalWithout returns the SemEval tweets that are not among the train
// and val tweets of the multilingual folder lang.
func semEvalWithout(tb testing.TB, lang string) []Example {
	tb.Helper()
	seen := map[string]bool{}
	for _, sp := range []string{"train", "val"} {
		for _, ex := range multilingual(tb, lang, sp) {
			if k := textkey.Key(ex.Text); len(k) >= textkey.MinLen {
				seen[k] = true
			}
		}
	}
	var out []Example
	for _, ex := range semEval(tb) {
		if !seen[textkey.Key(ex.Text)] {
			out = append(out, ex)
		}
	}
	return out
}
