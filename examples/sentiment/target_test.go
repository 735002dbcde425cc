package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

func TestModelAndTargetFlags(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parseFlags([]string{"-model", "m.bin", "-target", "acme,@acmehelp"}, &stderr)
	require.NoError(t, err)
	assert.Equal(t, options{Scorer: "linear", Model: "m.bin", Target: "acme,@acmehelp"}, o)

	_, err = parseFlags([]string{"-scorer", "social", "-model", "m.bin"}, &stderr)
	assert.ErrorContains(t, err, "-model needs -scorer linear")

	_, err = newScorer(options{Scorer: "linear", Model: filepath.Join(t.TempDir(), "missing")})
	assert.ErrorContains(t, err, "-model")

	// A model file written as examples/train does.
	m, err := linear.Train([]linear.Example{
		{Text: "love it, great", Label: sentiment.Positive}, {Text: "awful, hate it", Label: sentiment.Negative},
		{Text: "the bus at noon", Label: sentiment.Neutral},
	}, linear.Config{Features: linear.Features{Bits: 12}})
	require.NoError(t, err)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.bin")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	s, err := newScorer(options{Scorer: "linear", Model: path})
	require.NoError(t, err)
	sc, err := s.Score(context.Background(), "love it")
	require.NoError(t, err)
	assert.Equal(t, sentiment.Positive, sc.Polarity())

	require.NoError(t, os.WriteFile(path, b[:len(b)/2], 0o644))
	_, err = newScorer(options{Scorer: "linear", Model: path})
	assert.ErrorIs(t, err, linear.ErrCorrupt)
}

func TestRunTarget(t *testing.T) {
	s, err := newScorer(options{Scorer: "social"})
	require.NoError(t, err)
	s = withTarget(s, options{Target: "acme,@acmehelp"})
	in := "love my new phone but @acme support is awful\nnothing to see here\nthanks @AcmeHelp, sorted fast!\n"
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), s, strings.NewReader(in), &out))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 3)
	assert.Contains(t, lines[0], `"compound":-`, "negative towards acme")
	assert.Equal(t, `{"text":"nothing to see here","absent":true}`, lines[1])
	assert.NotContains(t, lines[2], `"compound":-`)
	assert.NotContains(t, lines[2], "absent")
}
