package viral

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// FitConfig says how [Fit] and [CrossValidate] learn a corrected [Model].
type FitConfig struct {
	// Base sets the kernel, n*, windows, horizon and default followers;
	// its Coef and Interval are ignored.
	Base Model
	// Anchors are the observation ages the regression is fitted on;
	// DefaultAnchors when nil.
	Anchors []time.Duration
	// Poll > 0 fits a count-mode model: the training cascades are replayed
	// as totals polled every Poll (see [Replay]).
	Poll time.Duration
	// Ridge is the ridge penalty per row; 3e-3 when zero.
	Ridge float64
}

// DefaultAnchors are the observation ages the default models are fitted
// on: every 15 to 30 minutes in the first hours, then sparser, up to half
// a day.
var DefaultAnchors = []time.Duration{
	30 * time.Minute, 45 * time.Minute, time.Hour, 75 * time.Minute, 90 * time.Minute,
	2 * time.Hour, 150 * time.Minute, 3 * time.Hour, 4 * time.Hour, 5 * time.Hour,
	6 * time.Hour, 8 * time.Hour, 10 * time.Hour, 12 * time.Hour,
}

// DefaultCountPoll is the polling interval [DefaultCountModel] was fitted
// on.
const DefaultCountPoll = 5 * time.Minute

// ErrTooFew reports too few usable cascades to fit or cross-validate.
var ErrTooFew = errors.New("viral: too few cascades")

// Replay feeds cascade c, up to age obs, to a new [Tracker] with model m
// and returns its statistics at obs. With poll > 0 the tracker only sees
// the totals at ages poll, 2·poll, ... <= obs (count mode).
func Replay(c *Cascade, obs time.Duration, m *Model, poll time.Duration) Stats {
	tr := &Tracker{Posted: c.Posted, Followers: c.Followers, Model: m}
	if poll > 0 {
		for at := poll; at <= obs; at += poll {
			tr.ObserveCount(c.Posted.Add(at), c.ObservedBy(at))
		}
	} else {
		for _, r := range c.Reshares {
			if r.Age > obs {
				break
			}
			tr.Observe(c.Posted.Add(r.Age), r.Followers)
		}
	}
	return tr.Stats(c.Posted.Add(obs))
}

type row struct {
	c     int
	age   time.Duration
	s     Stats
	final float64
}

func (cfg *FitConfig) rows(cs []Cascade, ages []time.Duration) []row {
	base := cfg.Base
	base.Coef = nil
	h := time.Duration(base.horizon() * float64(time.Second))
	sorted := append([]time.Duration(nil), ages...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	var rs []row
	for i := range cs {
		c := &cs[i]
		fin := float64(c.Final(h))
		// one replay per cascade, stopping at each age in turn
		tr := &Tracker{Posted: c.Posted, Followers: c.Followers, Model: &base}
		next, poll := 0, cfg.Poll
		for _, a := range sorted {
			if cfg.Poll > 0 {
				for ; poll <= a; poll += cfg.Poll {
					tr.ObserveCount(c.Posted.Add(poll), c.ObservedBy(poll))
				}
			} else {
				for ; next < len(c.Reshares) && c.Reshares[next].Age <= a; next++ {
					tr.Observe(c.Posted.Add(c.Reshares[next].Age), c.Reshares[next].Followers)
				}
			}
			rs = append(rs, row{i, a, tr.Stats(c.Posted.Add(a)), fin})
		}
	}
	return rs
}

// fit learns coefficients and interval from rows whose cascade is kept.
func (cfg *FitConfig) fit(rs []row, keep func(c int) bool) (*Model, error) {
	m := cfg.Base
	ridge := cfg.Ridge
	if ridge <= 0 {
		ridge = 3e-3
	}
	var X [][]float64
	var y []float64
	var cs []int
	for _, r := range rs {
		if !keep(r.c) || r.s.Observed < 1 || r.final < r.s.Observed {
			continue
		}
		X = append(X, m.features(r.s, nil))
		y = append(y, math.Log(r.final/r.s.Observed))
		cs = append(cs, r.c)
	}
	if len(y) < 4*NumFeatures {
		return nil, fmt.Errorf("%w: %d usable observations", ErrTooFew, len(y))
	}
	m.Coef = lad(X, y, ridge, nil, 60)
	if m.Coef == nil {
		return nil, fmt.Errorf("viral: fit: singular design")
	}
	// Interval: quantiles of out-of-fold residuals (5 folds over
	// cascades), linear in log age.
	var Q [][]float64
	var res []float64
	for f := 0; f < 5; f++ {
		var Xi [][]float64
		var yi []float64
		for i := range y {
			if cs[i]%5 != f {
				Xi, yi = append(Xi, X[i]), append(yi, y[i])
			}
		}
		b := lad(Xi, yi, ridge, m.Coef, 20) // warm start: for the interval only
		for i := range y {
			if cs[i]%5 == f && b != nil {
				pred := math.Min(math.Max(dot(X[i], b), 0), maxLogGrowth)
				Q = append(Q, []float64{1, X[i][len(X[i])/2]}) // the intercept times log age
				res = append(res, y[i]-pred)
			}
		}
	}
	lo, hi := quantReg(Q, res, 0.1), quantReg(Q, res, 0.9)
	if lo != nil && hi != nil {
		m.Interval = [4]float64{lo[0], lo[1], hi[0], hi[1]}
	}
	return &m, nil
}

// Fit learns a corrected [Model] from cascades: a least-absolute-deviation
// regression of log(final/observed) on the model's features at each
// anchor age of each cascade, then 10%/90% quantile regressions of
// 5-fold out-of-fold errors for the interval.
func Fit(cs []Cascade, cfg FitConfig) (*Model, error) {
	ages := cfg.Anchors
	if ages == nil {
		ages = DefaultAnchors
	}
	return cfg.fit(cfg.rows(cs, ages), func(int) bool { return true })
}

// CVResult is the outcome of [CrossValidate] at one observation age.
type CVResult struct {
	Age time.Duration
	// MdAPE is the median of |predicted-actual|/actual over cascades, for
	// the corrected model and for plain SEISMIC (Base with Coef nil).
	MdAPE, SeismicMdAPE float64
	// Coverage is the share of cascades whose final count fell in
	// [Low, High].
	Coverage float64
}

// CrossValidate scores [Fit] with k-fold cross-validation over cascades
// (cascade i is in fold i mod k; k = len(cs) is leave-one-out): each
// cascade is predicted at each age in at by a model fitted without it.
func CrossValidate(cs []Cascade, cfg FitConfig, k int, at []time.Duration) ([]CVResult, error) {
	if k < 2 || k > len(cs) {
		return nil, fmt.Errorf("%w: %d folds over %d cascades", ErrTooFew, k, len(cs))
	}
	ages := cfg.Anchors
	if ages == nil {
		ages = DefaultAnchors
	}
	train := cfg.rows(cs, ages)
	test := cfg.rows(cs, at)
	ape := make(map[time.Duration][]float64)
	sape := make(map[time.Duration][]float64)
	cover := make(map[time.Duration]float64)
	plain := cfg.Base
	plain.Coef = nil
	for f := 0; f < k; f++ {
		m, err := cfg.fit(train, func(c int) bool { return c%k != f })
		if err != nil {
			return nil, err
		}
		for _, r := range test {
			if r.c%k != f || r.final <= 0 {
				continue
			}
			p := m.Predict(r.s)
			ape[r.age] = append(ape[r.age], math.Abs(p.Final-r.final)/r.final)
			if p.Low <= r.final && r.final <= p.High {
				cover[r.age]++
			}
			sp := plain.Predict(r.s)
			se := math.Abs(sp.Seismic-r.final) / r.final
			if sp.Supercritical {
				se = math.Inf(1)
			}
			sape[r.age] = append(sape[r.age], se)
		}
	}
	out := make([]CVResult, 0, len(at))
	for _, a := range at {
		out = append(out, CVResult{
			Age: a, MdAPE: median(ape[a]), SeismicMdAPE: median(sape[a]),
			Coverage: cover[a] / math.Max(float64(len(ape[a])), 1),
		})
	}
	return out, nil
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
