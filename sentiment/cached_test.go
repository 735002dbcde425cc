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

func TestCachedBoundedAndConcurrent(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	boom := errors.New("boom")
	inner := sentiment.ScorerFunc(func(_ context.Context, text string) (sentiment.Score, error) {
		mu.Lock()
		calls[text]++
		mu.Unlock()
		if text == "fail" {
			return sentiment.Score{}, boom
		}
		return sentiment.Score{Compound: float64(len(text)) / 100}, nil
	})
	c := sentiment.Cached(inner, 2)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := c.Score(ctx, "abc")
			assert.NoError(t, err)
			assert.InDelta(t, 0.03, s.Compound, 1e-12)
		}()
	}
	wg.Wait()
	_, err := c.Score(ctx, "fail")
	require.ErrorIs(t, err, boom)
	_, _ = c.Score(ctx, "fail")
	assert.Equal(t, 2, calls["fail"], "errors are not cached")

	// Capacity 2: after two other texts, "abc" is scored again.
	for i := 0; i < 2; i++ {
		_, _ = c.Score(ctx, fmt.Sprint("other", i))
	}
	before := calls["abc"]
	_, _ = c.Score(ctx, "abc")
	assert.Equal(t, before+1, calls["abc"])
	assert.Panics(t, func() { sentiment.Cached(nil, 1) })
}
