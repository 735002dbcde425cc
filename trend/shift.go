package trend

import (
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// Defaults of [Shift].
const (
	DefaultNegative    = -0.05 // VADER's convention: compound <= -0.05 is negative
	defaultRise        = 0.15
	defaultShiftH      = 10
	defaultMinPosts    = 20
	defaultMaxEvidence = 5
)

// Shift detects, per key, when the share of negative posts or their
// intensity rises significantly above the key's own baseline, and reports
// the posts that drove the rise.
//
// Each post carries a compound sentiment score in [-1,1] (VADER's compound,
// or any scorer's). Two CUSUM charts run per key, in log-likelihood units:
// one on the share of negative posts (compound <= Negative), testing the
// baseline share p0 against p0+Rise, and one on negativity (-compound),
// testing a rise of half a baseline standard deviation. The baseline share,
// mean and standard deviation are exponentially weighted over about 500
// posts, and the charts test against an upper confidence bound of them, so
// a baseline learnt from few posts does not make noise look like a rise. A
// lasting change becomes the new normal, and the episode ends once both
// charts are back at zero.
//
// An episode opens when a chart passes H (ln(1/H) is roughly the false
// alarm rate per post; 10 means about one false alarm in 20,000 posts) and
// the rise involved at least MinPosts posts, after the key has a baseline
// of 5×MinPosts posts (learnt as a plain mean during that warm-up). The alert's Evidence lists the MaxEvidence most
// negative posts of the rise.
//
// # Bad input
//
// Observe never panics: a NaN compound is ignored and others are clamped
// to [-1,1]. Posts are taken in the order given; at only dates the alert
// and the evidence, so out-of-order and repeated times are harmless.
// Evidence texts longer than 280 bytes are cut at a rune boundary.
//
// The zero value is ready to use. A Shift is not safe for concurrent use.
type Shift struct {
	Negative    float64 // negative when compound <= Negative; 0 means -0.05
	Rise        float64 // rise in negative share to detect; 0 means 0.15
	H           float64 // CUSUM decision threshold; 0 means 10
	MinPosts    int     // minimum posts in a rise; 0 means 20
	MaxEvidence int     // posts kept as evidence; 0 means 5
	MaxKeys     int     // keys tracked; 0 means DefaultMaxKeys
	OnAlert     func(Alert)

	keys map[string]*shiftState
	tick int64
}

type shiftState struct {
	n          int64   // posts seen
	p0         float64 // baseline negative share
	mean, sd   float64 // baseline negativity
	share, neg float64 // CUSUM statistics
	run        int     // posts since the charts left zero
	runStart   time.Time
	evidence   []Evidence
	evScore    []float64
	open       bool
	ep         Alert
	seen       int64
}

const shiftRate = 1.0 / 500

// Observe feeds one post of key: its time, compound score, and an ID and
// text to show as evidence.
func (d *Shift) Observe(key string, at time.Time, compound float64, id, text string) {
	if math.IsNaN(compound) {
		return
	}
	compound = math.Max(-1, math.Min(1, compound))
	d.tick++
	s := d.keys[key]
	if s == nil {
		if d.keys == nil {
			d.keys = make(map[string]*shiftState)
		}
		if len(d.keys) >= orInt(d.MaxKeys, DefaultMaxKeys) {
			d.evict()
		}
		s = &shiftState{p0: 0.2, mean: 0, sd: 0.4}
		d.keys[key] = s
	}
	s.seen = d.tick
	s.n++
	negThreshold := DefaultNegative
	if d.Negative != 0 && !math.IsNaN(d.Negative) {
		negThreshold = d.Negative
	}
	isNeg := 0.0
	if compound <= negThreshold {
		isNeg = 1
	}
	v := -compound
	minPosts := orInt(d.MinPosts, defaultMinPosts)
	if s.n <= int64(5*minPosts) {
		// Warm-up: learn the baseline as a running mean, no charts.
		r := math.Max(1/float64(s.n), shiftRate)
		s.p0 += r * (isNeg - s.p0)
		dv := v - s.mean
		s.mean += r * dv
		s.sd = math.Sqrt(s.sd*s.sd + r*(dv*dv-s.sd*s.sd))
		return
	}

	// CUSUM increments (log-likelihood ratios).
	// Test against an upper confidence bound of the baseline, so that a
	// baseline estimated from few posts does not make noise look like a rise.
	nEff := math.Min(float64(s.n), 1/shiftRate)
	p0 := math.Min(0.98, math.Max(0.01, s.p0+2*math.Sqrt(s.p0*(1-s.p0)/nEff)))
	p1 := math.Min(0.99, p0+orF(d.Rise, defaultRise))
	llrShare := math.Log((1 - p1) / (1 - p0))
	if isNeg == 1 {
		llrShare = math.Log(p1 / p0)
	}
	sd := math.Max(s.sd, 0.05)
	z := (v - s.mean - 2*sd/math.Sqrt(nEff)) / sd
	const delta = 0.5
	llrNeg := delta * (z - delta/2)
	wasZero := s.share == 0 && s.neg == 0
	s.share = math.Max(0, s.share+llrShare)
	s.neg = math.Max(0, s.neg+llrNeg)
	rising := s.share > 0 || s.neg > 0
	if rising && wasZero {
		s.run, s.runStart = 0, at
		s.evidence, s.evScore = s.evidence[:0], s.evScore[:0]
	}
	if rising {
		s.run++
		if isNeg == 1 {
			d.keep(s, Evidence{ID: id, Text: clip(text, 280), At: at}, v)
		}
	}
	// Learn the baseline slowly all the time: a rise over a few hundred
	// posts moves it little, a lasting change becomes the new normal.
	{
		s.p0 += shiftRate * (isNeg - s.p0)
		dv := v - s.mean
		s.mean += shiftRate * dv
		s.sd = math.Sqrt(s.sd*s.sd + shiftRate*(dv*dv-s.sd*s.sd))
	}
	h := orF(d.H, defaultShiftH)
	stat := math.Max(s.share, s.neg)
	score := stat / (stat + h) // 0.5 at the threshold
	switch {
	case !s.open && stat >= h && s.run >= minPosts:
		s.open = true
		s.ep = Alert{
			Kind: AlertSentiment, Key: key, Start: s.runStart, Peak: at,
			Severity: severity(score, 0.5), Score: score,
			Summary:  fmt.Sprintf("negative share rose above the usual %.0f%% over %d posts", 100*p0, s.run),
			Evidence: append([]Evidence(nil), s.evidence...),
		}
		d.emit(s.ep)
	case s.open && score > s.ep.Score:
		s.ep.Score, s.ep.Peak, s.ep.Severity = score, at, severity(score, 0.5)
		s.ep.Evidence = append(s.ep.Evidence[:0], s.evidence...)
	case s.open && !rising:
		s.open = false
		s.ep.End = at
		d.emit(s.ep)
	}
}

func (d *Shift) emit(a Alert) {
	if d.OnAlert != nil {
		a.Evidence = append([]Evidence(nil), a.Evidence...)
		d.OnAlert(a)
	}
}

// keep adds e to the bounded evidence list, keeping the most negative.
func (d *Shift) keep(s *shiftState, e Evidence, neg float64) {
	max := orInt(d.MaxEvidence, defaultMaxEvidence)
	if len(s.evidence) < max {
		s.evidence = append(s.evidence, e)
		s.evScore = append(s.evScore, neg)
		return
	}
	lo := 0
	for i, v := range s.evScore {
		if v < s.evScore[lo] {
			lo = i
		}
	}
	if neg > s.evScore[lo] {
		s.evidence[lo], s.evScore[lo] = e, neg
	}
}

// Open reports whether key has an open sentiment episode.
func (d *Shift) Open(key string) bool {
	s := d.keys[key]
	return s != nil && s.open
}

func (d *Shift) evict() { evictStale(d.keys, func(s *shiftState) int64 { return s.seen }) }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
