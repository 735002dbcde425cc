package vaderrules

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPunctEmphasis(t *testing.T) {
	for _, c := range []struct {
		ep, qm int
		want   float64
	}{
		{0, 0, 0}, {1, 0, 0.292}, {4, 0, 4 * 0.292}, {9, 0, 4 * 0.292},
		{0, 1, 0}, {0, 2, 0.36}, {0, 3, 3 * 0.18}, {0, 4, 0.96}, {2, 9, 2*0.292 + 0.96},
	} {
		require.InDelta(t, c.want, PunctEmphasis(c.ep, c.qm), 1e-12, "%d!, %d?", c.ep, c.qm)
	}
}

func TestLists(t *testing.T) {
	require.Contains(t, negate, "not")
	require.Contains(t, negate, "wouldn't")
	require.NotContains(t, negate, "no", "the reference handles \"no\" by its own rule")
	require.Equal(t, BIncr, boosters["very"])
	require.Equal(t, BDecr, boosters["barely"])
	for w, d := range boosters {
		require.True(t, d == BIncr || d == BDecr, w)
		require.NotContains(t, w, " ", "two-word keys are idioms")
	}
}
