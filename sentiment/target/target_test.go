package target

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// words is a tiny lexicon scorer: the compound is the clipped sum of the
// words' values, so tests see exactly which words reached the scorer.
var words = map[string]float64{
	"love": 0.6, "great": 0.5, "best": 0.6, "thanks": 0.4, "awesome": 0.6, "fast": 0.3, "happy": 0.5,
	"joke": -0.5, "hate": -0.6, "awful": -0.6, "broken": -0.5, "worst": -0.7, "slow": -0.3, "sucks": -0.6,
}

var lexicon = sentiment.ScorerFunc(func(_ context.Context, text string) (sentiment.Score, error) {
	var c float64
	for _, w := range strings.Fields(strings.ToLower(text)) {
		c += words[strings.Trim(w, ".,!?:;'\"")]
	}
	c = max(-1, min(1, c))
	return sentiment.Score{Compound: c}, nil
})

func TestScoreTowardsTarget(t *testing.T) {
	cases := []struct {
		name, text string
		target     []string
		want       sentiment.Polarity
	}{
		{"contrast against handle", "love my new phone but @acme support is a joke", []string{"acme"}, sentiment.Negative},
		{"contrast, other target", "love my new phone but @acme support is a joke", []string{"phone"}, sentiment.Positive},
		{"hashtag", "#Acme is the best, thanks", []string{"acme"}, sentiment.Positive},
		{"possessive", "Acme's app is broken again", []string{"acme"}, sentiment.Negative},
		{"curly possessive", "Acme’s app is broken again", []string{"acme"}, sentiment.Negative},
		{"case-insensitive", "ACME delivery was fast", []string{"acme"}, sentiment.Positive},
		{"alias", "the AcmePhone X is awesome", []string{"acme", "acmephone x"}, sentiment.Positive},
		{"alias given with @", "thanks @AcmeHelp, sorted", []string{"@acmehelp"}, sentiment.Positive},
		{"however", "Beta is great; however Acme is slow", []string{"acme"}, sentiment.Negative},
		{"however, other side", "Beta is great; however Acme is slow", []string{"beta"}, sentiment.Positive},
		{"sentence ends", "I hate Mondays. Acme coffee is great!", []string{"acme"}, sentiment.Positive},
		{"sentence ends, before", "Acme coffee is great. I hate Mondays", []string{"acme"}, sentiment.Positive},
		{"although", "although Beta is awful, Acme is great", []string{"acme"}, sentiment.Positive},
		{"although, subordinate side", "although Beta is awful, Acme is great", []string{"beta"}, sentiment.Negative},
		{"although after", "Acme is awful although Beta is great", []string{"acme"}, sentiment.Negative},
		{"while", "while Acme is slow, Beta is fast", []string{"acme"}, sentiment.Negative},
		{"window", "Acme is great and then we went on a very long walk by the river where it was awful", []string{"acme"}, sentiment.Positive},
		{"no sentiment", "Acme opens a store in Leeds", []string{"acme"}, sentiment.Neutral},
		{"mixed mentions", "Acme is great. Acme support is awful, the worst", []string{"acme"}, sentiment.Negative},
		{"multiword with spacing", "acme   corp sucks", []string{"Acme Corp"}, sentiment.Negative},
		{"dot in url is no boundary", "acme.com is great", []string{"acme"}, sentiment.Positive},
		{"line break", "Beta: love it\nAcme: broken", []string{"acme"}, sentiment.Negative},
		{"unicode name", "Café Müller is great", []string{"café müller"}, sentiment.Positive},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(lexicon, tc.target[0], tc.target[1:]...)
			sc, err := s.Score(ctx, tc.text)
			require.NoError(t, err)
			assert.Equal(t, tc.want, sc.Polarity(), "%q towards %v: %+v, mentions %+v", tc.text, tc.target, sc, s.Mentions(tc.text))
		})
	}
}

func TestAbsent(t *testing.T) {
	s := New(lexicon, "acme", "@acmehelp")
	for _, text := range []string{
		"", "I love my phone", "acmestore is great", "the acmeco deal", "#acmefail", "xacme", "acme_store rocks",
		"email me at bob@acmex.com",
	} {
		sc, err := s.Score(context.Background(), text)
		require.ErrorIs(t, err, ErrAbsent, text)
		assert.Equal(t, sentiment.Score{}, sc)
		assert.False(t, s.Mentioned(text), text)
		assert.Empty(t, s.Mentions(text))
	}
	assert.Contains(t, ErrAbsent.Error(), "target: ")
	var zero Scorer
	_, err := zero.Score(context.Background(), "acme")
	assert.ErrorIs(t, err, ErrAbsent)
}

func TestMentions(t *testing.T) {
	s := New(lexicon, "acme")
	text := "@Acme hi. #acme and Acme's, ACME!"
	ms := s.Mentions(text)
	require.Len(t, ms, 4)
	var got []string
	for _, m := range ms {
		got = append(got, text[m.Start:m.End])
	}
	assert.Equal(t, []string{"@Acme", "#acme", "Acme's", "ACME"}, got)
	assert.Equal(t, "hi", ms[0].Context)

	s = New(lexicon, "acme", "acme corp")
	ms = s.Mentions("Acme Corp's staff")
	require.Len(t, ms, 1)
	assert.Equal(t, "Acme Corp's", "Acme Corp's staff"[ms[0].Start:ms[0].End], "the longer alias wins")
	assert.Equal(t, "staff", ms[0].Context)

	s.Window = 2
	ms = s.Mentions("one two three four acme five six seven")
	require.Len(t, ms, 1)
	assert.Equal(t, "three four five six", ms[0].Context)
}

func TestErrorsAndLanguage(t *testing.T) {
	boom := errors.New("remote down")
	s := New(sentiment.ScorerFunc(func(context.Context, string) (sentiment.Score, error) {
		return sentiment.Score{}, boom
	}), "acme")
	_, err := s.Score(context.Background(), "acme is great")
	assert.ErrorIs(t, err, boom)
	assert.True(t, s.Supports("de"), "a scorer without language reports supports all")
	assert.Panics(t, func() { New(nil, "acme") })
}

func FuzzMentions(f *testing.F) {
	for _, s := range []string{"love my new phone but @acme support is a joke", "Acme's; acme. #ACME", "acme’", "a\xffacme"} {
		f.Add(s)
	}
	s := New(lexicon, "acme", "acme corp")
	f.Fuzz(func(t *testing.T, text string) {
		ms := s.Mentions(text)
		last := 0
		for _, m := range ms {
			if m.Start < last || m.End <= m.Start || m.End > len(text) {
				t.Fatalf("bad span %+v in %q", m, text)
			}
			if !strings.Contains(strings.ToLower(text[m.Start:m.End]), "acme") {
				t.Fatalf("span %q does not hold the name", text[m.Start:m.End])
			}
			last = m.End
		}
		_, err := s.Score(context.Background(), text)
		if (err != nil) != (len(ms) == 0) {
			t.Fatalf("err %v with %d mentions", err, len(ms))
		}
	})
}

func Example() {
	// Any sentiment.Scorer works; here a tiny word list stands in for a
	// real one such as a trained linear model.
	scorer := sentiment.ScorerFunc(func(_ context.Context, text string) (sentiment.Score, error) {
		var c float64
		for _, w := range strings.Fields(strings.ToLower(text)) {
			c += map[string]float64{"love": 0.6, "joke": -0.5}[w]
		}
		return sentiment.Score{Compound: c}, nil
	})
	post := "love my new phone but @acme support is a joke"
	for _, name := range []string{"acme", "phone", "globex"} {
		s, err := New(scorer, name).Score(context.Background(), post)
		if errors.Is(err, ErrAbsent) {
			fmt.Printf("%s: not mentioned\n", name)
			continue
		}
		fmt.Printf("%s: %s\n", name, s.Polarity())
	}
	// Output:
	// acme: negative
	// phone: positive
	// globex: not mentioned
}
