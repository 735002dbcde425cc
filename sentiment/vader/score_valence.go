package vader

import (
	"math"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
)

// valenceSums accumulates, in token order, what score_valence needs from
// the non-zero sentiments: their sum, and the positive and negative sums
// of _sift_sentiment_scores (v+1 for each positive v, v-1 for each
// negative one). Zeros change none of them; the caller counts them.
type valenceSums struct {
	sum, pos, neg float64
	n             int // non-zero sentiments added
}

func (s *valenceSums) add(v float64) {
	s.sum += v
	if v > 0 {
		s.pos += v + 1
	} else {
		s.neg += v - 1
	}
	s.n++
}

// scoreValence is the reference's score_valence for the non-zero
// sentiments sent and neu zeros, with ep '!' and qm '?' in the text.
func scoreValence(sent []float64, neu, ep, qm int) sentiment.Score {
	var sums valenceSums
	for _, v := range sent {
		sums.add(v)
	}
	return finishScore(&sums, neu, ep, qm)
}

// finishScore is the end of score_valence, from the sums of the non-zero
// sentiments and the number of zero ones.
func finishScore(s *valenceSums, neu, ep, qm int) sentiment.Score {
	if s.n == 0 {
		// No sentiment: nothing to emphasise or normalise.
		return sentiment.Score{Neutral: 1}
	}
	amp := vaderrules.PunctEmphasis(ep, qm)
	sum := s.sum
	if sum > 0 {
		sum += amp
	} else if sum < 0 {
		sum -= amp
	}
	compound := normalize(sum)
	pos, neg := s.pos, s.neg
	if pos > math.Abs(neg) {
		pos += amp
	} else if pos < math.Abs(neg) {
		neg -= amp
	}
	// total > 0, as a non-zero sentiment adds more than 1 to pos or to
	// |neg|, so each figure is within [-1, 1].
	total := pos + math.Abs(neg) + float64(neu)
	return roundScore(compound, math.Abs(pos/total), math.Abs(float64(neu)/total), math.Abs(neg/total))
}

// normalize is the reference's normalize: score/sqrt(score²+alpha),
// clamped to [-1, 1].
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
