//go:build go1.24

package linear

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Pooled training by feature augmentation (Daumé 2007), kept in test
// code for BenchmarkChoosePooled: it did not lift the languages' CV, so
// no shipped model uses it.

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

// domainSet is one domain's examples for pooled cross-validation; Test
// false means its examples always train and are never scored.
type domainSet struct {
	Name  string
	Ex    []Example
	Share float64 // total weight relative to its number of examples
	Test  bool
	Fixed []Example // more examples of the domain, always in training
}

// pooledCV runs 5-fold cross-validation of pooled training: each domain
// that is tested is split in 5 stratified folds of its own (the same folds
// as CrossValidate on it alone), and fold f of every domain is scored by
// the models trained on the other folds of all domains. It returns the
// metrics of each domain (nil for those not tested).
func pooledCV(tb testing.TB, sets []domainSet, cfg Config) []*Metrics {
	cfg, err := cfg.resolve()
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Labels = polarityNames
	var all []Example
	var dom []int
	var share []float64
	var langs []string
	start := make([]int, len(sets)+1)
	for g, s := range sets {
		start[g] = len(all)
		all = append(all, s.Ex...)
		for range s.Ex {
			dom = append(dom, g)
		}
	}
	start[len(sets)] = len(all)
	for g, s := range sets {
		all = append(all, s.Fixed...)
		for range s.Fixed {
			dom = append(dom, g)
		}
		share = append(share, s.Share)
		langs = append(langs, s.Name)
	}
	d, m0, err := prepare(all, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	// fold[g][f]: the rows of domain g in fold f
	fold := make([][][]int, len(sets))
	for g, s := range sets {
		if !s.Test {
			continue
		}
		fs := folds(d.y[start[g]:start[g+1]], 5, 1)
		for f := range fs {
			for j := range fs[f] {
				fs[f][j] += start[g]
			}
		}
		fold[g] = fs
	}
	out := make([]*Metrics, len(sets))
	for g, s := range sets {
		if s.Test {
			mt := NewMetrics(m0.labels)
			out[g] = &mt
		}
	}
	e := &extractor{}
	for f := range 5 {
		var rows []int
		for i := start[len(sets)]; i < len(all); i++ {
			rows = append(rows, i)
		}
		for g := range sets {
			if fold[g] == nil {
				for i := start[g]; i < start[g+1]; i++ {
					rows = append(rows, i)
				}
				continue
			}
			for h, idx := range fold[g] {
				if h != f {
					rows = append(rows, idx...)
				}
			}
		}
		ms, err := m0.fitPooled(d, dom, share, rows, cfg, langs)
		if err != nil {
			tb.Fatal(err)
		}
		for g := range sets {
			if fold[g] == nil {
				continue
			}
			for _, i := range fold[g][f] {
				out[g].Add(d.y[i], argmax(ms[g].probabilitiesAt(d, i, e)))
			}
		}
	}
	return out
}

var langCodes = map[string]string{"arabic": "ar", "english": "en", "french": "fr", "german": "de", "hindi": "hi", "italian": "it", "portuguese": "pt", "spanish": "es"}

// BenchmarkChoosePooled compares one model per language trained on its
// own tweets with pooled training on all eight languages' tweets (and
// optionally English SemEval tweets) by feature augmentation (Daumé 2007:
// every feature once shared by all languages and once the language's
// own; a language's model is the sum of the two), each scored by 5-fold
// CV on each language's own folds. Pooling did not move the mean (see
// BENCHMARKS.md), so the shipped models are not pooled.
func BenchmarkChoosePooled(b *testing.B) {
	se := semEvalWithout(b, "hindi")
	sets := func(extra []Example, share float64) []domainSet {
		var out []domainSet
		for _, l := range languages {
			out = append(out, domainSet{Name: langCodes[l], Ex: usable(b, l), Share: 1, Test: true})
		}
		en := multilingual(b, "english", "train")
		return append(out, domainSet{Name: "en", Ex: append(en, extra...), Share: share})
	}
	cfg := Config{Features: noRules}
	for b.Loop() {
		var mono float64
		for _, l := range languages {
			m, err := CrossValidate(usable(b, l), cfg, 5, 1)
			if err != nil {
				b.Fatal(err)
			}
			mono += m.MacroF1() / float64(len(languages))
			b.Logf("%-22s %s %v", "one per language", langCodes[l], m)
		}
		b.Logf("%-22s mean macro-F1 %.4f", "one per language", mono)
		b.ReportMetric(mono, "mean-macro-F1")
		for _, v := range []struct {
			name string
			sets []domainSet
		}{
			{"pooled", sets(nil, 1)},
			{"pooled, 10k SemEval", sets(se[:10_000], 1)},
			{"pooled, all SemEval/4", sets(se, 0.25)},
		} {
			var mean float64
			for g, m := range pooledCV(b, v.sets, cfg) {
				if m != nil {
					mean += m.MacroF1() / float64(len(languages))
					b.Logf("%-22s %s %v", v.name, v.sets[g].Name, m)
				}
			}
			b.Logf("%-22s mean macro-F1 %.4f", v.name, mean)
		}
	}
}

func TestFitPooled(t *testing.T) {
	// "meh" is positive in domain 0 and negative in domain 1; "love" and
	// "hate" mean the same in both.
	var ex []Example
	var dom []int
	for g, meh := range []string{Positive, Negative} {
		for i := range 6 {
			ex = append(ex, Example{fmt.Sprintf("love it %d", i), Positive}, Example{fmt.Sprintf("hate it %d", i), Negative}, Example{fmt.Sprintf("meh %d", i), meh})
			dom = append(dom, g, g, g)
		}
	}
	cfg, err := Config{Features: Features{Bits: 12, NoRules: true}, Seed: 1}.resolve()
	require.NoError(t, err)
	d, m0, err := prepare(ex, cfg)
	require.NoError(t, err)
	rows := make([]int, len(ex))
	for i := range rows {
		rows[i] = i
	}
	ms, err := m0.fitPooled(d, dom, []float64{1, 1}, rows, cfg, []string{"a", "b"})
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, "a", ms[0].Lang())
	assert.Equal(t, Positive, ms[0].Label("meh"))
	assert.Equal(t, Negative, ms[1].Label("meh"))
	for _, m := range ms {
		assert.Equal(t, Positive, m.Label("love it"))
		assert.Equal(t, Negative, m.Label("hate it"))
	}
}
