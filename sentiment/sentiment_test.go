package sentiment_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/earshot-dev/earshot/sentiment"
)

func TestPolarityThresholds(t *testing.T) {
	assert.Equal(t, sentiment.Positive, sentiment.Score{Compound: 0.05}.Polarity())
	assert.Equal(t, sentiment.Neutral, sentiment.Score{Compound: 0.0499}.Polarity())
	assert.Equal(t, sentiment.Neutral, sentiment.Score{Compound: -0.0499}.Polarity())
	assert.Equal(t, sentiment.Negative, sentiment.Score{Compound: -0.05}.Polarity())
	assert.Equal(t, "negative", sentiment.Negative.String())
}

func TestMeanEmpty(t *testing.T) {
	var m sentiment.Mean
	assert.Equal(t, sentiment.Score{}, m.Score())
	neg, neu, pos := m.Shares()
	assert.Zero(t, neg+neu+pos)
}

func TestIsEnglish(t *testing.T) {
	for lang, want := range map[string]bool{"": true, "en": true, "EN": true, "en-GB": true, "en_US": true, "eng": false, "de": false, "e": false} {
		assert.Equal(t, want, sentiment.IsEnglish(lang), lang)
	}
}
