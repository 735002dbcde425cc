package vader

import (
	"math"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

// roundScore rounds the four figures as the reference does, with
// Python's round: compound to 4 decimals, the others to 3 (see
// vaderrules.Round). They are rounded in one loop, with Round inlined by
// hand, rather than in four calls that would spill the other figures
// around each; the comparisons, which are unpredictable, add 0 or 1
// instead of branching. Each figure is within [-1, 1].
func roundScore(compound, pos, neu, neg float64) sentiment.Score {
	r := [4]float64{compound, pos, neu, neg}
	for k, x := range r {
		p := float64(1000)
		if k == 0 {
			p = 10000
		}
		t := x * p
		fl := float64(int64(t))   // exact truncation; ±0 gives +0
		fl -= wordtab.B2F(fl > t) // floor
		f := t - fl
		if math.Abs(f-0.5) > 1e-6 {
			r[k] = (fl + wordtab.B2F(f > 0.5)) / p
		} else {
			r[k] = vaderrules.RoundTie(x, 3+int(wordtab.B2U(k == 0)), fl/p)
		}
	}
	return sentiment.Score{Compound: r[0], Positive: r[1], Neutral: r[2], Negative: r[3]}
}
