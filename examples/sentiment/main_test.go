package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

func TestRun(t *testing.T) {
	in := "The book was good.\r\n\nnot bad at all 😍\n#NotHappy &amp; \xff broken\nno newline at the end"
	texts := []string{"The book was good.", "", "not bad at all 😍", "#NotHappy &amp; \xff broken", "no newline at the end"}
	for _, name := range scorerNames {
		t.Run(name, func(t *testing.T) {
			s, err := newScorer(options{Scorer: name})
			require.NoError(t, err)
			var out bytes.Buffer
			require.NoError(t, run(context.Background(), s, strings.NewReader(in), &out))
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			require.Len(t, lines, len(texts))
			for i, l := range lines {
				var got struct {
					Text     string   `json:"text"`
					Compound *float64 `json:"compound"`
					Pos      *float64 `json:"pos"`
					Neu      *float64 `json:"neu"`
					Neg      *float64 `json:"neg"`
				}
				require.NoError(t, json.Unmarshal([]byte(l), &got), l)
				require.NotNil(t, got.Compound, l)
				require.NotNil(t, got.Pos, l)
				require.NotNil(t, got.Neu, l)
				require.NotNil(t, got.Neg, l)
				want, _ := s.Score(context.Background(), texts[i])
				assert.Equal(t, want, sentiment.Score{Compound: *got.Compound, Positive: *got.Pos, Neutral: *got.Neu, Negative: *got.Neg}, l)
				assert.Equal(t, strings.ToValidUTF8(texts[i], "\uFFFD"), got.Text)
			}
		})
	}
}

func TestRunLongLine(t *testing.T) {
	long := strings.Repeat("good ", 1<<18) // 1.25 MB on one line
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), vader.New(), strings.NewReader(long+"\nbad\n"), &out))
	assert.Equal(t, 2, strings.Count(out.String(), "\n"))
}

func TestRunErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, run(ctx, vader.New(), strings.NewReader("x\n"), io.Discard), context.Canceled)

	failing := sentiment.ScorerFunc(func(context.Context, string) (sentiment.Score, error) {
		return sentiment.Score{}, errors.New("remote down")
	})
	assert.ErrorContains(t, run(context.Background(), failing, strings.NewReader("x\n"), io.Discard), "sentiment: score: remote down")
	assert.ErrorContains(t, run(context.Background(), vader.New(), iotestErr{}, io.Discard), "sentiment: read: ")
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestFlags(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "vader", o.Scorer)
	o, err = parseFlags([]string{"-scorer", "social"}, io.Discard)
	require.NoError(t, err)
	s, err := newScorer(o)
	require.NoError(t, err)
	assert.IsType(t, &social.Scorer{}, s)
	_, err = newScorer(options{Scorer: "bert"})
	assert.ErrorContains(t, err, `unknown scorer "bert"`)
	_, err = parseFlags([]string{"-nope"}, io.Discard)
	assert.Error(t, err)
	_, err = parseFlags([]string{"some text"}, io.Discard)
	assert.ErrorContains(t, err, "standard input")
}

func Example() {
	s, _ := newScorer(options{Scorer: "vader"})
	in := strings.NewReader("The book was good.\nToday SUX!\n")
	if err := run(context.Background(), s, in, os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// {"text":"The book was good.","compound":0.4404,"pos":0.492,"neu":0.508,"neg":0}
	// {"text":"Today SUX!","compound":-0.5461,"pos":0,"neu":0.221,"neg":0.779}
}

func Example_social() {
	s, _ := newScorer(options{Scorer: "social"})
	in := strings.NewReader("#NotHappy with support\n")
	if err := run(context.Background(), s, in, os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// {"text":"#NotHappy with support","compound":-0.6437,"pos":0,"neu":0.155,"neg":0.845}
}
