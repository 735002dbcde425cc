package viral

import "math"

// Kernel is SEISMIC's power-law memory kernel: the density of the delay
// between a reshare and the reshares it triggers,
//
//	φ(s) = C                  for 0 <= s <= S0
//	φ(s) = C·(s/S0)^(-1-Theta) for s > S0
//
// with s in seconds. Zhao et al. (KDD 2015) fit S0 = 300 s, Theta = 0.242
// and C = 6.49e-4 on Twitter, which makes φ integrate to about 1; the
// methods below normalise by the total mass so that any C works.
type Kernel struct {
	S0    float64 // seconds; 300 when zero
	Theta float64 // tail exponent; 0.242 when zero
	C     float64 // level; 6.49e-4 when zero
}

// PaperKernel is the kernel fitted in the SEISMIC paper.
var PaperKernel = Kernel{S0: 300, Theta: 0.242, C: 6.49e-4}

func (k Kernel) norm() Kernel {
	if !(k.S0 > 0) || math.IsInf(k.S0, 0) {
		k.S0 = PaperKernel.S0
	}
	if !(k.Theta > 0) || math.IsInf(k.Theta, 0) || k.Theta >= 1 {
		k.Theta = PaperKernel.Theta
	}
	if !(k.C > 0) || math.IsInf(k.C, 0) {
		k.C = PaperKernel.C
	}
	return k
}

// mass is the total integral of φ.
func (k Kernel) mass() float64 { return k.C * k.S0 * (1 + 1/k.Theta) }

// cdf is Φ(s) = ∫_0^s φ, not normalised.
func (k Kernel) cdf(s float64) float64 {
	if s <= 0 {
		return 0
	}
	if s <= k.S0 {
		return k.C * s
	}
	return k.C * k.S0 * (1 + (1-math.Pow(s/k.S0, -k.Theta))/k.Theta)
}

// moment is Ψ(s) = ∫_0^s u·φ(u) du.
func (k Kernel) moment(s float64) float64 {
	if s <= 0 {
		return 0
	}
	if s <= k.S0 {
		return k.C * s * s / 2
	}
	return k.C * k.S0 * k.S0 * (0.5 + (math.Pow(s/k.S0, 1-k.Theta)-1)/(1-k.Theta))
}

// both returns cdf(s) and moment(s) with one power.
func (k Kernel) both(s float64) (cdf, moment float64) {
	if s <= 0 {
		return 0, 0
	}
	if s <= k.S0 {
		return k.C * s, k.C * s * s / 2
	}
	x := s / k.S0
	q := math.Pow(x, -k.Theta)
	cdf = k.C * k.S0 * (1 + (1-q)/k.Theta)
	moment = k.C * k.S0 * k.S0 * (0.5 + (x*q-1)/(1-k.Theta))
	return cdf, moment
}

// windowed is ∫ over the last w seconds before "now" of the triangular
// weight (1 at now, 0 at now-w) times φ(u), where u runs over the ages of
// a reshare made age seconds before now: u from max(0, age-w) to age.
func (k Kernel) windowed(age, w float64) float64 {
	c, m := k.both(age)
	return k.windowedAt(age, w, c, m)
}

// windowedAt is windowed given cdf(age) and moment(age).
func (k Kernel) windowedAt(age, w, cdfAge, momAge float64) float64 {
	if age <= 0 || w <= 0 {
		return 0
	}
	var cLo, mLo float64
	if lo := age - w; lo > 0 {
		cLo, mLo = k.both(lo)
	}
	// weight at age u is 1 - (age-u)/w
	v := (1-age/w)*(cdfAge-cLo) + (momAge-mLo)/w
	if v < 0 || math.IsNaN(v) {
		return 0
	}
	return v
}
