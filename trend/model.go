package trend

import "math"

// The volume model behind [Spike]: a robust additive Holt-Winters model
// (a level, an hourly daily profile and an hourly weekly profile) with a
// robust mean-absolute-deviation scale, residual averages at three time
// scales each divided by its own running spread, a calibration of the
// largest of these against the series' own daily peaks, and the range of
// the series' values, for records.
//
// Counts and measurements. While every value is a whole number >= 0 the
// series is taken for counts: the model works on the Anscombe transform
// 2*sqrt(count+3/8), on which Poisson noise has an sd of about 1 whatever
// the volume, and the scale has that floor, so that low counts are not
// mistaken for spikes. The first value that is not (a fraction, a negative
// number) restarts the model on the values themselves, with a floor of a
// tenth of the series' long-run mean absolute deviation instead, so that a
// flat stretch does not make every wiggle infinitely surprising.
//
// Time. The rates are set for 5-minute buckets and converted for the gap
// between buckets (see rates), so that the model's memories last the same
// time whatever the width of the buckets: hourly buckets, or the uneven
// gaps of a sensor, are modelled in hours, not in buckets.
//
// Surprises are two-sided (a count far below its baseline scores like one
// far above) and the residual that enters the averages is clipped at 20
// scales, so that no single bucket, however absurd, moves a score for more
// than a few hours.
//
// Calibration. Each time scale's surprise z is divided by the typical
// daily peak of that scale's past surprises: the geometric mean of each
// past day's largest |z| (a 14-day half-life, the first day after a
// restart left out, and a prior of 7 days at 5, which a white-noise
// series' daily peak is near); the quotient of largest magnitude is the
// bucket's surprise. A series that bursts every day therefore needs a
// larger burst to alert than a quiet one, and one that shifts slowly a
// larger shift, so one threshold means about the same rate of alerts on
// all.
//
// Records. A bucket whose (transformed) value lies beyond the range of all
// values since the (re)start by more than one scale is a record, above or
// below; Spike lets a record alert at once. See nab_test.go for how these
// choices were made.

const (
	daySlots  = 24  // hourly daily profile
	weekSlots = 168 // hourly weekly profile
	nScales   = 3
)

// params are the model's settings, fixed for the product. The rates are
// per 5-minute bucket; [rates] converts them for other bucket widths.
type params struct {
	levelRate  float64          // per bucket
	seasonRate float64          // per visit of a daily slot (weekly slots learn 3x faster)
	scaleRate  float64          // per bucket, for the scale and the spreads
	clip       float64          // residuals beyond clip*scale are clipped in updates
	avgClip    float64          // and beyond avgClip*scale in the averages
	spanRate   float64          // per bucket, for the long-run deviation of measurements
	spanFloor  float64          // least scale of measurements, as a share of that deviation
	spanClip   float64          // deviations beyond spanClip times it are clipped
	scales     [nScales]float64 // EWMA rates of the residual averages
	weekMin    uint8            // visits before a weekly slot is trusted
	peakRate   float64          // per day, for the mean log daily peak
	peakPrior  float64          // weight of the prior, in days
	logPeak0   float64          // the prior's log daily peak
	margin     float64          // a record exceeds the range by more than margin*scale
}

// baseGap is the bucket width, in seconds, that params' rates are for.
const baseGap = 5 * 60

// rates are params' rates for one gap between buckets, so that the
// model's memories last the same time whatever the bucket width: a rate
// a per 5 minutes becomes 1-(1-a)^(gap/5min). With hourly buckets the
// level forgets in 6 hours, not 3 days, and each hour of the daily
// profile learns from 3 days of visits, not 36; the shortest average
// (15 minutes) is then just the last bucket. Rates are recomputed only
// when the gap changes.
type rates struct {
	gap                              float64 // seconds
	level, season, week, scale, span float64
	scales                           [nScales]float64
	noise                            [nScales]float64 // sqrt(a/(2-a)): the sd of an EWMA of white noise
}

func (r *rates) set(p *params, gap float64) {
	r.gap = gap
	b := gap / baseGap
	per := func(a float64) float64 {
		if b == 1 {
			return a
		}
		return -math.Expm1(b * math.Log1p(-a))
	}
	r.level, r.season, r.scale, r.span = per(p.levelRate), per(p.seasonRate), per(p.scaleRate), per(p.spanRate)
	r.week = minf(3*r.season, 1)
	for k, a := range p.scales {
		r.scales[k] = per(a)
		r.noise[k] = ewmaNoise(r.scales[k])
	}
}

func halfLife(buckets float64) float64 { return 1 - math.Pow(0.5, 1/buckets) }

func ewmaNoise(a float64) float64 { return math.Sqrt(a / (2 - a)) }

// defaultParams are for 5-minute buckets: level half-life 6 h, profiles 3
// days of visits, scale and spreads 3 days, averages over about 15 min,
// 1 h and 4 h, the long-run deviation of measurements over about a day.
var defaultParams = params{
	levelRate:  halfLife(72),
	seasonRate: halfLife(36),
	scaleRate:  halfLife(3 * 288),
	clip:       5,
	avgClip:    20,
	spanRate:   0.002,
	spanFloor:  0.1,
	spanClip:   1000,
	scales:     [nScales]float64{1.0 / 3, 1.0 / 12, 1.0 / 48},
	weekMin:    12,
	peakRate:   halfLife(14),
	peakPrior:  7,
	logPeak0:   math.Log(5),
	margin:     1,
}

// model is fixed-size state for one series (see TestSpikesMemory for its
// size).
type model struct {
	measure bool  // a value was not a whole number >= 0: not counts
	n       int64 // buckets seen since the last restart
	level   float64
	expect  float64 // the last bucket's expected value, before it was learnt
	scale   float64 // robust scale of one-bucket residuals (EWMA from 0)
	wsum    float64 // weight of the scale EWMAs, to correct their start-up bias
	avg     [nScales]float64
	spread  [nScales]float64
	mean    float64 // long-run mean of measurements
	span    float64 // long-run mean absolute deviation of measurements (EWMA from 0)
	spanW   float64 // its weight
	day     [daySlots]float32
	week    [weekSlots]float32
	dayN    [daySlots]uint8 // visits, saturating
	weekN   [weekSlots]uint8
	peaks   peaks
	r       rates
	lo, hi  float64 // the range of the transformed values since the (re)start
	record  int8    // the last bucket lay beyond that range: +1 above, -1 below
}

// peaks calibrates each time scale's surprises against that scale's own
// daily peaks.
type peaks struct {
	dayStart int64            // unix seconds at which the current day began
	days     int8             // 0 before the first bucket, 1 in the first day, 2 after it
	max      [nScales]float64 // largest |z| of the current day
	sum, w   [nScales]float64 // decayed sum of log daily peaks and its weight
	inverse  [nScales]float64 // 1 / exp of the mean log daily peak, with the prior
}

// transform maps a value to the scale the model works on.
func (m *model) transform(v float64) float64 {
	if m.measure {
		return v
	}
	return 2 * math.Sqrt(v+0.375)
}

// baseline returns the last bucket's expected value on the value's own
// scale (a count, for counts).
func (m *model) baseline() float64 {
	if m.measure {
		return m.expect
	}
	return maxf(m.expect*m.expect/4-0.375, 0)
}

// step feeds one bucket (v its value, how the hour of the week, unix its
// time in seconds, gap the seconds since the previous bucket, 0 for the
// first) and returns the calibrated surprise: positive when the bucket is
// above its baseline, negative below, computed before the model learns v.
func (m *model) step(p *params, v float64, how int, unix int64, gap float64) float64 {
	if !m.measure && (v < 0 || v != math.Trunc(v)) {
		*m = model{measure: true}
	}
	// Beyond 1e150 differences and squares could overflow: such values
	// are only very large.
	v = clampAround(v, 0, maxValue)
	if gap > 0 && gap != m.r.gap {
		m.r.set(p, gap)
	} else if m.r.gap == 0 { // the first bucket: its rates hardly matter
		m.r.set(p, baseGap)
	}
	z := m.surprise(p, m.transform(v), how)
	return m.peaks.calibrate(p, &z, unix)
}

// maxValue bounds the magnitude of the values the model sees.
const maxValue = 1e150

// calibrate divides each time scale's z by the typical daily peak of that
// scale's |z|, records |z| in the current day, and returns the quotient of
// largest magnitude. A day is 24 hours from the first bucket; the first
// day after a (re)start is the model's warm-up and is not recorded, and
// days without buckets are skipped.
func (c *peaks) calibrate(p *params, z *[nScales]float64, unix int64) float64 {
	const day = 24 * 60 * 60
	if c.days == 0 {
		c.dayStart, c.days = unix, 1
		for k := range c.inverse {
			c.inverse[k] = math.Exp(-p.logPeak0)
		}
	}
	if unix-c.dayStart >= day {
		if c.days == 2 {
			for k := range c.max {
				c.sum[k] = c.sum[k]*(1-p.peakRate) + math.Log(maxf(c.max[k], 0.1))
				c.w[k] = c.w[k]*(1-p.peakRate) + 1
				c.inverse[k] = math.Exp(-(p.peakPrior*p.logPeak0 + c.sum[k]) / (p.peakPrior + c.w[k]))
			}
		}
		c.days = 2
		c.max = [nScales]float64{}
		c.dayStart += (unix - c.dayStart) / day * day
	}
	best, size := 0.0, 0.0
	for k, zk := range z {
		a := absf(zk)
		c.max[k] = maxf(c.max[k], a)
		if a*c.inverse[k] > size {
			best, size = zk*c.inverse[k], a*c.inverse[k]
		}
	}
	return best
}

// surprise is step before calibration: the standardised residual average
// at each time scale.
func (m *model) surprise(p *params, x float64, how int) (z [nScales]float64) {
	hod := how % daySlots
	if m.n == 0 {
		m.level, m.mean = x, x
	}
	m.n++
	// Expected value: level plus the weekly profile once trusted, else daily.
	season := 0.0
	if m.dayN[hod] > 0 {
		season = float64(m.day[hod])
	}
	if m.weekN[how] >= p.weekMin {
		season = float64(m.week[how])
	}
	m.expect = m.level + season
	r := x - m.expect
	unbias := 1.0
	if m.wsum > 0 {
		unbias = 1 / m.wsum
	}
	// Noise floor: a Poisson count has sd ~1 on the Anscombe scale; a
	// measurement's floor is a share of its long-run deviation.
	floor := 1.0
	if m.measure {
		floor = m.measureFloor(p, x)
	}
	sc := maxf(m.scale*unbias, floor)
	m.record = 0
	if m.n == 1 {
		m.lo, m.hi = x, x
	} else {
		if d := p.margin * sc; x > m.hi+d {
			m.record = 1
		} else if x < m.lo-d {
			m.record = -1
		}
		m.lo, m.hi = minf(m.lo, x), maxf(m.hi, x)
	}
	ra := clampAround(r, 0, p.avgClip*sc)
	var sp [nScales]float64
	for k, a := range m.r.scales {
		m.avg[k] += a * (ra - m.avg[k])
		sp[k] = maxf(m.spread[k]*unbias, sc*m.r.noise[k])
		z[k] = m.avg[k] / sp[k]
	}
	// Robust updates with the clipped residual.
	c := p.clip * sc
	rc := clampAround(r, 0, c)
	if m.n > 1 {
		m.scale += m.r.scale * (absf(rc)*1.2533 - m.scale)
		for k := range m.r.scales {
			v := minf(absf(m.avg[k]), p.clip*sp[k])
			m.spread[k] += m.r.scale * (v*1.2533 - m.spread[k])
		}
		m.wsum += m.r.scale * (1 - m.wsum)
	}
	m.level += m.r.level * rc
	d := x - m.level
	if m.dayN[hod] == 0 {
		m.day[hod] = float32(d)
	} else {
		v := float64(m.day[hod])
		m.day[hod] = float32(v + m.r.season*(clampAround(d, v, c)-v))
	}
	if m.weekN[how] == 0 {
		m.week[how] = m.day[hod]
	} else {
		w := float64(m.week[how])
		m.week[how] = float32(w + m.r.week*(clampAround(d, w, c)-w))
	}
	m.dayN[hod] = saturate(m.dayN[hod])
	m.weekN[how] = saturate(m.weekN[how])
	for k, zk := range z {
		if m.n == 1 || math.IsNaN(zk) {
			z[k] = 0
		}
	}
	return z
}

// measureFloor returns the least scale of a measurement series, a share
// of its long-run mean absolute deviation from its long-run mean, and
// then learns x. Deviations beyond 1000 times that deviation are clipped,
// so one absurd value (1e30 among values near 1) raises the floor at most
// threefold, for a day or so, not a thousandfold for months; a run of k
// absurd values raises it up to 3^k-fold. (A tighter clip, 20 or 100
// times, cuts off the jumps of server metrics that go from 0.1 to 90 and
// lowered the NAB figures.)
func (m *model) measureFloor(p *params, x float64) float64 {
	floor, span := 1e-300, 0.0
	if m.spanW > 0 {
		span = m.span / m.spanW
		floor = maxf(floor, p.spanFloor*span)
	}
	dev := x - m.mean
	if span > 0 {
		dev = clampAround(dev, 0, p.spanClip*span)
	}
	m.span += m.r.span * (absf(dev) - m.span)
	m.spanW += m.r.span * (1 - m.spanW)
	m.mean += m.r.span * dev
	return floor
}

func saturate(n uint8) uint8 {
	if n < math.MaxUint8 {
		n++
	}
	return n
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
