package vaderrules

import (
	"math"
	"strconv"

	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

var pow10 = [8]float64{1, 10, 100, 1000, 10000, 100000, 1000000}

// Round rounds x to digits decimals (0 to 6) the way Python's round does:
// to the decimal nearest to x's exact binary value, ties to even. The
// scorers report their figures rounded so: compound to 4 decimals, the
// proportions to 3.
func Round(x float64, digits int) float64 {
	if !(math.Abs(x) <= 1e9) || uint(digits) > 6 { // also NaN and ±Inf
		return x
	}
	// The comparisons are unpredictable, so they add 0 or 1 instead of
	// branching.
	p := pow10[digits&7]
	t := x * p
	fl := float64(int64(t))                  // |t| <= 1e15: exact truncation; ±0 gives +0
	fl -= wordtab.B2F(fl > t)                // floor
	if f := t - fl; math.Abs(f-0.5) > 1e-6 { // one predictable branch, not two
		return (fl + wordtab.B2F(f > 0.5)) / p
	}
	return RoundTie(x, digits, fl/p)
}

// RoundTie is Round for an x within 1e-6 of a tie at digits decimals,
// given its floor at that many decimals: strconv rounds the exact value.
func RoundTie(x float64, digits int, floor float64) float64 {
	var b [48]byte
	out := strconv.AppendFloat(b[:0], x, 'f', digits, 64)
	r, err := strconv.ParseFloat(string(out), 64)
	if err != nil {
		return floor
	}
	return r
}
