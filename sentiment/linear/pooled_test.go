package linear

import (
	"fmt"
)

// augment returns d with every example's features twice: once as they
// are (shared by all domains) and once moved into the block of the
// example's domain, dom[n] in 0..nd-1 (Daumé's feature augmentation);
// an example of domain -1 has only the shared copy. Block b of the
// result starts at index b*dim.
func augment(d *dataset, dom []int, dim int) *dataset {
	a := &dataset{off: make([]int, 1, len(d.off)), y: d.y, w: d.w}
	for n := range d.y {
		fi, fv := d.idx[d.off[n]:d.off[n+1]], d.val[d.off[n]:d.off[n+1]]
		a.idx = append(a.idx, fi...)
		a.val = append(a.val, fv...)
		if g := dom[n]; g >= 0 {
			shift := int32((g + 1) * dim)
			for j, i := range fi {
				a.idx = append(a.idx, i+shift)
				a.val = append(a.val, fv[j])
			}
		}
		a.off = append(a.off, len(a.idx))
	}
	return a
}

// domainWeights returns each example's weight: within each domain the
// classes weigh the same in total (unless cfg.Unbalanced), and the
// examples of domain g weigh share[g] times their number in total.
func domainWeights(d *dataset, dom []int, rows []int, k int, share []float64, unbalanced bool) []float64 {
	nd := len(share)
	count := make([]float64, (nd+1)*k) // by domain+1 (0: domain -1), class
	for _, n := range rows {
		count[(dom[n]+1)*k+d.y[n]]++
	}
	w := make([]float64, len(d.y))
	for _, n := range rows {
		g := dom[n] + 1
		row := count[g*k : g*k+k]
		var total, classes float64
		for _, c := range row {
			total += c
			if c > 0 {
				classes++
			}
		}
		s := 1.0
		if g > 0 {
			s = share[g-1]
		}
		if unbalanced {
			w[n] = s
		} else {
			w[n] = s * total / (classes * row[d.y[n]])
		}
	}
	return w
}

// fitPooled trains one model per domain on the rows of d, which hold
// examples of nd domains (dom[n], or -1 for examples that only teach
// what the domains share): each domain's model is the sum of the shared
// weights and its own. share[g] scales the total weight of domain g's
// examples; examples of domain -1 weigh 1 each.
func (m0 *Model) fitPooled(d *dataset, dom []int, share []float64, rows []int, cfg Config, langs []string) ([]*Model, error) {
	nd := len(share)
	dim, k := m0.dim, m0.k
	if (nd+1)*dim*k > 8*maxWeights {
		return nil, fmt.Errorf("linear: %d domains with 2^%d buckets make too many weights", nd, m0.feat.Bits)
	}
	dd := *d
	dd.w = domainWeights(d, dom, rows, k, share, cfg.Unbalanced)
	a := augment(&dd, dom, dim)
	big := &Model{feat: m0.feat, labels: m0.labels, k: k, dim: (nd + 1) * dim}
	big.w = make([]float32, big.dim*k)
	if err := big.fit(a, rows, cfg); err != nil {
		return nil, err
	}
	out := make([]*Model, nd)
	for g := range out {
		m, err := newModel(m0.feat, langs[g], m0.labels)
		if err != nil {
			return nil, err
		}
		own := big.w[(g+1)*dim*k : (g+2)*dim*k]
		for i := range m.w {
			m.w[i] = roundBF16(big.w[i] + own[i])
		}
		out[g] = m
	}
	return out, nil
}
