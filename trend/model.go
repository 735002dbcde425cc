package trend

import "math"

// The volume model behind [Spike]: a robust additive Holt-Winters model of
// log(1+count) with a daily and a weekly profile, a level that follows
// shifts, a robust (mean-absolute-deviation) scale, and residual averages at
// several time scales, each normalised by its own running spread.

const (
	daySlots  = 24  // hourly daily profile
	weekSlots = 168 // hourly weekly profile
	nScales   = 4
)

// params are the model's rates, fixed for the product; a field per knob so
// that tests can study them.
type params struct {
	levelRate  float64 // per bucket
	seasonRate float64 // per visit of a slot
	scaleRate  float64 // per bucket
	clip       float64 // residuals beyond clip*scale are clipped in updates
	scales     [nScales]float64
	weekMin    float64          // visits before a weekly slot is trusted
	median3    bool             // score the median of the last three buckets
	zclip      float64          // residuals fed to the averages are clipped at zclip*scale (0: off)
	firstScale int              // scales below this index are not scored
	noise      [nScales]float64 // sqrt(a/(2-a)): the sd of an EWMA of white noise
}

var defaultParams = params{
	levelRate:  1 - math.Pow(0.5, 1.0/72), // half-life 6 h at 5 min
	seasonRate: 1 - math.Pow(0.5, 1.0/36), // half-life 3 days of visits (12 a day)
	scaleRate:  1 - math.Pow(0.5, 1.0/288),
	clip:       3,
	scales:     [nScales]float64{1, 1.0 / 3, 1.0 / 12, 1.0 / 48},
	weekMin:    12,
	median3:    false,
	zclip:      0,
	firstScale: 1,
	noise: [nScales]float64{
		1, math.Sqrt((1.0 / 3) / (2 - 1.0/3)), math.Sqrt((1.0 / 12) / (2 - 1.0/12)), math.Sqrt((1.0 / 48) / (2 - 1.0/48)),
	},
}

// model is fixed-size state for one series.
type model struct {
	n      int64 // buckets seen
	level  float64
	day    [daySlots]float64
	dayN   [daySlots]float32
	week   [weekSlots]float64
	weekN  [weekSlots]float32
	scale  float64 // robust scale of one-bucket residuals (EWMA from 0)
	wsum   float64 // weight of the scale EWMAs, to correct their start-up bias
	avg    [nScales]float64
	spread [nScales]float64
	prev   [2]float64
}

// step feeds one bucket (log-transformed count x at hour-of-week slot how)
// and returns the largest standardised residual over the time scales
// (positive = above the baseline), computed before the update.
func (m *model) step(p *params, x float64, how int, mean0 float64) float64 {
	hod := how % daySlots
	if p.median3 {
		a, b := m.prev[0], m.prev[1]
		m.prev[0], m.prev[1] = b, x
		if m.n >= 2 {
			x = median3(a, b, x)
		}
	}
	if m.n == 0 {
		m.level = x
		m.scale = 0
	}
	m.n++
	// Expected value: level plus the weekly profile once trusted, else daily.
	season := 0.0
	if m.dayN[hod] > 0 {
		season = m.day[hod]
	}
	if m.weekN[how] >= float32(p.weekMin) {
		season = m.week[how]
	}
	e := m.level + season
	r := x - e
	// Noise floor: a Poisson count with mean mu has sd ~ 1/sqrt(mu+1) on
	// the log(1+count) scale, and mu+1 = exp(e).
	if e < 0 {
		e = 0
	}
	floor := math.Exp(-0.5 * e)
	unbias := 1.0
	if m.wsum > 0 {
		unbias = 1 / m.wsum
	}
	sc := maxf(m.scale*unbias, floor)
	z := -1e308
	ra := r
	if p.zclip > 0 {
		ra = minf(ra, p.zclip*sc)
	}
	var sp [nScales]float64
	for k, a := range p.scales {
		m.avg[k] += a * (ra - m.avg[k])
		sp[k] = maxf(m.spread[k]*unbias, sc*p.noise[k])
		if k >= p.firstScale {
			if zk := m.avg[k] / sp[k]; zk > z {
				z = zk
			}
		}
	}
	// Robust updates with the clipped residual.
	c := p.clip * sc
	rc := maxf(-c, minf(c, r))
	if m.n > 1 {
		m.scale += p.scaleRate * (absf(rc)*1.2533 - m.scale)
		for k := range p.scales {
			v := minf(absf(m.avg[k]), p.clip*sp[k])
			m.spread[k] += p.scaleRate * (v*1.2533 - m.spread[k])
		}
		m.wsum += p.scaleRate * (1 - m.wsum)
	}
	m.level += p.levelRate * rc
	d := x - m.level
	if m.dayN[hod] == 0 {
		m.day[hod] = d
	} else {
		m.day[hod] += p.seasonRate * (clampAround(d, m.day[hod], c) - m.day[hod])
	}
	m.dayN[hod]++
	if m.weekN[how] == 0 {
		m.week[how] = m.day[hod]
	} else {
		m.week[how] += p.seasonRate * 3 * (clampAround(d, m.week[how], c) - m.week[how])
	}
	m.weekN[how]++
	if m.n == 1 {
		return 0
	}
	return z
}

func clampAround(v, centre, c float64) float64 { return maxf(centre-c, minf(centre+c, v)) }

// maxf, minf and absf are math.Max, Min and Abs for inputs known not to be
// NaN, without their special cases (they are on the hot path).
func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func minf(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}

func absf(a float64) float64 {
	if a < 0 {
		return -a
	}
	return a
}

func median3(a, b, c float64) float64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	if a > b {
		return a
	}
	return b
}
