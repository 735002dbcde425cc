package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/linear"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseLabels(t *testing.T) {
	N, Z, P := sentiment.Negative, sentiment.Neutral, sentiment.Positive
	cases := []struct {
		in   []string
		want []sentiment.Polarity
	}{
		{[]string{"neg", "Neutral", "POS", " positive "}, []sentiment.Polarity{N, Z, P, P}},
		{[]string{"-1", "0", "1"}, []sentiment.Polarity{N, Z, P}},
		{[]string{"0", "1", "2"}, []sentiment.Polarity{N, Z, P}},
		{[]string{"0", "1", "1"}, []sentiment.Polarity{N, P, P}},
		{[]string{"2.7", "-0.1", "0.2", "0.21", "-3.05"}, []sentiment.Polarity{P, Z, Z, P, N}},
	}
	for _, tc := range cases {
		got, err := ParseLabels(tc.in, 0.2)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range [][]string{nil, {"good"}, {"neg", "1"}, {"-1", "2"}, {"0", "1", "5"}, {"-1", "3"}, {"NaN"}, {"7"}} {
		_, err := ParseLabels(bad, 0.2)
		assert.Error(t, err, bad)
	}
}

func TestFromRows(t *testing.T) {
	rows := [][]string{
		{"id", "label", "text"},
		{"1", "pos", "great"},
		{"2", "neg", "awful"},
		{"3", "neu", "a bus"},
	}
	ex, err := fromRows(rows, 0, 0, 0.2)
	require.NoError(t, err)
	assert.Equal(t, []linear.Example{{Text: "great", Label: 1}, {Text: "awful", Label: -1}, {Text: "a bus", Label: 0}}, ex)

	// VADER layout: id, rating, text, no header.
	ex, err = fromRows([][]string{{"1", "2.5", "good"}, {"2", "-1.5", "bad"}, {"3", "0.1", "meh"}}, 0, 0, 0.2)
	require.NoError(t, err)
	assert.Equal(t, []sentiment.Polarity{1, -1, 0}, []sentiment.Polarity{ex[0].Label, ex[1].Label, ex[2].Label})

	_, err = fromRows([][]string{{"a", "b"}, {"c", "d"}}, 0, 0, 0.2)
	assert.ErrorContains(t, err, "labels")
}

func TestRun(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 2, run(nil, &out, &errb), "no file: usage")
	assert.Contains(t, errb.String(), "usage: train")

	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("text,label\n")
	for i := 0; i < 10; i++ {
		b.WriteString("\"I love it, great\",positive\nI hate it,negative\nthe bus is at noon,neutral\n")
	}
	in := filepath.Join(dir, "posts.csv")
	require.NoError(t, os.WriteFile(in, []byte(b.String()), 0o644))
	model := filepath.Join(dir, "m.bin")
	out.Reset()
	errb.Reset()
	require.Equal(t, 0, run([]string{"-k", "3", "-bits", "12", "-o", model, in}, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "30 examples: 10 negative, 10 neutral, 10 positive")
	assert.Contains(t, out.String(), "3-fold cross-validation: accuracy 1.0000, macro-recall 1.0000")
	f, err := os.Open(model)
	require.NoError(t, err)
	defer f.Close()
	m, err := linear.Load(f)
	require.NoError(t, err)
	assert.Equal(t, sentiment.Positive, m.Predict("love it"))
	assert.Equal(t, 4, m.Features().CharMax, "character n-grams on by default")

	// -chars -1 and -nb -1 turn character n-grams and the naive-Bayes
	// scaling off.
	plain := filepath.Join(dir, "plain.bin")
	require.Equal(t, 0, run([]string{"-k", "0", "-bits", "12", "-chars", "-1", "-nb", "-1", "-o", plain, in}, &out, &errb), errb.String())
	pb, err := os.ReadFile(plain)
	require.NoError(t, err)
	var pm linear.Model
	require.NoError(t, pm.UnmarshalBinary(pb))
	assert.True(t, pm.Features().NoChars)
	assert.Equal(t, sentiment.Negative, pm.Predict("hate it"))

	assert.Equal(t, 1, run([]string{filepath.Join(dir, "missing.tsv")}, &out, &errb))
}

func TestRunSharedData(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short")
	}
	// Smoke test on the TweetEval layout, when the shared data is present.
	dir := filepath.Join("..", "..", "..", "shared", "data", "sentiment", "tweeteval")
	if _, err := os.Stat(filepath.Join(dir, "val_text.txt")); err != nil {
		t.Skip("shared evaluation data not found: skipping")
	}
	var out, errb bytes.Buffer
	code := run([]string{"-k", "0", "-o", "", "-labels", filepath.Join(dir, "val_labels.txt"), filepath.Join(dir, "val_text.txt")}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Contains(t, out.String(), "2000 examples: 312 negative, 869 neutral, 819 positive")
}
