package viral

import "math"

// lad fits y ≈ X·b minimising Σ|y - X·b| by iteratively reweighted least
// squares with a small ridge penalty (ridge·|b|², intercept included) for
// stability. X is row-major with p columns. A non-nil start warm-starts
// the iterations; iters bounds them.
func lad(X [][]float64, y []float64, ridge float64, start []float64, iters int) []float64 {
	if len(y) == 0 {
		return nil
	}
	weight := func(r float64) float64 { return 1 / math.Max(math.Abs(r), 1e-4) }
	w := make([]float64, len(y))
	for i := range w {
		w[i] = 1
		if start != nil {
			w[i] = weight(y[i] - dot(X[i], start))
		}
	}
	return irls(X, y, w, ridge, iters, weight)
}

// irls solves the weighted, ridge-penalised normal equations from the
// initial weights w, then sets each weight to weight(residual) and solves
// again, until the coefficients move less than 1e-7 or iters runs out. It
// returns the last solution (nil if the first one is singular).
func irls(X [][]float64, y, w []float64, ridge float64, iters int, weight func(r float64) float64) []float64 {
	n, p := len(y), len(X[0])
	var b []float64
	for iter := 0; iter < iters; iter++ {
		A := make([][]float64, p)
		for j := range A {
			A[j] = make([]float64, p+1)
			A[j][j] = ridge * float64(n)
		}
		normal(A, X, y, w)
		nb := solve(A)
		if nb == nil {
			return b
		}
		conv := b != nil && maxDiff(b, nb) < 1e-7
		b = nb
		if conv {
			break
		}
		for i := 0; i < n; i++ {
			w[i] = weight(y[i] - dot(X[i], b))
		}
	}
	return b
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// solve solves the augmented system A (p rows of p+1) by Gaussian
// elimination with partial pivoting; nil if singular.
func solve(A [][]float64) []float64 {
	p := len(A)
	for c := 0; c < p; c++ {
		piv := c
		for r := c + 1; r < p; r++ {
			if math.Abs(A[r][c]) > math.Abs(A[piv][c]) {
				piv = r
			}
		}
		if math.Abs(A[piv][c]) < 1e-12 {
			return nil
		}
		A[c], A[piv] = A[piv], A[c]
		for r := c + 1; r < p; r++ {
			f := A[r][c] / A[c][c]
			for k := c; k <= p; k++ {
				A[r][k] -= f * A[c][k]
			}
		}
	}
	x := make([]float64, p)
	for r := p - 1; r >= 0; r-- {
		s := A[r][p]
		for k := r + 1; k < p; k++ {
			s -= A[r][k] * x[k]
		}
		x[r] = s / A[r][r]
	}
	return x
}

// quantReg fits the tau-quantile of y given X by iteratively reweighted
// least squares on the check loss.
func quantReg(X [][]float64, y []float64, tau float64) []float64 {
	if len(y) == 0 {
		return nil
	}
	w := make([]float64, len(y))
	for i := range w {
		w[i] = 1
	}
	return irls(X, y, w, 1e-9, 80, func(r float64) float64 {
		q := tau
		if r < 0 {
			q = 1 - tau
		}
		return q / math.Max(math.Abs(r), 1e-4)
	})
}

func maxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// normal adds the weighted normal equations Σ w·x·xᵀ | Σ w·x·y to A. For
// up to maxP columns it accumulates in stack arrays (much cheaper under
// the race detector, which instruments slice accesses).
func normal(A [][]float64, X [][]float64, y, w []float64) {
	p := len(A)
	if p > maxP {
		normalSlow(A, X, y, w)
		return
	}
	var acc [maxP][maxP + 1]float64
	var x [maxP]float64
	for i, row := range X {
		copy(x[:p], row)
		wi := w[i]
		yi := y[i] * wi
		for j := 0; j < p; j++ {
			xw := x[j] * wi
			if xw == 0 {
				continue
			}
			for k := j; k < p; k++ {
				acc[j][k] += xw * x[k]
			}
			acc[j][maxP] += x[j] * yi
		}
	}
	for j := 0; j < p; j++ {
		for k := j; k < p; k++ {
			A[j][k] += acc[j][k]
		}
		A[j][p] += acc[j][maxP]
		for k := 0; k < j; k++ {
			A[j][k] = A[k][j]
		}
	}
}

const maxP = 16

func normalSlow(A [][]float64, X [][]float64, y, w []float64) {
	p := len(A)
	for i, x := range X {
		wi, yi := w[i], y[i]
		for j := 0; j < p; j++ {
			xw := x[j] * wi
			if xw == 0 {
				continue
			}
			row := A[j]
			for k := j; k < p; k++ {
				row[k] += xw * x[k]
			}
			row[p] += xw * yi
		}
	}
	for j := 0; j < p; j++ {
		for k := 0; k < j; k++ {
			A[j][k] = A[k][j]
		}
	}
}
