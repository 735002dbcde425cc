package linear

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// fit trains m's weights on the rows of d, in that order before shuffling.
func (m *Model) fit(d *dataset, rows []int, cfg Config) error {
	k := m.k
	count := make([]int, k)
	for _, n := range rows {
		count[d.y[n]]++
	}
	classes := 0
	for _, c := range count {
		if c > 0 {
			classes++
		}
	}
	if classes < 2 {
		if len(rows) == 0 {
			return ErrNoExamples
		}
		return fmt.Errorf("%w (all %d are %q)", ErrOneClass, len(rows), m.labels[d.y[rows[0]]])
	}
	weight := make([]float64, k)
	for c := range weight {
		switch {
		case count[c] == 0:
			weight[c] = 0
		case cfg.Unbalanced:
			weight[c] = 1
		default:
			weight[c] = float64(len(rows)) / float64(classes*count[c])
		}
	}

	sc := nbScales(d, rows, m.dim, k, cfg.NaiveBayes)
	// The training state of each hashed row lies together in st: k
	// weights, AdaGrad's sums of squared gradients, and the naive-Bayes
	// scales.
	stride := 3 * k
	st := make([]float64, m.dim*stride)
	for i := 0; i < m.dim; i++ {
		r := st[i*stride : i*stride+stride]
		for c := 0; c < k; c++ {
			r[k+c] = 1e-2
			r[2*k+c] = sc[i*k+c]
		}
	}
	order := slices.Clone(rows)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	rate, l2 := cfg.Rate, cfg.L2
	avg := make([]float64, m.dim*k) // sum of the weights after each epoch
	z := make([]float64, k)
	for range cfg.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, n := range order {
			fi, fv := d.idx[d.off[n]:d.off[n+1]], d.val[d.off[n]:d.off[n+1]]
			clear(z)
			for j, i := range fi {
				v := float64(fv[j])
				r := st[int(i)*stride : int(i)*stride+stride]
				for c := range z {
					z[c] += r[c] * r[2*k+c] * v
				}
			}
			softmax(z)
			y := d.y[n]
			wy := weight[y]
			if d.w != nil {
				wy = d.w[n]
			}
			for c := range z { // z becomes the gradient of the loss
				if c == y {
					z[c]--
				}
				z[c] *= wy
			}
			for j, i := range fi {
				v := float64(fv[j])
				r := st[int(i)*stride : int(i)*stride+stride]
				for c := 0; c < k; c++ {
					g := z[c]*v*r[2*k+c] + l2*r[c]
					r[k+c] += g * g
					r[c] -= rate * g / math.Sqrt(r[k+c])
				}
			}
		}
		for i := 0; i < m.dim; i++ {
			for c := 0; c < k; c++ {
				avg[i*k+c] += st[i*stride+c]
			}
		}
	}
	// The model is the average of the epochs' weights, which is less
	// sensitive to the number of epochs and the rate than the last ones.
	for i, v := range avg {
		m.w[i] = roundBF16(float32(v / float64(cfg.Epochs) * sc[i]))
	}
	return nil
}

// nbScales returns a scale for each weight: 1 for the dense features and,
// for each hashed n-gram bucket and class, the magnitude of the
// one-vs-rest naive-Bayes log-count ratio of the bucket computed on the
// training rows with add-alpha smoothing (NBSVM, Wang & Manning 2012):
// |log((alpha+n_c)/(alpha+N_c)) - log((alpha+n_rest)/(alpha+N_rest))|,
// where n counts the examples that contain the bucket and N all examples.
// Alpha <= 0 gives all ones.
func nbScales(d *dataset, rows []int, dim, k int, alpha float64) []float64 {
	sc := make([]float64, dim*k)
	for i := range sc {
		sc[i] = 1
	}
	if alpha <= 0 {
		return sc
	}
	cnt := make([]float64, dim*k)
	n := make([]float64, k)
	for _, r := range rows {
		y := d.y[r]
		n[y]++
		for _, i := range d.idx[d.off[r]:d.off[r+1]] {
			if i >= nDense {
				cnt[int(i)*k+y]++
			}
		}
	}
	var total float64
	for _, v := range n {
		total += v
	}
	for i := nDense; i < dim; i++ {
		row := cnt[i*k : i*k+k]
		var all float64
		for _, v := range row {
			all += v
		}
		if all == 0 {
			continue // never seen in training: its weights stay 0 anyway
		}
		for c := 0; c < k; c++ {
			rest := all - row[c]
			r := math.Log((alpha+row[c])/(alpha+n[c])) - math.Log((alpha+rest)/(alpha+total-n[c]))
			sc[i*k+c] = math.Abs(r)
		}
	}
	return sc
}
