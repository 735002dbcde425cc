package social

import (
	"math"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
)

const (
	bIncr   = vaderrules.BIncr
	cIncr   = vaderrules.CIncr
	nScalar = vaderrules.NScalar
	alpha   = vaderrules.Alpha
	// lengthK is the number of sentiment-bearing tokens up to which the
	// sum is taken as is; beyond it the sum grows as the square root of
	// their number, as evidence from independent words does, so long texts
	// do not saturate at ±1.
	lengthK = 4
)

// finish turns the sums of the tokens' values into a Score: sum of all
// values, pos and neg the masses of the positive and negative ones (each
// value ±1), k the number of non-zero values and neu of zero ones.
func (s *Scorer) finish(sum, pos, neg float64, k, neu, ep, qm int) sentiment.Score {
	if k > lengthK {
		sum *= math.Sqrt(float64(lengthK) / float64(k))
	}
	amp := vaderrules.PunctEmphasis(ep, qm)
	if sum > 0 {
		sum += amp
	} else if sum < 0 {
		sum -= amp
	}
	// The neutral band: weak leanings count as none.
	switch {
	case sum > s.band:
		sum -= s.band
	case sum < -s.band:
		sum += s.band
	default:
		sum = 0
	}
	compound := sum / math.Sqrt(sum*sum+alpha)
	total := pos - neg + float64(neu)
	if total == 0 {
		return sentiment.Score{}
	}
	return sentiment.Score{
		Compound: vaderrules.Round(compound, 4),
		Positive: vaderrules.Round(pos/total, 3),
		Neutral:  vaderrules.Round(float64(neu)/total, 3),
		Negative: vaderrules.Round(-neg/total, 3),
	}
}
