package viral

import (
	"math"
	"time"
)

// Model says how a [Tracker] turns the reshares it has seen into a
// [Prediction]. See the package documentation for the method.
//
// The zero value is the model this package was validated with: the SEISMIC
// paper's kernel, a 7-day horizon, 1000 followers for an unknown account
// and no daily rhythm. A Model is a value; it is safe for concurrent use.
type Model struct {
	// Kernel is the memory kernel; the zero value is the paper's.
	Kernel Kernel
	// DefaultFollowers stands in for an unknown follower count (negative
	// in [Tracker.Observe], every reshare in count mode, 0 for the
	// poster); 1000 when zero.
	DefaultFollowers float64
	// Horizon is the age at which a post's count is final; 7 days when
	// zero.
	Horizon time.Duration
	// Rhythm is the audience's daily cycle of activity; the zero value is
	// none. [TwitterRhythm] is the one of the cascades the package was
	// validated on.
	Rhythm Rhythm
}

// Rhythm is a daily cycle of activity: at clock time c (UTC) the rate of
// reshares is multiplied by 1 + Amplitude·cos(2π·(c − Peak)/24 h). A
// rhythm matters for posts a few hours old, whose next hours may fall in
// the audience's night.
type Rhythm struct {
	Amplitude float64       // 0 (the zero value) for none; at most 0.9
	Peak      time.Duration // time of day, UTC, of the most activity
}

// TwitterRhythm returns the daily rhythm of the audience of the SEISMIC
// cascades (English-language Twitter, October 2011): 75% more activity
// than average at 14:00 UTC, 75% less at 02:00. It was chosen from
// amplitudes 0.3 to 0.9 and peaks 10:00 to 18:00 UTC by the error of the
// predictions on the 50 shared cascades (internal/eval.ChooseRhythm); left
// out in turn, each cascade's choice was this one for 46 of them and 0.6
// at 13:00 or 14:00 for the others. An audience elsewhere has its own
// rhythm.
func TwitterRhythm() Rhythm {
	return Rhythm{Amplitude: 0.75, Peak: 14 * time.Hour}
}

// Prediction is a [Model]'s estimate of a post's final reshare count.
type Prediction struct {
	At       time.Time // the moment the prediction describes
	Observed float64   // reshares so far
	// Final is the expected number of reshares within the model's horizon;
	// never below Observed.
	Final float64
	// Low and High bound an 80% range for the final count: on cascades
	// the package never saw, the final count fell inside it about 80% of
	// the time (see the package documentation for the figures).
	// Observed <= Low <= Final <= High.
	Low, High float64
	// Infectiousness is SEISMIC's p̂: reshares per follower exposed,
	// per unit of kernel mass, over the recent window.
	Infectiousness float64
	// Branching is the number of reshares each future reshare is expected
	// to trigger in turn: p̂ times the resharers' mean follower count,
	// capped at [MaxBranching].
	Branching float64
}

// MaxBranching caps the branching factor of the reshares still to come.
// A cascade whose resharers so far would each trigger more than this many
// reshares is assumed to slow down to it: uncapped, SEISMIC predicts an
// endless cascade for such posts. The cap was chosen from 0.4, 0.5 and 0.6
// on cascades of three sources, each scored with the cap chosen on the
// other two.
const MaxBranching = 0.5

// The 80% range of the reshares still to come: the final count lies
// between Observed + (F+1)·e^lo − 1 and Observed + (F+1)·e^hi − 1, F the
// expected number still to come, with lo and hi linear in log(age/1h).
// The four numbers are the 10% and 90% quantile lines of
// log((actual+1)/(F+1)) at ages 30 minutes to 12 hours, on the 50 shared
// SEISMIC cascades and the 2,308 Twitter15/16 trees, each source weighted
// equally; internal/eval refits them (TestRangeReproducible).
const (
	rangeLo0, rangeLo1 = -0.600, -0.236
	rangeHi0, rangeHi1 = 1.849, -0.128
)

const (
	cells        = 12             // log-spaced cells between now and the horizon
	minWindow    = 300.0          // seconds: p̂'s window is age/2 clamped ...
	maxWindow    = 7200.0         // ... to [5 min, 2 h]
	day          = 86400.0        // seconds
	maxLogGrowth = 9              // Final <= Observed·e^9 whatever the input
	defaultHz    = 7 * 24 * 3600. // seconds
)

func (m Model) defaultFollowers() float64 {
	if m.DefaultFollowers > 0 && m.DefaultFollowers <= MaxFollowers {
		return m.DefaultFollowers
	}
	return 1000
}

func (m Model) horizon() float64 {
	if m.Horizon > 0 {
		return m.Horizon.Seconds()
	}
	return defaultHz
}

// rhythm evaluates a model's daily cycle for a post made at posted.
type rhythm struct {
	amp, phase float64 // phase: the post's clock time minus Peak, in days
}

func (m Model) rhythm(posted time.Time) rhythm {
	a := m.Rhythm.Amplitude
	if !(a > 0) {
		return rhythm{}
	}
	a = math.Min(a, 0.9)
	sec := posted.Unix() % int64(day)
	clock := (float64(sec) + float64(posted.Nanosecond())/1e9) / day
	peak := math.Mod(m.Rhythm.Peak.Seconds()/day, 1)
	if math.IsNaN(peak) {
		peak = 0
	}
	return rhythm{amp: a, phase: clock - peak}
}

// mean is the average of the cycle over ages [s0, s1] (seconds).
func (r rhythm) mean(s0, s1 float64) float64 {
	if r.amp == 0 {
		return 1
	}
	x0, x1 := r.phase+s0/day, r.phase+s1/day
	if x1-x0 < 1e-6 {
		return 1 + r.amp*math.Cos(2*math.Pi*(x0+x1)/2)
	}
	return 1 + r.amp*(math.Sin(2*math.Pi*x1)-math.Sin(2*math.Pi*x0))/(2*math.Pi*(x1-x0))
}

// logAge is log(age in hours), clamped to [5 min, 30 days].
func logAge(age float64) float64 {
	h := age / 3600
	return math.Log(math.Min(math.Max(h, 1.0/12), 720))
}

// predict computes t's prediction at age u (seconds).
func (m Model) predict(t *Tracker, u float64) Prediction {
	k := m.Kernel.norm()
	n := t.n
	p := Prediction{At: t.Posted.Add(time.Duration(u * float64(time.Second))), Observed: n, Final: n, Low: n, High: n}
	hz := m.horizon()
	if n <= 0 {
		return p
	}
	u = math.Max(u, 1)
	rh := m.rhythm(t.Posted)
	w, num := t.window(u)
	f0 := m.defaultFollowers()
	if t.Followers > 0 {
		f0 = math.Min(float64(t.Followers), MaxFollowers)
	}
	den := f0 * k.windowed(u, w)
	sumN := 0.0
	for i := range t.bins {
		b := &t.bins[i]
		den += b.sumN * k.windowed(u-b.meanNT(), w)
		sumN += b.sumN
	}
	den *= rh.mean(u-w, u)
	if den > 0 && num > 0 {
		// at most critical: a reshare triggers at most one reshare
		// directly, on average (a burst in a short window would otherwise
		// predict a cascade that never ends)
		p.Infectiousness = finite(math.Min(num/den, n/sumN))
	}
	p.Branching = math.Min(p.Infectiousness*sumN/n, MaxBranching)
	if u < hz && p.Infectiousness > 0 {
		mean := m.future(t, k, rh, u, hz, f0, p.Infectiousness, p.Branching)
		// p̂ rests on num reshares: the count still to come is about
		// negative-binomial with shape num, whose median is below its mean
		// (Wilson–Hilferty), by much when num is small.
		g := math.Max(1-1/(9*num), 0)
		p.Final = n + mean*g*g*g
	}
	// the 80% range of the reshares still to come
	fut := p.Final - n
	l := logAge(u)
	p.Low = n + (fut+1)*math.Exp(rangeLo0+rangeLo1*l) - 1
	p.High = n + (fut+1)*math.Exp(rangeHi0+rangeHi1*l) - 1
	return p.clean()
}

// future is the expected number of reshares between ages u and hz: the
// ones the reshares so far (and the post) trigger directly, at rate
// p̂·followers·φ, and the ones those trigger in turn, kappa each, summed
// over cells of log-spaced age.
func (m Model) future(t *Tracker, k Kernel, rh rhythm, u, hz, f0, phat, kappa float64) float64 {
	var edge [cells + 1]float64
	var mid, mass [cells]float64
	r := math.Pow(hz/u, 1.0/cells)
	edge[0] = u
	for j := 1; j <= cells; j++ {
		edge[j] = edge[j-1] * r
	}
	edge[cells] = hz
	// direct: Σ followers·(Φ(edge_{j+1} − age) − Φ(edge_j − age))
	var direct [cells]float64
	prev := f0 * k.cdf(edge[0])
	for j := 0; j < cells; j++ {
		c := f0 * k.cdf(edge[j+1])
		direct[j] = c - prev
		prev = c
	}
	for i := range t.bins {
		b := &t.bins[i]
		a := b.meanNT()
		prev := k.cdf(edge[0] - a)
		for j := 0; j < cells; j++ {
			c := k.cdf(edge[j+1] - a)
			direct[j] += b.sumN * (c - prev)
			prev = c
		}
	}
	total := 0.0
	for j := 0; j < cells; j++ {
		mid[j] = math.Sqrt(edge[j] * edge[j+1])
		act := rh.mean(edge[j], edge[j+1])
		x := phat * act * direct[j]
		if kappa > 0 {
			ind := 0.0
			for i := 0; i < j; i++ {
				ind += mass[i] * (k.cdf(edge[j+1]-mid[i]) - k.cdf(edge[j]-mid[i]))
			}
			self := math.Min(kappa*act*k.cdf(edge[j+1]-mid[j]), 0.95)
			x = (x + kappa*act*ind) / (1 - self)
		}
		mass[j] = finite(x)
		total += mass[j]
	}
	return total
}

// clean enforces Observed <= Low <= Final <= High and finiteness.
func (p Prediction) clean() Prediction {
	lim := p.Observed * math.Exp(maxLogGrowth)
	fix := func(v float64) float64 {
		if math.IsNaN(v) {
			v = p.Observed
		}
		return math.Min(math.Max(v, p.Observed), lim)
	}
	p.Final, p.Low, p.High = fix(p.Final), fix(p.Low), fix(p.High)
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
