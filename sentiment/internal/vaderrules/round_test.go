package vaderrules

import (
	"math"
	"math/rand"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRound(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		d    int
		want float64
	}{
		{0.0005, 3, 0.001}, // 0.0005 is slightly above the tie in binary
		{0.0015, 3, 0.002}, // slightly above
		{0.0025, 3, 0.003}, // 0.00250000000000000005 in binary
		{2.675, 2, 2.67},   // the classic: 2.67499999...
		{0.125, 2, 0.12},   // exact tie: to even
		{0.375, 2, 0.38},   // exact tie: to even
		{-0.4404499, 4, -0.4404},
		{-0.00004, 4, 0}, // Python gives -0.0, equal to 0
		{0.8316, 4, 0.8316},
		{math.Inf(1), 4, math.Inf(1)},
		{3e9, 2, 3e9},
		{1.23456, 7, 1.23456},
	} {
		assert.Equal(t, tc.want, Round(tc.x, tc.d), "round(%v, %d)", tc.x, tc.d)
	}
	assert.True(t, math.IsNaN(Round(math.NaN(), 2)))
	assert.False(t, math.Signbit(Round(-0.0001, 3)), "-0 rounds to +0")
	assert.False(t, math.Signbit(Round(math.Copysign(0, -1), 3)), "-0 rounds to +0")
}

// TestRoundMatchesStrconv checks Round against strconv's correctly
// rounded decimal (ties to even on the exact binary value) on random
// figures in [-1, 1], half of them near ties.
func TestRoundMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for k := 0; k < 100000; k++ {
		d := 3 + k%2
		x := rng.Float64()*2 - 1
		if k%4 < 2 {
			x = (math.Round(x*pow10[d]) + 0.5) / pow10[d] // a tie, or next to one
		}
		want, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', d, 64), 64)
		if got := Round(x, d); math.Float64bits(got) != math.Float64bits(want+0) { // Python's -0.0: +0 here
			t.Fatalf("Round(%v, %d) = %v, want %v", x, d, got, want)
		}
	}
}
