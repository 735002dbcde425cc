package social

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

// TestRun3 checks the word-at-a-time run test against hasRun on random
// keys of every short length over a small alphabet (many runs).
func TestRun3(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	runs := 0
	for i := 0; i < 20000; i++ {
		n := 1 + rng.Intn(wordtab.MaxShort)
		b := make([]byte, 16)
		for j := 0; j < n; j++ {
			b[j] = "ab"[rng.Intn(2)]
		}
		k0, k1 := wordtab.MaskKey(b, n)
		want := hasRun(b[:n], 3)
		require.Equal(t, want, run3(k0, k1, n), "%q", b[:n])
		if want {
			runs++
		}
	}
	require.Greater(t, runs, 1000)
}
