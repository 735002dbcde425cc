package eval

import (
	"math"
	"time"

	"github.com/earshot-dev/earshot/trend/viral"
)

// RangeAges returns the observation ages the 80% range is fitted at.
func RangeAges() []time.Duration {
	return []time.Duration{
		30 * time.Minute, 45 * time.Minute, time.Hour, 90 * time.Minute, 2 * time.Hour,
		3 * time.Hour, 4 * time.Hour, 6 * time.Hour, 8 * time.Hour, 12 * time.Hour,
	}
}

// Range holds the 10% and 90% lines of log((actual+1)/(expected+1)) for
// the reshares still to come, each as intercept and slope on log(age/1h):
// viral's rangeLo0, rangeLo1, rangeHi0, rangeHi1.
type Range struct{ Lo0, Lo1, Hi0, Hi1 float64 }

// logAge is viral's: log(age in hours) clamped to [5 min, 30 days].
func logAge(a time.Duration) float64 {
	return math.Log(math.Min(math.Max(a.Hours(), 1.0/12), 720))
}

// surprise is log((actual+1)/(expected+1)) for the reshares still to come.
func surprise(r Row) float64 {
	return math.Log((r.Final - r.P.Observed + 1) / (r.P.Final - r.P.Observed + 1))
}

// FitRange fits the 10% and 90% quantile lines on the scorable rows of
// each group, each group weighted equally whatever its size.
func FitRange(groups ...[]Row) Range {
	var X [][2]float64
	var y, wt []float64
	for _, g := range groups {
		n := 0
		for _, r := range g {
			if r.Scorable() {
				n++
			}
		}
		for _, r := range g {
			if r.Scorable() {
				X = append(X, [2]float64{1, logAge(r.Age)})
				y = append(y, surprise(r))
				wt = append(wt, 1/float64(n))
			}
		}
	}
	lo, hi := quantileLine(X, y, wt, 0.1), quantileLine(X, y, wt, 0.9)
	return Range{lo[0], lo[1], hi[0], hi[1]}
}

// quantileLine fits the tau-quantile of y on X (two columns) by
// iteratively reweighted least squares on the check loss.
func quantileLine(X [][2]float64, y, wt []float64, tau float64) [2]float64 {
	w := append([]float64(nil), wt...)
	var b [2]float64
	for iter := 0; iter < 200; iter++ {
		var a00, a01, a11, c0, c1 float64
		for i, x := range X {
			a00 += w[i] * x[0] * x[0]
			a01 += w[i] * x[0] * x[1]
			a11 += w[i] * x[1] * x[1]
			c0 += w[i] * x[0] * y[i]
			c1 += w[i] * x[1] * y[i]
		}
		det := a00*a11 - a01*a01
		if math.Abs(det) < 1e-300 {
			return b
		}
		nb := [2]float64{(c0*a11 - c1*a01) / det, (a00*c1 - a01*c0) / det}
		done := math.Abs(nb[0]-b[0]) < 1e-9 && math.Abs(nb[1]-b[1]) < 1e-9
		b = nb
		if done {
			break
		}
		for i, x := range X {
			r := y[i] - b[0]*x[0] - b[1]*x[1]
			q := tau
			if r < 0 {
				q = 1 - tau
			}
			w[i] = wt[i] * q / math.Max(math.Abs(r), 1e-5)
		}
	}
	return b
}

// CoveredBy reports whether r's final count is inside the range g would
// give it (the prediction's own Low and High come from viral's constants).
func CoveredBy(r Row, g Range) bool {
	l := logAge(r.Age)
	s := surprise(r)
	return g.Lo0+g.Lo1*l <= s && s <= g.Hi0+g.Hi1*l
}

// RhythmAges returns the observation ages a rhythm is chosen at.
func RhythmAges() []time.Duration {
	return []time.Duration{
		45 * time.Minute, time.Hour, 90 * time.Minute, 2 * time.Hour,
		3 * time.Hour, 4 * time.Hour, 6 * time.Hour, 8 * time.Hour,
	}
}

// RhythmGrid lists the rhythms ChooseRhythm picks from: none, and
// amplitudes 0.3 to 0.75 peaking on the hour from 10:00 to 18:00 UTC.
func RhythmGrid() []viral.Rhythm {
	g := []viral.Rhythm{{}}
	for _, a := range []float64{0.3, 0.45, 0.6, 0.75, 0.9} {
		for h := 10; h <= 18; h++ {
			g = append(g, viral.Rhythm{Amplitude: a, Peak: time.Duration(h) * time.Hour})
		}
	}
	return g
}

// RhythmLosses returns, for each rhythm of grid and each cascade of cs,
// the sum over RhythmAges of min(|log(predicted/actual)|, 1): the loss a
// rhythm is chosen by (capped, so that the few cascades that surge days
// later do not decide it).
func RhythmLosses(cs []viral.Cascade, grid []viral.Rhythm) [][]float64 {
	ms := make([]viral.Model, len(grid))
	out := make([][]float64, len(grid))
	for g, rh := range grid {
		ms[g].Rhythm = rh
		out[g] = make([]float64, len(cs))
	}
	for i := range cs {
		fin := float64(cs[i].Final(Horizon))
		for g, ps := range Paths(&cs[i], ms, 0, RhythmAges()) {
			for _, p := range ps {
				if p.Observed >= 1 && fin >= 1 {
					out[g][i] += math.Min(math.Abs(math.Log(math.Max(p.Final, 1)/fin)), 1)
				}
			}
		}
	}
	return out
}

// ChooseRhythm returns the index in the grid of the rhythm with the least
// total loss over the cascades for which keep is true (nil: all).
func ChooseRhythm(losses [][]float64, keep func(i int) bool) int {
	best, bl := 0, math.Inf(1)
	for g, ls := range losses {
		t := 0.0
		for i, l := range ls {
			if keep == nil || keep(i) {
				t += l
			}
		}
		if t < bl {
			best, bl = g, t
		}
	}
	return best
}
