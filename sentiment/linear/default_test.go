package linear

import (
	"testing"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefault(t *testing.T) {
	m := Default()
	require.NotNil(t, m)
	assert.Same(t, m, Default(), "decoded once and shared")
	assert.Equal(t, "en", m.Lang())
	assert.False(t, m.Supports("fr"))
	assert.Less(t, len(defaultModel), 2<<20, "embedded model stays small")
	for _, tc := range []struct {
		text string
		want sentiment.Polarity
	}{
		{"I love this so much, best day ever!", sentiment.Positive},
		{"This is the worst service, I hate it", sentiment.Negative},
	} {
		assert.Equal(t, tc.want, m.Predict(tc.text), tc.text)
	}
}

// TestDefaultHeldOut scores the VADER ground-truth tweets, which the
// default model never saw.
func TestDefaultHeldOut(t *testing.T) {
	if testing.Short() {
		t.Skip("quality evaluation skipped under -short")
	}
	mt := Evaluate(Default(), vaderTweets(t))
	t.Logf("default model on VADER tweets (held out): %v", mt)
	assert.GreaterOrEqual(t, mt.MacroRecall(), 0.73)
	assert.GreaterOrEqual(t, mt.Accuracy(), 0.77)
}

// TestDefaultRules fails when sentiment/social has changed enough since the
// embedded model was generated that a strict load rejects it: then run
// go generate ./sentiment/linear (with ../shared/data present).
func TestDefaultRules(t *testing.T) {
	var m Model
	err := m.UnmarshalBinary(defaultModel)
	require.NoError(t, err, "the embedded default model is stale: run go generate ./sentiment/linear")
}
