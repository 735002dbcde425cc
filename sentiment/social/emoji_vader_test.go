package social

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment/internal/vaderdata"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

// TestVaderEmoji checks that the generated table vaderEmoji is current:
// one entry per emoji sentiment/vader knows, with the compound score it
// gives the description (run go generate if this fails).
func TestVaderEmoji(t *testing.T) {
	s := vader.New()
	want := map[rune]float64{}
	n := 0
	for r, d := range vaderdata.SingleEmoji() {
		sc, err := s.Score(context.Background(), d)
		require.NoError(t, err)
		want[r] = sc.Compound
		n++
	}
	require.Len(t, vaderEmoji, n)
	for i, e := range vaderEmoji {
		c, ok := want[e.r]
		if assert.True(t, ok, "%U", e.r) {
			assert.Equal(t, c, e.c, "%U", e.r)
		}
		if i > 0 {
			assert.Less(t, vaderEmoji[i-1].r, e.r)
		}
	}
}
