package sentiment_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment"
)

// counter is a scorer that counts its calls per text (and language).
type counter struct {
	mu    sync.Mutex
	calls map[string]int
}

func newCounter() *counter { return &counter{calls: map[string]int{}} }

func (c *counter) Score(_ context.Context, text string) (sentiment.Score, error) {
	c.mu.Lock()
	c.calls[text]++
	c.mu.Unlock()
	if text == "fail" {
		return sentiment.Score{}, errors.New("boom")
	}
	return sentiment.Score{Compound: float64(len(text)) / 100}, nil
}

func (c *counter) n(text string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[text]
}

func TestCachedSecondSighting(t *testing.T) {
	ctx := context.Background()
	inner := newCounter()
	c := sentiment.Cached(inner, 100)
	for i := 0; i < 5; i++ {
		s, err := c.Score(ctx, "abc")
		require.NoError(t, err)
		assert.Equal(t, 0.03, s.Compound)
	}
	assert.Equal(t, 2, inner.n("abc"), "scored at the first two sightings, then cached")

	_, err := c.Score(ctx, "fail")
	require.Error(t, err)
	_, err = c.Score(ctx, "fail")
	require.Error(t, err)
	_, err = c.Score(ctx, "fail")
	require.Error(t, err)
	assert.Equal(t, 3, inner.n("fail"), "errors are not cached")
	assert.Panics(t, func() { sentiment.Cached(nil, 1) })
}

func TestCachedBounded(t *testing.T) {
	ctx := context.Background()
	inner := newCounter()
	c := sentiment.Cached(inner, 2)
	for i := 0; i < 3; i++ {
		_, _ = c.Score(ctx, "abc")
	}
	require.Equal(t, 2, inner.n("abc"))
	// 100 other texts, each seen twice, take the two slots many times.
	for i := 0; i < 100; i++ {
		for k := 0; k < 2; k++ {
			_, _ = c.Score(ctx, fmt.Sprint("other", i))
		}
	}
	_, _ = c.Score(ctx, "abc")
	assert.Equal(t, 3, inner.n("abc"), "abc was pushed out")
}

func TestCachedConcurrent(t *testing.T) {
	ctx := context.Background()
	inner := newCounter()
	c := sentiment.Cached(inner, 64)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				text := fmt.Sprint("text ", i%100)
				s, err := c.Score(ctx, text)
				assert.NoError(t, err)
				assert.Equal(t, float64(len(text))/100, s.Compound)
			}
		}()
	}
	wg.Wait()
}

// TestCachedLanguages checks that Cached keeps the wrapped scorer's
// per-language routing and language report (perLang and onlyEnglish are
// in lang_test.go).
func TestCachedLanguages(t *testing.T) {
	ctx := context.Background()
	routed := sentiment.Cached(perLang{"": 0.1, "de": 0.2, "en": 0.3}, 100)
	for i := 0; i < 3; i++ { // the third time from the cache
		for lang, want := range map[string]float64{"de": 0.2, "en": 0.3, "": 0.1} {
			s, err := sentiment.ScoreLang(ctx, routed, "gut", lang)
			require.NoError(t, err)
			assert.Equal(t, want, s.Compound, "lang %q, round %d", lang, i)
		}
		_, err := sentiment.ScoreLang(ctx, routed, "bon", "fr")
		assert.ErrorIs(t, err, sentiment.ErrUnsupportedLanguage)
	}

	english := onlyEnglish{sentiment.ScorerFunc(func(context.Context, string) (sentiment.Score, error) {
		return sentiment.Score{Compound: 0.5}, nil
	})}
	c := sentiment.Cached(english, 100)
	lr, ok := c.(sentiment.LanguageReporter)
	require.True(t, ok)
	assert.True(t, lr.Supports("en-GB"))
	assert.False(t, lr.Supports("de"))
	for i := 0; i < 3; i++ {
		_, err := sentiment.ScoreLang(ctx, c, "gut", "de")
		var le *sentiment.LanguageError
		require.ErrorAs(t, err, &le, "round %d", i)
		assert.Equal(t, "de", le.Lang)
		s, err := sentiment.ScoreLang(ctx, c, "good", "en")
		require.NoError(t, err)
		assert.Equal(t, 0.5, s.Compound)
	}

	// A plain scorer scores every language, through the cache too.
	plain := sentiment.Cached(newCounter(), 100)
	assert.True(t, plain.(sentiment.LanguageReporter).Supports("ja"))
	s, err := sentiment.ScoreLang(ctx, plain, "abcd", "ja")
	require.NoError(t, err)
	assert.Equal(t, 0.04, s.Compound)
}

// TestCachedAllocs checks that neither a miss nor a hit allocates; only
// admitting a text (at its second sighting) does.
func TestCachedAllocs(t *testing.T) {
	ctx := context.Background()
	zero := sentiment.ScorerFunc(func(context.Context, string) (sentiment.Score, error) { return sentiment.Score{}, nil })
	c := sentiment.Cached(zero, 1000)
	texts := make([]string, 5000)
	for i := range texts {
		texts[i] = fmt.Sprint("a post that is seen once ", i)
	}
	i := 0
	assert.Zero(t, testing.AllocsPerRun(len(texts)-1, func() {
		_, _ = c.Score(ctx, texts[i])
		i++
	}), "miss")
	_, _ = c.Score(ctx, "again")
	_, _ = c.Score(ctx, "again")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = c.Score(ctx, "again") }), "hit")
}
