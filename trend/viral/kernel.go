package viral

import "math"

// Kernel is SEISMIC's power-law memory kernel: the density of the delay s
// between a reshare and a reshare it triggers,
//
//	φ(s) ∝ 1                   for 0 <= s <= S0
//	φ(s) ∝ (s/S0)^(-1-Theta)   for s > S0
//
// normalised to integrate to 1. Zhao et al. (KDD 2015) fit S0 = 5 minutes
// and Theta = 0.242 on Twitter; the zero value is that kernel.
type Kernel struct {
	S0    float64 // seconds; 300 when zero
	Theta float64 // tail exponent, in (0, 1); 0.242 when zero
}

func (k Kernel) norm() Kernel {
	if !(k.S0 > 0) || math.IsInf(k.S0, 0) {
		k.S0 = 300
	}
	if !(k.Theta > 0) || k.Theta >= 1 {
		k.Theta = 0.242
	}
	return k
}

// mass is the integral of the unnormalised φ (1 up to S0).
func (k Kernel) mass() float64 { return k.S0 * (1 + 1/k.Theta) }

// cdf is Φ(s) = ∫_0^s φ, normalised: 0 at 0, 1 at infinity.
func (k Kernel) cdf(s float64) float64 {
	c, _ := k.both(s)
	return c
}

// both returns Φ(s) and Ψ(s) = ∫_0^s u·φ(u) du with one power.
func (k Kernel) both(s float64) (cdf, moment float64) {
	if !(s > 0) {
		return 0, 0
	}
	m := k.mass()
	if s <= k.S0 {
		return s / m, s * s / 2 / m
	}
	x := s / k.S0
	q := math.Pow(x, -k.Theta)
	cdf = k.S0 * (1 + (1-q)/k.Theta) / m
	moment = k.S0 * k.S0 * (0.5 + (x*q-1)/(1-k.Theta)) / m
	return cdf, moment
}

// windowed is ∫ of the triangular weight (1 at "now", 0 at w before) times
// φ(u), over the ages u a reshare made age seconds before now had during
// the window: u from max(0, age-w) to age.
func (k Kernel) windowed(age, w float64) float64 {
	if !(age > 0) || !(w > 0) {
		return 0
	}
	c, m := k.both(age)
	var cLo, mLo float64
	if lo := age - w; lo > 0 {
		cLo, mLo = k.both(lo)
	}
	// the weight at age u is 1 - (age-u)/w
	v := (1-age/w)*(c-cLo) + (m-mLo)/w
	if !(v > 0) {
		return 0
	}
	return v
}
