package target

import (
	"context"
	"testing"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/polarity"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealScorers runs the headline cases through the shipped scorers.
func TestRealScorers(t *testing.T) {
	cases := []struct {
		text, target string
		want         sentiment.Polarity
	}{
		// "is a joke" is positive in the VADER lexicon ("joke" +1.2), so the
		// headline example uses a plain word here.
		{"love my new phone but @acme support is awful", "acme", sentiment.Negative},
		{"love my new phone but @acme support is awful", "phone", sentiment.Positive},
		{"Thanks @acme, the refund came through fast. My bank is useless though", "acme", sentiment.Positive},
		{"I hate Mondays. #acme coffee is great!", "acme", sentiment.Positive},
		{"Acme's app is broken again; Beta works great", "acme", sentiment.Negative},
		{"Acme's app is broken again; Beta works great", "beta", sentiment.Positive},
	}
	for name, s := range map[string]sentiment.Scorer{"polarity": polarity.English(), "vader": vader.New()} {
		for _, tc := range cases {
			sc, err := New(s, tc.target).Score(context.Background(), tc.text)
			require.NoError(t, err)
			assert.Equal(t, tc.want, sc.Polarity(), "%s: %q towards %s: %+v", name, tc.text, tc.target, sc)
		}
	}
}
