//go:build go1.24

package linear

import (
	"testing"
)

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
