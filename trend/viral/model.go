package viral

import (
	"math"
	"time"
)

// Model turns a post's [Stats] into a [Prediction].
//
// With Coef nil it is plain SEISMIC (Zhao et al., KDD 2015): the final
// count is N + D/(1 - p̂·n*), where N is the count so far, p̂ the
// infectiousness, D the reshares the ones so far are still expected to
// trigger directly and n* = NStar; supercritical posts (p̂·n* >= 1) get the
// estimate at p̂·n* = 0.99 and are flagged.
//
// With Coef set it is the corrected model: the log of the growth still to
// come, log(Final/N), is a linear function of seven features of the stats,
// each with a coefficient that is itself linear in log(age in hours):
//
//	1                          intercept
//	log(1 + D₇/N)              SEISMIC's direct future reshares within the
//	                           horizon, relative to N
//	min(p̂·n*, 1.5)             SEISMIC's branching factor
//	sin, cos(2π·time of day)   daily rhythm (TiDeH), at the moment of
//	                           prediction, UTC
//	log(mean followers) - 7    audience of the resharers so far
//	log(1 + U₇/N)              the direct term again with every account
//	                           given the same audience: a purely temporal
//	                           (growth-curve) estimate
//
// so Coef holds 14 numbers: the seven base coefficients, then the seven
// slopes on log(age/1h). Low and High come from quantile regressions of the
// cross-validated log error on log(age/1h) (Interval). [Fit] learns both.
//
// The zero value is plain SEISMIC with the paper's kernel and n* = 100.
// A Model is read-only once in use and safe for concurrent use.
type Model struct {
	Kernel Kernel  // zero: [PaperKernel]
	NStar  float64 // SEISMIC's n*; 100 when zero
	// DefaultFollowers stands in for an unknown follower count (negative
	// in Observe, every reshare in count mode, 0 for the poster); 1000
	// when zero.
	DefaultFollowers float64
	Horizon          time.Duration // final = reshares within Horizon; 7 days when zero
	MinWindow        time.Duration // p̂ is estimated over age/2 clamped to
	MaxWindow        time.Duration // [MinWindow, MaxWindow]: 5 min, 2 h when zero

	// Coef are the correction coefficients (see above); nil means plain
	// SEISMIC.
	Coef []float64
	// Interval holds intercept and slope on log(age/1h) of the 10% and
	// 90% quantiles of log(actual/predicted): {lo0, lo1, hi0, hi1}.
	Interval [4]float64
}

// PlainModel is plain SEISMIC with the paper's kernel and n* = 100.
var PlainModel = &Model{}

// NumFeatures is the number of base features of the corrected model.
const NumFeatures = 7

func (m *Model) defaultFollowers() float64 {
	if m.DefaultFollowers > 0 && m.DefaultFollowers <= MaxFollowers {
		return m.DefaultFollowers
	}
	return 1000
}

func (m *Model) nStar() float64 {
	if m.NStar > 0 && !math.IsInf(m.NStar, 0) {
		return m.NStar
	}
	return 100
}

func (m *Model) minWindow() float64 {
	if m.MinWindow > 0 {
		return m.MinWindow.Seconds()
	}
	return 300
}

func (m *Model) maxWindow() float64 {
	if m.MaxWindow > 0 {
		return math.Max(m.MaxWindow.Seconds(), m.minWindow())
	}
	return math.Max(7200, m.minWindow())
}

func (m *Model) horizon() float64 {
	if m.Horizon > 0 {
		return m.Horizon.Seconds()
	}
	return 7 * 24 * 3600
}

// Prediction is a [Model]'s estimate of a post's final reshare count.
type Prediction struct {
	At       time.Time // the moment the prediction describes
	Observed float64   // reshares so far
	// Final is the estimated number of reshares within the model's
	// horizon; never below Observed.
	Final float64
	// Low and High bound Final: about an 80% interval (the 10% and 90%
	// quantiles of cross-validated errors, or for plain SEISMIC the 90%
	// interval of p̂ alone).
	Low, High float64
	// Seismic is the plain SEISMIC estimate, for comparison.
	Seismic float64
	// Supercritical reports p̂·n* >= 1, where plain SEISMIC predicts an
	// endless cascade; Seismic is then computed at p̂·n* = 0.99.
	Supercritical bool
	// Infectiousness is SEISMIC's p̂.
	Infectiousness float64
}

// logAge is log(age in hours), clamped to [5 min, 30 days].
func logAge(age time.Duration) float64 {
	h := age.Hours()
	return math.Log(math.Min(math.Max(h, 1.0/12), 720))
}

// features writes the 2·NumFeatures regression inputs of s into dst.
func (m *Model) features(s Stats, dst []float64) []float64 {
	n := math.Max(s.Observed, 1)
	day := float64(s.At.Sub(Epoch)%(24*time.Hour)) / float64(24*time.Hour)
	base := [NumFeatures]float64{
		1,
		math.Log1p(s.DirectWeek / n),
		math.Min(s.Infectiousness*m.nStar(), 1.5),
		math.Sin(2 * math.Pi * day),
		math.Cos(2 * math.Pi * day),
		math.Log(math.Max(s.MeanFollowers, 1)) - 7,
		math.Log1p(s.DirectUniform / n),
	}
	l := logAge(s.Age)
	dst = append(dst[:0], base[:]...)
	for _, b := range base {
		dst = append(dst, b*l)
	}
	for i, v := range dst {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			dst[i] = 0
		}
	}
	return dst
}

// maxLogGrowth caps log(Final/Observed).
const maxLogGrowth = 9

// Predict maps statistics to a prediction. It never returns NaN or Inf.
func (m *Model) Predict(s Stats) Prediction {
	n := finite(s.Observed)
	p := Prediction{At: s.At, Observed: n, Final: n, Low: n, High: n, Infectiousness: finite(s.Infectiousness)}
	if n <= 0 {
		p.Seismic = 0
		return p
	}
	br := p.Infectiousness * m.nStar()
	if br >= 1 {
		p.Supercritical = true
		br = 0.99
	}
	direct := finite(s.Direct)
	p.Seismic = finite(n + direct/(1-br))
	if m.Coef == nil {
		p.Final = p.Seismic
		// SEISMIC's interval: p̂ has a chi-square interval with 2k degrees
		// of freedom (k reshares in the window); take k ~ N capped.
		k := math.Min(n, 1000)
		lo := p.Infectiousness * chi2Quantile(-1.645, 2*k) / (2 * k)
		hi := p.Infectiousness * chi2Quantile(1.645, 2*k) / (2 * k)
		p.Low = seismicAt(n, direct, p.Infectiousness, lo, m.nStar())
		p.High = seismicAt(n, direct, p.Infectiousness, hi, m.nStar())
		return p.clean()
	}
	var buf [2 * NumFeatures]float64
	x := m.features(s, buf[:0])
	y := 0.0
	for i := range x {
		if i < len(m.Coef) {
			y += x[i] * m.Coef[i]
		}
	}
	y = math.Min(math.Max(finite(y), 0), maxLogGrowth)
	l := logAge(s.Age)
	p.Final = n * math.Exp(y)
	p.Low = p.Final * math.Exp(finite(m.Interval[0]+m.Interval[1]*l))
	p.High = p.Final * math.Exp(finite(m.Interval[2]+m.Interval[3]*l))
	return p.clean()
}

// seismicAt re-evaluates SEISMIC's estimate with infectiousness q instead
// of p (the direct term scales with it).
func seismicAt(n, direct, p, q, nStar float64) float64 {
	if p <= 0 {
		return n
	}
	br := math.Min(q*nStar, 0.99)
	return n + direct*q/p/(1-br)
}

// clean enforces Observed <= Low <= Final <= High and finiteness.
func (p Prediction) clean() Prediction {
	lim := p.Observed * math.Exp(maxLogGrowth)
	fix := func(v float64) float64 {
		v = finite(v)
		return math.Min(math.Max(v, p.Observed), lim)
	}
	p.Final, p.Low, p.High, p.Seismic = fix(p.Final), fix(p.Low), fix(p.High), fix(p.Seismic)
	p.Low = math.Min(p.Low, p.Final)
	p.High = math.Max(p.High, p.Final)
	return p
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// chi2Quantile approximates the quantile of a chi-square distribution
// with k degrees of freedom at standard normal score z (Wilson–Hilferty).
func chi2Quantile(z, k float64) float64 {
	if k <= 0 {
		return 0
	}
	a := 2 / (9 * k)
	v := 1 - a + z*math.Sqrt(a)
	return math.Max(k*v*v*v, 0)
}
