//go:build go1.24

package linear

import (
	"strings"
	"testing"
)

// The benchmarks in this file are the cross-validations that chose the
// settings of the shipped models (sentiment/linear/internal/pretrain).
// They read only training splits. Run them with
//
//	go test -run '^$' -bench Choose -benchtime 1x -timeout 1h ./sentiment/linear
//
// Each logs the metrics of every candidate and reports the chosen one's.

type candidate struct {
	name string
	cfg  Config
}

var noRules = Features{NoRules: true}

func choose(b *testing.B, ex []Example, cands []candidate, metric func(Metrics) float64, unit string) {
	for b.Loop() {
		for _, c := range cands {
			m, err := CrossValidate(ex, c.cfg, 5, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%-12s %v", c.name, m)
			if c.name == "chosen" {
				b.ReportMetric(metric(m), unit)
			}
		}
	}
}

func BenchmarkChoosePolarity(b *testing.B) {
	choose(b, semEval(b), []candidate{
		{"chosen", Config{Features: noRules}},
		{"rules", Config{}},
		{"no lexicon", Config{Features: Features{NoRules: true, NoLexicon: true}}},
		{"2^20", Config{Features: Features{NoRules: true, Bits: 20}}},
		{"chars 2-5", Config{Features: Features{NoRules: true, CharMax: 5}}},
		{"words 1-3", Config{Features: Features{NoRules: true, Words: 3}}},
		{"10 epochs", Config{Features: noRules, Epochs: 10}},
		{"L2 3e-4", Config{Features: noRules, L2: 3e-4}},
		{"L2 3e-3", Config{Features: noRules, L2: 3e-3}},
		{"no NB", Config{Features: noRules, NaiveBayes: -1}},
	}, Metrics.MacroRecall, "macro-recall")
}

func BenchmarkChooseEmotion(b *testing.B) {
	choose(b, emotion(b, "train"), []candidate{
		{"chosen", Config{Features: noRules}},
		{"rules", Config{}},
		{"no lexicon", Config{Features: Features{NoRules: true, NoLexicon: true}}},
		{"2^16", Config{Features: Features{NoRules: true, Bits: 16}}},
		{"12 epochs", Config{Features: noRules, Epochs: 12}},
	}, Metrics.MacroF1, "macro-F1")
}

func BenchmarkChooseComplaint(b *testing.B) {
	ex, domains := complaints(b)
	choose(b, ex, []candidate{
		{"chosen", Config{Features: noRules}},
		{"rules", Config{}},
		{"no lexicon", Config{Features: Features{NoRules: true, NoLexicon: true}}},
		{"unbalanced", Config{Features: noRules, Unbalanced: true}},
		{"no chars", Config{Features: Features{NoRules: true, NoChars: true}}},
	}, Metrics.MacroF1, "macro-F1")
	// Leave one business domain out (random tweets always train): how
	// the model does for a kind of business it never saw.
	cfg, _ := Config{Features: noRules}.resolve()
	d, m0, err := prepare(ex, cfg)
	if err != nil {
		b.Fatal(err)
	}
	total := NewMetrics(m0.labels)
	e := &extractor{}
	for _, dom := range []string{"apparel", "cars", "electronics", "food", "other", "retail", "services", "software", "transport"} {
		var rows, test []int
		for i := range ex {
			if domains[i] == dom {
				test = append(test, i)
			} else {
				rows = append(rows, i)
			}
		}
		m, _ := newModel(cfg.Features, cfg.Lang, m0.labels)
		if err := m.fit(d, rows, cfg); err != nil {
			b.Fatal(err)
		}
		for _, i := range test {
			total.Add(d.y[i], argmax(m.probabilitiesAt(d, i, e)))
		}
	}
	b.Logf("leave one domain out: %v", total)
}

var languages = []string{"arabic", "french", "german", "hindi", "italian", "portuguese", "spanish"}

// crossValidateExtra is 5-fold cross-validation on ex in which every
// training fold also gets extra (which is never tested).
func crossValidateExtra(tb testing.TB, ex, extra []Example, cfg Config) Metrics {
	all := append(append([]Example{}, ex...), extra...)
	cfg, _ = cfg.resolve()
	d, m0, err := prepare(all, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	fs := folds(d.y[:len(ex)], 5, 1)
	total := NewMetrics(m0.labels)
	e := &extractor{}
	for f := range fs {
		var rows []int
		for g, idx := range fs {
			if g != f {
				rows = append(rows, idx...)
			}
		}
		for i := len(ex); i < len(all); i++ {
			rows = append(rows, i)
		}
		m, _ := newModel(cfg.Features, cfg.Lang, m0.labels)
		if err := m.fit(d, rows, cfg); err != nil {
			tb.Fatal(err)
		}
		for _, i := range fs[f] {
			total.Add(d.y[i], argmax(m.probabilitiesAt(d, i, e)))
		}
	}
	return total
}

func BenchmarkChooseLanguages(b *testing.B) {
	cands := []candidate{
		{"chosen", Config{Features: noRules}},
		{"no lexicon", Config{Features: Features{NoRules: true, NoLexicon: true}}},
		{"chars 1-5", Config{Features: Features{NoRules: true, CharMin: 1, CharMax: 5}}},
		{"L2 3e-3", Config{Features: noRules, L2: 3e-3}},
	}
	for b.Loop() {
		mean := map[string]float64{}
		for _, lang := range languages {
			ex := usable(b, lang)
			for _, c := range cands {
				m, err := CrossValidate(ex, c.cfg, 5, 1)
				if err != nil {
					b.Fatal(err)
				}
				mean[c.name] += m.MacroF1() / float64(len(languages))
				b.Logf("%-10s %-10s %v", lang, c.name, m)
			}
		}
		b.Logf("mean macro-F1 of the seven: %v", mean)
		b.ReportMetric(mean["chosen"], "mean-macro-F1")
	}
}

// BenchmarkChooseHindi compares the training data of the Hindi model,
// scored by 5-fold CV on the Hindi tweets whose labels carry signal (from
// line hindiNoisy+1; see the polarity-hi recipe of
// internal/pretrain), the other data joining every training fold.
func BenchmarkChooseHindi(b *testing.B) {
	ex := multilingual(b, "hindi", "train")
	head, tail := ex[:hindiNoisy], ex[hindiNoisy:]
	se := semEvalWithout(b, "hindi")
	cfg := Config{Features: noRules}
	for b.Loop() {
		// The evidence that the first lines' labels are noise.
		for _, n := range []int{1000, 1200} {
			m, err := CrossValidate(ex[:n], cfg, 5, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("CV within the first %d: %v", n, m)
		}
		for _, c := range []struct {
			name  string
			extra []Example
		}{
			{"none", nil},
			{"first lines", head},
			{"first lines + 10k SemEval (former)", append(head[:len(head):len(head)], se[:10_000]...)},
			{"20k SemEval", se[:20_000]},
			{"all SemEval", se},
			{"chosen: 10k SemEval", se[:10_000]},
		} {
			m := crossValidateExtra(b, tail, c.extra, cfg)
			b.Logf("%-36s %v", c.name, m)
			if strings.HasPrefix(c.name, "chosen") {
				b.ReportMetric(m.MacroF1(), "macro-F1")
			}
		}
	}
}

// BenchmarkFallback measures the multilingual fallback on languages it
// never saw: trained on seven languages' tweets, tested on the eighth's.
func BenchmarkFallback(b *testing.B) {
	all := append([]string{"english"}, languages...)
	for b.Loop() {
		var mean float64
		for _, held := range all {
			var train []Example
			for _, o := range all {
				if o != held {
					train = append(train, usable(b, o)...)
				}
			}
			m, err := Train(train, Config{Features: noRules})
			if err != nil {
				b.Fatal(err)
			}
			mt, err := Evaluate(m, usable(b, held))
			if err != nil {
				b.Fatal(err)
			}
			mean += mt.MacroF1() / float64(len(all))
			b.Logf("unseen %-10s %v", held, mt)
		}
		b.ReportMetric(mean, "mean-macro-F1")
	}
}
