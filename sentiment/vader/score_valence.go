package vader

import (
	"math"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

// scoreValence is the reference's score_valence.
func scoreValence(sent []float64, neu, ep, qm int) sentiment.Score {
	var sum, pos, neg float64
	for _, v := range sent {
		sum += v
		// v != 0: v+1 goes to pos if v > 0, else v-1 to neg.
		m := -uint64(wordtab.B2U(v > 0))
		pos += math.Float64frombits(math.Float64bits(v+1) & m)
		neg += math.Float64frombits(math.Float64bits(v-1) &^ m)
	}
	return finishScore(sum, pos, neg, len(sent), neu, ep, qm)
}

// finishScore is the end of score_valence, given the sum of the nz
// non-zero sentiments and the sums of v+1 over the positive ones (pos) and
// of v-1 over the negative ones (neg), each added in token order.
func finishScore(sum, pos, neg float64, nz, neu, ep, qm int) sentiment.Score {
	if nz == 0 {
		// No sentiment: nothing to emphasise or normalise.
		return sentiment.Score{Neutral: 1}
	}
	amp := vaderrules.PunctEmphasis(ep, qm)
	// The signs below come at random, so they select values without a
	// branch. Each sum gets exactly the reference's terms: adding +0
	// leaves a sum unchanged (none of these is ever -0), and x + (-a)
	// is x - a.
	sum += amp * (wordtab.B2F(sum > 0) - wordtab.B2F(sum < 0))
	compound := normalize(sum)
	pos += amp * wordtab.B2F(pos > math.Abs(neg))
	neg -= amp * wordtab.B2F(pos < math.Abs(neg))
	total := pos + math.Abs(neg) + float64(neu)
	// Each figure is within [-1, 1]: total > 0, as a non-zero sentiment
	// adds more than 1 to pos or to |neg|.
	// They are rounded in one loop, without four calls that would spill
	// the others around each.
	r := [4]float64{compound, math.Abs(pos / total), math.Abs(float64(neu) / total), math.Abs(neg / total)}
	for k, x := range r {
		p := float64(1000)
		if k == 0 {
			p = 10000
		}
		// vaderrules.Round, inlined by hand.
		t := x * p
		fl := float64(int64(t))
		fl -= wordtab.B2F(fl > t)
		f := t - fl
		if math.Abs(f-0.5) > 1e-6 {
			r[k] = (fl + wordtab.B2F(f > 0.5)) / p
		} else {
			r[k] = vaderrules.RoundTie(x, 3+int(wordtab.B2U(k == 0)), fl/p)
		}
	}
	return sentiment.Score{Compound: r[0], Positive: r[1], Neutral: r[2], Negative: r[3]}
}

func normalize(score float64) float64 {
	n := score / math.Sqrt(score*score+alpha)
	if n < -1 {
		return -1
	}
	if n > 1 {
		return 1
	}
	return n
}
