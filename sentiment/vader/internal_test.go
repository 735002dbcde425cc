package vader

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"

	"github.com/stretchr/testify/require"
)

// butCheckQuadratic is the reference's _but_check, literally.
func butCheckQuadratic(sent []float64, bi int) {
	for k := range sent {
		v := sent[k]
		si := 0
		for sent[si] != v {
			si++
		}
		if si < bi {
			sent[si] = v * 0.5
		} else if si > bi {
			sent[si] = v * 1.5
		}
	}
}

// TestButCheckLarge checks the O(n log n) "but" rule against the literal
// quadratic one on lists full of repeated values.
func TestButCheckLarge(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	vals := []float64{0, 0, 0, 1.6, 3.2, 0.8, 2.4, -1.2, -2.4, -0.6, 1.9, 0.95}
	for iter := 0; iter < 2000; iter++ {
		n := 1 + rng.Intn(120)
		a := make([]float64, n)
		for i := range a {
			a[i] = vals[rng.Intn(len(vals))]
		}
		bi := rng.Intn(n)
		want := append([]float64(nil), a...)
		butCheckQuadratic(want, bi)
		// The scorer keeps only the non-zero values, with their positions.
		var vals []float64
		var pos []int32
		for i, v := range a {
			if v != 0 {
				vals = append(vals, v)
				pos = append(pos, int32(i))
			}
		}
		for name, f := range map[string]func([]float64, []int32, int){"small": butCheck, "large": butCheckLarge} {
			if name == "small" && len(vals) > smallBut {
				continue // butCheck would delegate
			}
			got := make([]float64, n)
			vs := append([]float64(nil), vals...)
			f(vs, pos, bi)
			for j, p := range pos {
				got[p] = vs[j]
			}
			require.Equal(t, want, got, "%s: input %v but at %d", name, a, bi)
		}
	}
}

// TestHashTable checks the table against a map, including long keys and
// growth.
func TestHashTable(t *testing.T) {
	tab := newTable(4)
	want := map[string]entry{}
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 5000; i++ {
		b := make([]byte, 1+rng.Intn(24))
		for j := range b {
			b[j] = byte('a' + rng.Intn(3))
		}
		e := entry{val: float64(rng.Intn(9) - 4), flags: uint8(rng.Intn(8)), id: uint8(rng.Intn(30))}
		tab.set(string(b), e)
		want[string(b)] = e
	}
	require.Equal(t, len(want), tab.len())
	for k, e := range want {
		require.Equal(t, e, tab.get([]byte(k)), k)
	}
	require.Equal(t, entry{}, tab.get([]byte("zzz")))
	require.Equal(t, entry{}, tab.get(nil))
	c := tab.clone()
	c.set("abc", entry{val: 99})
	require.NotEqual(t, 99.0, tab.get([]byte("abc")).val)
}

// finishScoreRef is the end of the reference's score_valence, literally,
// with Round for each figure.
func finishScoreRef(sum, pos, neg float64, neu, ep, qm int) sentiment.Score {
	amp := vaderrules.PunctEmphasis(ep, qm)
	if sum > 0 {
		sum += amp
	} else if sum < 0 {
		sum -= amp
	}
	compound := normalize(sum)
	if pos > math.Abs(neg) {
		pos += amp
	} else if pos < math.Abs(neg) {
		neg -= amp
	}
	total := pos + math.Abs(neg) + float64(neu)
	return sentiment.Score{
		Compound: vaderrules.Round(compound, 4),
		Positive: vaderrules.Round(math.Abs(pos/total), 3),
		Neutral:  vaderrules.Round(math.Abs(float64(neu)/total), 3),
		Negative: vaderrules.Round(math.Abs(neg/total), 3),
	}
}

// TestFinishScoreRounds checks finishScore, whose rounding is inlined by
// hand, against the literal computation, on sums in eighths, so that
// many figures are exact ties (such as 0.0625), which Round leaves to
// strconv.
func TestFinishScoreRounds(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	ties := 0
	for k := 0; k < 20000; k++ {
		pos := float64(rng.Intn(40)) / 8
		neg := -float64(rng.Intn(40)) / 8
		if pos == 0 && neg == 0 {
			pos = 1.5
		}
		neu := rng.Intn(30)
		sum := pos + neg + float64(rng.Intn(7)-3)/8
		ep, qm := rng.Intn(5), rng.Intn(4)
		want := finishScoreRef(sum, pos, neg, neu, ep, qm)
		require.Equal(t, want, finishScore(&valenceSums{sum, pos, neg, 1}, neu, ep, qm), "sum %v pos %v neg %v neu %d", sum, pos, neg, neu)
		for _, x := range []float64{want.Positive, want.Neutral, want.Negative} {
			if f := x*1000 - math.Floor(x*1000); f == 0.5 {
				ties++
			}
		}
		total := pos + math.Abs(neg) + float64(neu)
		if f := float64(neu) / total * 1000; f-math.Floor(f) == 0.5 {
			ties++
		}
	}
	require.Positive(t, ties, "no tie was tested")
	// Sums as the lexicon makes them (tenths, boosters, capitals,
	// emphasis), and figures near ±1 and 0.
	for k := 0; k < 100000; k++ {
		pos := float64(rng.Intn(120))/10 + float64(rng.Intn(3))*0.293
		neg := -float64(rng.Intn(120))/10 - float64(rng.Intn(2))*0.733
		if pos == 0 && neg == 0 {
			pos = 1.9
		}
		neu := rng.Intn(60)
		sum := pos + neg - float64(rng.Intn(3))*0.1
		ep, qm := rng.Intn(6), rng.Intn(5)
		want := finishScoreRef(sum, pos, neg, neu, ep, qm)
		require.Equal(t, want, finishScore(&valenceSums{sum, pos, neg, 1}, neu, ep, qm), "sum %v pos %v neg %v neu %d", sum, pos, neg, neu)
	}
}

// TestRoundScore checks roundScore against vaderrules.Round on every
// figure near a multiple of 1/20000 in [-1, 1] (the ties of both
// precisions and their neighbours), signed zeros included.
func TestRoundScore(t *testing.T) {
	check := func(x float64) {
		t.Helper()
		want := sentiment.Score{Compound: vaderrules.Round(x, 4), Positive: vaderrules.Round(math.Abs(x), 3),
			Neutral: vaderrules.Round(math.Abs(x), 3), Negative: vaderrules.Round(math.Abs(x), 3)}
		got := roundScore(x, math.Abs(x), math.Abs(x), math.Abs(x))
		if math.Float64bits(got.Compound) != math.Float64bits(want.Compound) || got != want {
			t.Fatalf("%v (%b): got %+v, want %+v", x, math.Float64bits(x), got, want)
		}
	}
	check(0)
	check(math.Copysign(0, -1))
	for i := -20000; i <= 20000; i++ {
		x := float64(i) / 20000
		for _, y := range []float64{x, math.Nextafter(x, 2), math.Nextafter(x, -2), x + 1e-7, x - 1e-7, x + 3e-11, x - 3e-11} {
			if math.Abs(y) <= 1 {
				check(y)
			}
		}
	}
}

// scoreOf returns s's score of text (Score never fails).
func scoreOf(s *Scorer, text string) sentiment.Score {
	sc, _ := s.Score(context.Background(), text)
	return sc
}
