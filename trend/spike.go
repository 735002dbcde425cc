package trend

import (
	"fmt"
	"math"
	"time"
)

// Defaults of [Spike] and [Spikes].
const (
	DefaultSpikeThreshold = 0.475
	DefaultBucket         = 5 * time.Minute
	DefaultHoldoff        = 24 * time.Hour
	DefaultWarmup         = 24 * time.Hour
	DefaultQuiet          = time.Hour
	DefaultMaxGap         = 7 * 24 * time.Hour
)

// zHalf is the standardised excess that maps to a score of 0.5.
const zHalf = 10

// Spike scores one series of bucket totals (mentions per 5 minutes, say)
// and opens one [Alert] per episode of unusual volume. Feed it every bucket
// in time order with [Spike.Step].
//
// The model is a robust additive Holt-Winters model of the count's
// Anscombe transform 2*sqrt(count+3/8), on which Poisson noise has an sd of
// about 1 whatever the volume: a level that follows shifts within hours, an
// hourly daily profile and an hourly weekly profile (used once each hour
// of the week has been seen for a week), and a mean-absolute-deviation
// scale with a Poisson floor, so that low counts are not mistaken for
// spikes. Residuals are clipped before
// they update the model, so a spike does not become the new normal at once.
// The excess over the baseline is averaged at three time scales (about 15
// minutes, 1 hour and 4 hours), each divided by its own running spread.
// The largest of these standardised excesses is calibrated against the
// series' own history: divided by ((d+0.5)/1.5)^(3/4), where d (at least
// 1) is the root mean square of the series' past excesses over 30 days, so
// that a series which bursts every day needs a larger burst to alert than
// a quiet one. The result z becomes the score z/(z+10), in [0,1). Each
// step is O(1) work on a fixed-size state of about 3 KiB.
//
// # Episodes
//
// A bucket whose score reaches Threshold opens an episode (an [Alert] with
// a zero End) unless the previous episode opened less than Holdoff ago.
// The episode ends after its score has stayed below Threshold/2 for Quiet.
// While an episode is open, or within Holdoff of its start, the score Step
// returns is capped just below Threshold, so that a score >= Threshold
// marks exactly the buckets that opened an episode; [Spike.Raw] reports the
// uncapped score.
//
// # Bad input
//
// Step never panics. A NaN or infinite count is a missing bucket: it is
// ignored and scores 0. A negative count counts as 0. A time at or before
// the previous bucket (a repeat, a daylight-saving repeat, out of order) is
// ignored and scores 0. Missing buckets are simply absent: the model is
// not updated for them. A gap longer than MaxGap (a clock jump) restarts
// the model from cold. No alert opens during Warmup after a (re)start, nor
// for a bucket below MinCount.
//
// The zero value is ready to use with the defaults. A Spike is not safe for
// concurrent use.
type Spike struct {
	Key       string        // copied into alerts
	Threshold float64       // score that opens an episode; 0 means DefaultSpikeThreshold (0.475)
	MinCount  float64       // buckets below this count never open an episode
	Holdoff   time.Duration // minimum time between episode starts; 0 means 24h
	Quiet     time.Duration // time below Threshold/2 that ends an episode; 0 means 1h
	Warmup    time.Duration // no alerts this long after a (re)start; 0 means 24h
	MaxGap    time.Duration // a longer gap restarts the model; 0 means 7 days

	m       model
	started time.Time
	last    time.Time
	raw     float64
	ep      Alert
	open    bool
	quietAt time.Time // when the score first fell below Threshold/2, if it did
	lastEp  time.Time // start of the last episode

	// hour-of-week cache: how is valid for unix seconds in [howLo, howHi)
	// in location howLoc.
	how          int
	howLo, howHi int64
	howLoc       *time.Location
}

// hourOfWeek returns at's weekday*24+hour in at's location, caching the
// hour so that most calls do no calendar arithmetic.
func (s *Spike) hourOfWeek(at time.Time) int {
	u := at.Unix()
	if loc := at.Location(); u >= s.howLo && u < s.howHi && loc == s.howLoc {
		return s.how
	}
	s.how = int(at.Weekday())*24 + at.Hour()
	s.howLo = u - int64(at.Minute()*60+at.Second())
	s.howHi = s.howLo + 3600
	s.howLoc = at.Location()
	return s.how
}

func (s *Spike) threshold() float64 { return orF(s.Threshold, DefaultSpikeThreshold) }

// Raw returns the uncapped score of the last bucket Step accepted.
func (s *Spike) Raw() float64 { return s.raw }

// Step feeds the total of the bucket at at and returns its score in [0,1].
// When the bucket opens or closes an episode, ok is true and alert
// describes the episode (open alerts have a zero End).
func (s *Spike) Step(at time.Time, count float64) (score float64, alert Alert, ok bool) {
	if math.IsNaN(count) || math.IsInf(count, 0) {
		return 0, Alert{}, false
	}
	if count < 0 {
		count = 0
	}
	if !s.last.IsZero() && !at.After(s.last) {
		return 0, Alert{}, false
	}
	if s.last.IsZero() || at.Sub(s.last) > orD(s.MaxGap, DefaultMaxGap) {
		s.m = model{}
		s.started = at
		if s.open {
			s.ep.End = s.last
			alert, ok = s.ep, true
			s.open = false
		}
	}
	s.last = at
	z := s.m.step(&defaultParams, anscombe(count), s.hourOfWeek(at))
	raw := 0.0
	if z > 0 {
		raw = z / (z + zHalf)
	}
	s.raw = raw
	th := s.threshold()
	score = raw
	warm := at.Sub(s.started) >= orD(s.Warmup, DefaultWarmup)
	if s.open {
		if raw > s.ep.Score {
			s.ep.Score, s.ep.Peak = raw, at
			s.ep.Severity = severity(raw, th)
		}
		if raw < th/2 {
			if s.quietAt.IsZero() {
				s.quietAt = at
			}
			if at.Sub(s.quietAt) >= orD(s.Quiet, DefaultQuiet) {
				s.ep.End = at
				s.open = false
				if !ok {
					alert, ok = s.ep, true
				}
			}
		} else {
			s.quietAt = time.Time{}
		}
	} else if raw >= th && warm && count >= s.MinCount &&
		(s.lastEp.IsZero() || at.Sub(s.lastEp) >= orD(s.Holdoff, DefaultHoldoff)) {
		s.open, s.lastEp, s.quietAt = true, at, time.Time{}
		s.ep = Alert{
			Kind: AlertSpike, Key: s.Key, Start: at, Peak: at,
			Severity: severity(raw, th), Score: raw,
			Summary: fmt.Sprintf("%g in one bucket, far above the usual level", count),
		}
		return raw, s.ep, true
	}
	if !warm || s.open || (!s.lastEp.IsZero() && at.Sub(s.lastEp) < orD(s.Holdoff, DefaultHoldoff)) {
		if score >= th {
			score = math.Nextafter(th, 0)
		}
	}
	return score, alert, ok
}

// severity grades a score against the threshold: Warning at the threshold,
// Critical half-way between it and 1.
func severity(score, th float64) Severity {
	if score >= th+(1-th)/2 {
		return Critical
	}
	if score >= th {
		return Warning
	}
	return Info
}

func orF(v, d float64) float64 {
	if v > 0 && !math.IsNaN(v) {
		return v
	}
	return d
}

func orD(v, d time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return d
}
