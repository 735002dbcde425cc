package vader

import (
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
)

// magic is 1.5×2⁵²: adding it to a float64 of magnitude below 2⁵¹, then
// subtracting it, rounds that to an integer (to the nearest, ties to
// even) in two additions, without a conversion to an integer and back.
const magic = 0x1.8p52

// nearTie is (0.5 - 1e-6)²: a figure times 10^digits whose distance d to
// the nearest integer has d² >= nearTie lies within 1e-6 of a tie.
const nearTie = (0.5 - 1e-6) * (0.5 - 1e-6)

// roundScore rounds the four figures as the reference does, with
// Python's round (vaderrules.Round): compound to 4 decimals, the others
// to 3. Each figure is within [-1, 1]. Each is multiplied by 10^digits
// and rounded to the nearest integer k with magic, and is k/10^digits
// unless it lies within 1e-6 of a tie, which only its exact decimal
// value decides (rare: then vaderrules.Round rounds all four). The four
// computations are independent, without a conversion or a loop, so
// their latencies overlap; the one test is taken the same way nearly
// always.
func roundScore(compound, pos, neu, neg float64) sentiment.Score {
	// float64(...) rounds each product: it is never fused into the
	// addition that follows.
	tc, tp, tu, tn := float64(compound*1e4), float64(pos*1e3), float64(neu*1e3), float64(neg*1e3)
	kc, kp := float64(tc+magic)-magic, float64(tp+magic)-magic
	ku, kn := float64(tu+magic)-magic, float64(tn+magic)-magic
	dc, dp, du, dn := tc-kc, tp-kp, tu-ku, tn-kn
	if dc*dc < nearTie && dp*dp < nearTie && du*du < nearTie && dn*dn < nearTie {
		return sentiment.Score{Compound: kc / 1e4, Positive: kp / 1e3, Neutral: ku / 1e3, Negative: kn / 1e3}
	}
	return sentiment.Score{
		Compound: vaderrules.Round(compound, 4),
		Positive: vaderrules.Round(pos, 3),
		Neutral:  vaderrules.Round(neu, 3),
		Negative: vaderrules.Round(neg, 3),
	}
}
