package eval

import (
	"math"
	"time"

	"github.com/earshot-dev/earshot/trend/viral"
)

// Seismic is plain SEISMIC (Zhao et al., KDD 2015), computed event by
// event as a reference: the final count is N + D/(1 − p̂·n*), with p̂ the
// triangular-window infectiousness (window age/2 clamped to [5 min, 2 h],
// widened to hold 5 reshares), D = p̂·Σ followers·(1 − Φ(age)) the
// reshares still to come directly from the ones so far and the post, and
// n* = 100. It returns +Inf for a supercritical post (p̂·n* >= 1), where
// SEISMIC predicts no end.
func Seismic(c *viral.Cascade, obs time.Duration) float64 {
	const nStar, dflt = 100, 1000
	u := obs.Seconds()
	fol := func(f int) float64 {
		if f < 0 {
			return dflt
		}
		return math.Max(float64(f), 1)
	}
	n := c.ObservedBy(obs)
	if n == 0 {
		return 0
	}
	rs := c.Reshares[:n]
	w := math.Min(math.Max(u/2, 300), 7200)
	if n >= 5 && u-rs[n-5].Age.Seconds() > w {
		w = u - rs[n-5].Age.Seconds()
	}
	f0 := fol(c.Followers)
	if c.Followers == 0 {
		f0 = dflt
	}
	num, den, rem := 0.0, f0*windowed(u, w), f0*(1-cdf(u))
	for _, r := range rs {
		a := u - r.Age.Seconds()
		if a <= w {
			num += 1 - a/w
		}
		den += fol(r.Followers) * windowed(a, w)
		rem += fol(r.Followers) * (1 - cdf(a))
	}
	if den <= 0 || num <= 0 {
		return float64(n)
	}
	p := num / den
	if p*nStar >= 1 {
		return math.Inf(1)
	}
	return float64(n) + p*rem/(1-p*nStar)
}

// The paper's kernel, normalised: flat for S0 = 300 s, then s^-(1+θ).
const s0, theta = 300.0, 0.242

func cdf(s float64) float64 {
	if s <= 0 {
		return 0
	}
	m := s0 * (1 + 1/theta)
	if s <= s0 {
		return s / m
	}
	return s0 * (1 + (1-math.Pow(s/s0, -theta))/theta) / m
}

func moment(s float64) float64 {
	if s <= 0 {
		return 0
	}
	m := s0 * (1 + 1/theta)
	if s <= s0 {
		return s * s / 2 / m
	}
	return s0 * s0 * (0.5 + (math.Pow(s/s0, 1-theta)-1)/(1-theta)) / m
}

func windowed(a, w float64) float64 {
	if a <= 0 || w <= 0 {
		return 0
	}
	lo := math.Max(a-w, 0)
	return math.Max((1-a/w)*(cdf(a)-cdf(lo))+(moment(a)-moment(lo))/w, 0)
}
