package vader_test

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

// refScore is one row of a reference file: vaderSentiment 3.3.2's output.
type refScore struct {
	id   int
	text string
	want sentiment.Score
}

// readReference reads "id compound neg neu pos" rows.
func readReference(t testing.TB, rel string) map[int]sentiment.Score {
	t.Helper()
	out := map[int]sentiment.Score{}
	for i, line := range shared.Lines(t, rel) {
		if i == 0 {
			continue
		}
		f := strings.Split(line, "\t")
		require.Len(t, f, 5, "line %d", i+1)
		id, err := strconv.Atoi(f[0])
		require.NoError(t, err)
		var v [4]float64
		for j := range v {
			v[j], err = strconv.ParseFloat(f[j+1], 64)
			require.NoError(t, err)
		}
		out[id] = sentiment.Score{Compound: v[0], Negative: v[1], Neutral: v[2], Positive: v[3]}
	}
	return out
}

// groundTruth is a tweet of vader_tweets_groundtruth.tsv.
type groundTruth struct {
	id   int
	mean float64
	text string
}

func readGroundTruth(t testing.TB) []groundTruth {
	t.Helper()
	var out []groundTruth
	for i, line := range shared.Lines(t, "sentiment/vader_tweets_groundtruth.tsv") {
		f := strings.SplitN(line, "\t", 3)
		require.Len(t, f, 3, "line %d", i+1)
		id, err := strconv.Atoi(f[0])
		require.NoError(t, err)
		m, err := strconv.ParseFloat(f[1], 64)
		require.NoError(t, err)
		out = append(out, groundTruth{id, m, f[2]})
	}
	return out
}

// tweetEval returns the TweetEval validation texts and labels (0 negative,
// 1 neutral, 2 positive).
func tweetEval(t testing.TB) ([]string, []int) {
	t.Helper()
	texts := shared.Lines(t, "sentiment/tweeteval/val_text.txt")
	var labels []int
	for _, l := range shared.Lines(t, "sentiment/tweeteval/val_labels.txt") {
		n, err := strconv.Atoi(strings.TrimSpace(l))
		require.NoError(t, err)
		labels = append(labels, n)
	}
	require.Equal(t, len(texts), len(labels))
	return texts, labels
}

func vaderRefs(t testing.TB) []refScore {
	ref := readReference(t, "sentiment/reference/vader_tweets.tsv")
	var out []refScore
	for _, g := range readGroundTruth(t) {
		want, ok := ref[g.id]
		require.True(t, ok, "no reference for id %d", g.id)
		out = append(out, refScore{g.id, g.text, want})
	}
	return out
}

func tweetEvalRefs(t testing.TB) []refScore {
	ref := readReference(t, "sentiment/reference/tweeteval_val.tsv")
	texts, _ := tweetEval(t)
	var out []refScore
	for i, text := range texts {
		want, ok := ref[i+1] // ids are 1-based line numbers
		require.True(t, ok, "no reference for line %d", i+1)
		out = append(out, refScore{i + 1, text, want})
	}
	return out
}

// TestTweetEvalNumbering checks that the reference's ids are 1-based line
// numbers: read as 0-based, few scores would match.
func TestTweetEvalNumbering(t *testing.T) {
	ref := readReference(t, "sentiment/reference/tweeteval_val.tsv")
	texts, _ := tweetEval(t)
	s := vader.New()
	oneBased, zeroBased := 0, 0
	for i, text := range texts {
		got := scoreOf(s, text)
		if got == ref[i+1] {
			oneBased++
		}
		if want, ok := ref[i]; ok && got == want {
			zeroBased++
		}
	}
	t.Logf("exact matches: ids as 1-based line numbers %d, as 0-based %d (of %d)", oneBased, zeroBased, len(texts))
	require.Greater(t, oneBased, 10*zeroBased)
}

func TestParity(t *testing.T) {
	s := vader.New()
	for _, set := range []struct {
		name string
		rows func(testing.TB) []refScore
	}{
		{"vader_tweets", vaderRefs},
		{"tweeteval_val", tweetEvalRefs},
	} {
		t.Run(set.name, func(t *testing.T) {
			rows := set.rows(t)
			require.NotEmpty(t, rows)
			type miss struct {
				r    refScore
				got  sentiment.Score
				diff float64
			}
			var misses, partMisses []miss
			exact, maxDiff := 0, 0.0
			for _, r := range rows {
				got := scoreOf(s, r.text)
				if got == r.want {
					exact++
				}
				d := math.Abs(got.Compound - r.want.Compound)
				maxDiff = math.Max(maxDiff, d)
				if d > 0.001 {
					misses = append(misses, miss{r, got, d})
				}
				pd := math.Max(math.Abs(got.Positive-r.want.Positive),
					math.Max(math.Abs(got.Neutral-r.want.Neutral), math.Abs(got.Negative-r.want.Negative)))
				if pd > 0.001 {
					partMisses = append(partMisses, miss{r, got, pd})
				}
			}
			sort.Slice(misses, func(i, j int) bool { return misses[i].diff > misses[j].diff })
			sort.Slice(partMisses, func(i, j int) bool { return partMisses[i].diff > partMisses[j].diff })
			n := float64(len(rows))
			t.Logf("%s: %d texts, compound within 0.001: %.2f%% (%d mismatches); pos/neu/neg within 0.001: %.2f%% (%d mismatches)",
				set.name, len(rows), 100*(n-float64(len(misses)))/n, len(misses),
				100*(n-float64(len(partMisses)))/n, len(partMisses))
			t.Logf("%s: all four figures identical on %d of %d texts; largest compound difference %.4f", set.name, exact, len(rows), maxDiff)
			for i, m := range misses {
				if i == 5 {
					break
				}
				t.Logf("worst compound diff %.4f id %d: got %+v want %+v text %q", m.diff, m.r.id, m.got, m.r.want, m.r.text)
			}
			for i, m := range partMisses {
				if i == 3 {
					break
				}
				t.Logf("worst pos/neu/neg diff %.3f id %d: got %+v want %+v text %q", m.diff, m.r.id, m.got, m.r.want, m.r.text)
			}
			require.GreaterOrEqual(t, (n-float64(len(misses)))/n, 0.999, "compound parity")
			require.GreaterOrEqual(t, (n-float64(len(partMisses)))/n, 0.999, "pos/neu/neg parity")
		})
	}
}

// scoreOf returns s's score of text (Score never fails).
func scoreOf(s *vader.Scorer, text string) sentiment.Score {
	sc, _ := s.Score(context.Background(), text)
	return sc
}
