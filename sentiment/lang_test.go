package sentiment_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment"
)

// onlyEnglish is a scorer that reports its languages.
type onlyEnglish struct{ sentiment.ScorerFunc }

func (onlyEnglish) Supports(lang string) bool { return sentiment.IsEnglish(lang) }

// perLang scores each language with its own fixed compound.
type perLang map[string]float64

func (p perLang) Score(ctx context.Context, text string) (sentiment.Score, error) {
	return p.ScoreLang(ctx, text, "")
}

func (p perLang) ScoreLang(_ context.Context, _ string, lang string) (sentiment.Score, error) {
	if c, ok := p[lang]; ok {
		return sentiment.Score{Compound: c}, nil
	}
	return sentiment.Score{}, &sentiment.LanguageError{Lang: lang}
}

func TestScoreLang(t *testing.T) {
	ctx := context.Background()
	one := onlyEnglish{sentiment.ScorerFunc(func(context.Context, string) (sentiment.Score, error) { return sentiment.Score{Compound: 0.5}, nil })}
	s, err := sentiment.ScoreLang(ctx, one, "good", "en-GB")
	require.NoError(t, err)
	assert.Equal(t, 0.5, s.Compound)
	_, err = sentiment.ScoreLang(ctx, one, "gut", "de")
	var le *sentiment.LanguageError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "de", le.Lang)
	assert.ErrorIs(t, err, sentiment.ErrUnsupportedLanguage)
	_, err = sentiment.ScoreLang(ctx, one, "good", "")
	assert.NoError(t, err, "unknown language is allowed")

	// A LanguageScorer chooses for itself.
	routed := perLang{"": 0.1, "de": 0.2}
	s, err = sentiment.ScoreLang(ctx, routed, "gut", "de")
	require.NoError(t, err)
	assert.Equal(t, 0.2, s.Compound)
	_, err = sentiment.ScoreLang(ctx, routed, "bon", "fr")
	assert.ErrorIs(t, err, sentiment.ErrUnsupportedLanguage)

	// Plain scorers score every language.
	plain := sentiment.ScorerFunc(func(context.Context, string) (sentiment.Score, error) { return sentiment.Score{Compound: 1}, nil })
	s, err = sentiment.ScoreLang(ctx, plain, "x", "ja")
	require.NoError(t, err)
	assert.Equal(t, 1.0, s.Compound)
}
