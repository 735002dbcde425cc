package trend

import (
	"fmt"
	"math"
	"time"
)

// Defaults of [Spike] and [Spikes].
const (
	DefaultSpikeThreshold = 0.6
	DefaultBucket         = 5 * time.Minute
	DefaultHoldoff        = 24 * time.Hour
	DefaultWarmup         = 24 * time.Hour
	DefaultQuiet          = time.Hour
	DefaultMaxGap         = 7 * 24 * time.Hour
)

// Spike scores one series of bucket totals (mentions per 5 minutes, say)
// and opens one [Alert] per episode of unusual volume. Feed it every bucket
// in time order with [Spike.Step].
//
// The model is a robust additive Holt-Winters model: a level that follows
// shifts within hours, an hourly daily profile and an hourly weekly
// profile (used once each hour of the week has been seen for a week), and
// a mean-absolute-deviation scale. Residuals are clipped before they
// update the model, so a spike does not become the new normal at once.
// The residual is averaged at three time scales (about 15 minutes, 1 hour
// and 4 hours), each divided by its own running spread, and each is
// divided by the typical daily peak of its own past values (the geometric
// mean of each past day's largest, with a 14-day half-life), so that a
// series which bursts every day needs a larger burst to alert than a
// quiet one. The largest of these ratios, r, gives the bucket's surprise
// r/(r+1), in [0,1): 0.5 is a bucket as surprising as a typical day's
// peak. The model's memories are set in time, not in buckets: the gap
// between one bucket and the next says how much it forgets, so hourly
// buckets, or a sensor's uneven readings, are modelled as 5-minute ones
// are.
//
// The score of a bucket is the smallest surprise of it and of the two
// buckets before it, when they lie within 10 minutes of it: three
// surprising 5-minute buckets in a row score, a moment's twitch does not
// (buckets of 15 minutes or more score alone). A record scores 1 at once:
// a bucket beyond the range of every value since the (re)start (by more
// than the model's scale, one bucket's typical deviation) that is itself
// at least 0.4 surprising (two thirds of a typical daily peak), such as a
// new all-time high in mentions or a server load never seen before. The
// default threshold 0.6 is then 15 minutes each about 1.5 times as
// surprising as a typical daily peak, or a record. Rises and falls both
// score: a series that goes quiet is an episode too, an [AlertDrop] whose
// summary says "below".
//
// While every value is a whole number >= 0 the series is taken for counts:
// the model works on the Anscombe transform 2*sqrt(count+3/8), on which
// Poisson noise has an sd of about 1 whatever the volume, and that is the
// floor of the scale, so low counts are not mistaken for spikes. The first
// other value (a fraction, a negative number) restarts the model on the
// values themselves (CPU load, latency, prices), with a floor of a tenth
// of their long-run mean absolute deviation.
//
// Each step is O(1) work on a fixed-size state (see [Spikes] for its
// size).
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
// Step never panics. A NaN or infinite value is a missing bucket: it is
// ignored and scores 0; values beyond ±1e150 count as ±1e150. A time at or
// before the previous bucket (a repeat, a daylight-saving repeat, out of
// order) is ignored and scores 0. Missing buckets are simply absent: the
// model is not updated for them. A gap longer than MaxGap (a clock jump)
// restarts the model from cold (a series of measurements stays one). No alert
// opens during Warmup after a (re)start, nor for a bucket whose count and
// baseline are both below MinCount. The residual that enters the averages
// is clipped at 20 scales, so one absurd bucket (a count of 1e30) weighs
// no more than a large real spike: its episode ends within hours and a
// later spike alerts as usual, though no longer as a record: it must last
// 10 minutes.
//
// The zero value is ready to use with the defaults. A Spike is not safe for
// concurrent use.
type Spike struct {
	Key       string        // copied into alerts
	Threshold float64       // score that opens an episode; 0 means DefaultSpikeThreshold (0.6)
	MinCount  float64       // buckets whose count and baseline are below this never open an episode
	Holdoff   time.Duration // minimum time between episode starts; 0 means 24h
	Quiet     time.Duration // time below Threshold/2 that ends an episode; 0 means 1h
	Warmup    time.Duration // no alerts this long after a (re)start; 0 means 24h
	MaxGap    time.Duration // a longer gap restarts the model; 0 means 7 days

	m       model
	started time.Time
	last    time.Time
	recent  [2]float64    // the two previous buckets' surprises, newest first
	apart   time.Duration // the time between them
	score   float64       // the last bucket's uncapped score
	ep      *Alert        // the open episode, if any
	quietAt time.Time     // when the score first fell below Threshold/2, if it did
	lastEp  time.Time     // start of the last episode

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

// config returns a fresh Spike with s's configuration.
func (s *Spike) config() Spike {
	return Spike{Key: s.Key, Threshold: s.Threshold, MinCount: s.MinCount, Holdoff: s.Holdoff,
		Quiet: s.Quiet, Warmup: s.Warmup, MaxGap: s.MaxGap}
}

func (s *Spike) threshold() float64 { return orF(s.Threshold, DefaultSpikeThreshold) }

// Raw returns the uncapped score of the last bucket Step accepted.
func (s *Spike) Raw() float64 { return s.score }

// recordGate is the least surprise (r/(r+1)) at which a record scores 1:
// about two thirds of a typical daily peak. Below it a new extreme is
// noise or ordinary growth. On pure noise (TestSpikeNoiseAlerts) records
// alert about once in 100 days per series without the gate, once in 400
// with it; the rest of the detector, never.
const recordGate = 0.4

// confirm is how long before a bucket the buckets whose surprise it must
// share lie: the two before it with 5-minute buckets, none with buckets of
// 15 minutes or more.
const confirm = 10 * time.Minute

// scoreBucket turns a bucket's calibrated surprise z into its uncapped
// score and direction (+1 above, -1 below): the smallest surprise r/(r+1)
// (r = |z|) of this bucket and of the two before it that lie within
// confirm of it, or 1 for a record. gap is the time since the previous
// bucket.
func (s *Spike) scoreBucket(z float64, gap time.Duration) (score float64, way int) {
	r := absf(z) / (absf(z) + 1)
	score = r
	if gap <= confirm {
		score = minf(score, s.recent[0])
		if gap+s.apart <= confirm {
			score = minf(score, s.recent[1])
		}
	}
	s.recent[1], s.recent[0], s.apart = s.recent[0], r, gap
	way = 1
	if z < 0 {
		way = -1
	}
	if s.m.record != 0 && r >= recordGate {
		score, way = 1, int(s.m.record)
	}
	return score, way
}

// Step feeds the total of the bucket at at and returns its score in [0,1].
// When the bucket opens or closes an episode, ok is true and alert
// describes the episode (open alerts have a zero End).
func (s *Spike) Step(at time.Time, count float64) (score float64, alert Alert, ok bool) {
	if math.IsNaN(count) || math.IsInf(count, 0) {
		return 0, Alert{}, false
	}
	first := s.last.IsZero()
	gap := at.Sub(s.last)
	if !first && gap <= 0 {
		return 0, Alert{}, false
	}
	if first || gap > orD(s.MaxGap, DefaultMaxGap) {
		s.m = model{measure: s.m.measure}
		s.started = at
		s.recent = [2]float64{}
		gap = 0
		if s.ep != nil {
			s.ep.End = s.last
			alert, ok = *s.ep, true
			s.ep = nil
		}
	}
	s.last = at
	z := s.m.step(&defaultParams, count, s.hourOfWeek(at), at.Unix(), gap.Seconds())
	raw, way := s.scoreBucket(z, gap)
	score, a := s.judge(at, count, s.m.baseline(), raw, way)
	if a.Kind != "" { // never with a restart's closing alert: no episode opens or is open then
		return score, a, true
	}
	return score, alert, ok
}

// judge runs the episode rules on one bucket's uncapped score raw and
// direction way (its count and baseline are for MinCount and the
// summary). It returns the score and, when the bucket opens or closes an
// episode, its alert.
func (s *Spike) judge(at time.Time, count, base, raw float64, way int) (score float64, alert Alert) {
	s.score = raw
	th := s.threshold()
	if s.ep == nil && raw < th {
		return raw, Alert{} // the common case: nothing opens, nothing to cap
	}
	score = raw
	warm := at.Sub(s.started) >= orD(s.Warmup, DefaultWarmup)
	if s.ep != nil {
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
				alert, s.ep = *s.ep, nil
			}
		} else {
			s.quietAt = time.Time{}
		}
	} else if raw >= th && warm && maxf(count, base) >= s.MinCount &&
		(s.lastEp.IsZero() || at.Sub(s.lastEp) >= orD(s.Holdoff, DefaultHoldoff)) {
		s.lastEp, s.quietAt = at, time.Time{}
		kind, dir, most := AlertSpike, "above", "most"
		if way < 0 {
			kind, dir, most = AlertDrop, "below", "least"
		}
		summary := fmt.Sprintf("%.4g in one bucket, far %s the usual %.3g", count, dir, base)
		if raw == 1 {
			summary += fmt.Sprintf(", the %s since %s", most, s.started.Format(time.DateTime))
		}
		s.ep = &Alert{
			Kind: kind, Key: s.Key, Start: at, Peak: at,
			Severity: severity(raw, th), Score: raw, Summary: summary,
		}
		return raw, *s.ep
	}
	if !warm || s.ep != nil || (!s.lastEp.IsZero() && at.Sub(s.lastEp) < orD(s.Holdoff, DefaultHoldoff)) {
		if score >= th {
			score = math.Nextafter(th, 0)
		}
	}
	return score, alert
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
