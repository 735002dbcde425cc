package eval

import (
	"math"
	"sort"
	"time"

	"github.com/earshot-dev/earshot/trend/viral"
)

// Horizon is the age at which a cascade's count is final, as in the
// SEISMIC data.
const Horizon = 7 * 24 * time.Hour

// Horizons returns the observation ages the targets are set at.
func Horizons() []time.Duration { return []time.Duration{time.Hour, 2 * time.Hour, 6 * time.Hour} }

// ModelFor is the model a host would use for the set: the Twitter rhythm
// when post times are known.
func ModelFor(s *Set) viral.Model {
	var m viral.Model
	if s.Timed {
		m.Rhythm = viral.TwitterRhythm()
	}
	return m
}

// Path replays c into one tracker with model m and predicts at each of
// ages (ascending), using only the reshares made by then. With poll > 0
// the tracker sees only the totals at ages poll, 2·poll, ... (count mode).
func Path(c *viral.Cascade, m viral.Model, poll time.Duration, ages []time.Duration) []viral.Prediction {
	return Paths(c, []viral.Model{m}, poll, ages)[0]
}

// Paths is Path for several models at once: one replay, each model's
// predictions at each age.
func Paths(c *viral.Cascade, ms []viral.Model, poll time.Duration, ages []time.Duration) [][]viral.Prediction {
	tr := &viral.Tracker{Posted: c.Posted, Followers: c.Followers}
	out := make([][]viral.Prediction, len(ms))
	next, polled := 0, poll
	for _, a := range ages {
		if poll > 0 {
			for ; polled <= a; polled += poll {
				tr.ObserveCount(c.Posted.Add(polled), c.ObservedBy(polled))
			}
		} else {
			for ; next < len(c.Reshares) && c.Reshares[next].Age <= a; next++ {
				tr.Observe(c.Posted.Add(c.Reshares[next].Age), c.Reshares[next].Followers)
			}
		}
		for i := range ms {
			tr.Model = &ms[i]
			out[i] = append(out[i], tr.Predict(c.Posted.Add(a)))
		}
	}
	return out
}

// Row is one cascade predicted at one age.
type Row struct {
	Cascade int // index in the set
	Age     time.Duration
	Final   float64 // actual count at Horizon
	P       viral.Prediction
}

// Scorable reports whether a row counts in the figures: the cascade had
// at least one reshare by the observation age (nothing can be said of a
// post with none) and a final count above zero.
func (r Row) Scorable() bool { return r.P.Observed >= 1 && r.Final >= 1 }

// APE is the absolute percentage error of the rounded prediction.
func (r Row) APE() float64 { return math.Abs(math.Round(r.P.Final)-r.Final) / r.Final }

// Covered reports whether the final count fell in the 80% range.
func (r Row) Covered() bool {
	return math.Floor(r.P.Low) <= r.Final && r.Final <= math.Ceil(r.P.High)
}

// Rows predicts every cascade of s at each age with model m.
func Rows(s *Set, m viral.Model, poll time.Duration, ages []time.Duration) []Row {
	var rs []Row
	for i := range s.Cascades {
		c := &s.Cascades[i]
		fin := float64(c.Final(Horizon))
		for j, p := range Path(c, m, poll, ages) {
			rs = append(rs, Row{Cascade: i, Age: ages[j], Final: fin, P: p})
		}
	}
	return rs
}

// Score sums up rows at one age.
type Score struct {
	N        int     // scorable cascades
	MdAPE    float64 // median absolute percentage error
	Bias     float64 // median log(predicted/actual)
	Over90   float64 // 90th percentile of predicted/actual
	Coverage float64 // share of final counts inside the 80% range
}

// ScoreAt scores the scorable rows of age a for which keep is true (nil:
// all).
func ScoreAt(rs []Row, a time.Duration, keep func(Row) bool) Score {
	var ape, lr []float64
	in := 0
	for _, r := range rs {
		if r.Age != a || !r.Scorable() || (keep != nil && !keep(r)) {
			continue
		}
		ape = append(ape, r.APE())
		lr = append(lr, math.Log(math.Max(math.Round(r.P.Final), 1)/r.Final))
		if r.Covered() {
			in++
		}
	}
	s := Score{N: len(ape), MdAPE: Quantile(ape, 0.5), Bias: Quantile(lr, 0.5), Over90: math.Exp(Quantile(lr, 0.9))}
	if s.N > 0 {
		s.Coverage = float64(in) / float64(s.N)
	}
	return s
}

// Quantile returns the q-quantile of x (linear interpolation), NaN if x is
// empty.
func Quantile(x []float64, q float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

// Moves sums up how successive predictions of one cascade change.
type Moves struct {
	Steps, Down int     // pairs of successive predictions; those that went down
	MedianDrop  float64 // median relative drop of those that went down
	MaxDrop     float64 // largest relative drop
}

// DownMoves replays each cascade of s with a prediction at each of ages
// and counts the steps in which the predicted final count went down by
// more than 0.5%.
func DownMoves(s *Set, m viral.Model, ages []time.Duration) Moves {
	var mv Moves
	var drops []float64
	for i := range s.Cascades {
		ps := Path(&s.Cascades[i], m, 0, ages)
		for j := 1; j < len(ps); j++ {
			if ps[j-1].Observed < 1 {
				continue
			}
			mv.Steps++
			d := 1 - ps[j].Final/ps[j-1].Final
			if d > 0.005 {
				mv.Down++
				drops = append(drops, d)
				mv.MaxDrop = math.Max(mv.MaxDrop, d)
			}
		}
	}
	mv.MedianDrop = Quantile(drops, 0.5)
	return mv
}
