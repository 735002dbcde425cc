package polarity

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment"
)

func TestModels(t *testing.T) {
	assert.Equal(t, []string{"ar", "de", "en", "es", "fr", "hi", "it", "pt"}, Languages())
	for _, code := range Languages() {
		m, ok := For(code)
		require.True(t, ok, code)
		assert.Equal(t, code, m.Lang())
		assert.True(t, m.IsPolarity(), code)
		assert.Equal(t, []string{"negative", "neutral", "positive"}, m.Labels())
		info, err := files.Open(code + ".model")
		require.NoError(t, err)
		st, err := info.Stat()
		require.NoError(t, err)
		assert.Less(t, st.Size(), int64(8<<20), "each model at most 8 MiB")
	}
	m, ok := For("pt-BR")
	require.True(t, ok)
	assert.Same(t, m, func() any { m, _ := For("PT"); return m }(), "decoded once")
	m, ok = For("")
	require.True(t, ok)
	assert.Same(t, English(), m, `"" means English`)
	_, ok = For("nl")
	assert.False(t, ok)
	assert.Equal(t, "", Multilingual().Lang())
}

func TestScorer(t *testing.T) {
	ctx := context.Background()
	var s Scorer // the zero value works
	var _ sentiment.LanguageScorer = &s
	var _ sentiment.LanguageReporter = &s
	for _, lang := range []string{"", "en", "de-AT", "pt-BR", "hi"} {
		assert.True(t, s.Supports(lang), lang)
	}
	assert.False(t, s.Supports("nl"), "no model of its own: only the fallback")

	cases := []struct{ text, lang string }{
		{"I love this, best day ever!", "en"},
		{"Das ist wirklich großartig, ich liebe es!", "de"},
		{"C'est nul, je déteste ça", "fr"},
		{"Dit is geweldig, ik ben zo blij! 😍", "nl"},
	}
	for _, tc := range cases {
		got, err := sentiment.ScoreLang(ctx, &s, tc.text, tc.lang)
		require.NoError(t, err, tc.lang)
		model, ok := For(tc.lang)
		if !ok {
			model = Multilingual()
		}
		want, err := model.Score(ctx, tc.text)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%s is scored by %q's model", tc.lang, model.Lang())
	}
	en, err := s.Score(ctx, "I love it")
	require.NoError(t, err)
	want, _ := English().Score(ctx, "I love it")
	assert.Equal(t, want, en)

	strict := &Scorer{Strict: true}
	_, err = sentiment.ScoreLang(ctx, strict, "Dit is geweldig", "nl")
	assert.ErrorIs(t, err, sentiment.ErrUnsupportedLanguage)
	_, err = sentiment.ScoreLang(ctx, strict, "Das ist gut", "de")
	assert.NoError(t, err)
}
