package linear

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Metrics summarises predictions against gold labels. Build one with
// [NewMetrics]; it is not safe for concurrent use.
type Metrics struct {
	// Labels names the classes.
	Labels []string
	// Confusion[gold][predicted] counts examples by class index.
	Confusion [][]int
}

// NewMetrics returns empty metrics for the classes labels.
func NewMetrics(labels []string) Metrics {
	m := Metrics{Labels: slices.Clone(labels), Confusion: make([][]int, len(labels))}
	for i := range m.Confusion {
		m.Confusion[i] = make([]int, len(labels))
	}
	return m
}

// Add records one prediction by class index; indices out of range are
// ignored.
func (m *Metrics) Add(gold, predicted int) {
	if gold < 0 || gold >= len(m.Confusion) || predicted < 0 || predicted >= len(m.Confusion) {
		return
	}
	m.Confusion[gold][predicted]++
}

// Merge adds the counts of o, which must have the same labels.
func (m *Metrics) Merge(o Metrics) error {
	if !slices.Equal(m.Labels, o.Labels) {
		return fmt.Errorf("linear: merge metrics of labels %q into %q", o.Labels, m.Labels)
	}
	for g := range m.Confusion {
		for p := range m.Confusion[g] {
			m.Confusion[g][p] += o.Confusion[g][p]
		}
	}
	return nil
}

// N returns the number of predictions recorded.
func (m Metrics) N() int {
	n := 0
	for _, row := range m.Confusion {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Accuracy returns the share of correct predictions.
func (m Metrics) Accuracy() float64 {
	n, ok := m.N(), 0
	if n == 0 {
		return 0
	}
	for c := range m.Confusion {
		ok += m.Confusion[c][c]
	}
	return float64(ok) / float64(n)
}

func (m Metrics) gold(c int) int {
	s := 0
	for _, v := range m.Confusion[c] {
		s += v
	}
	return s
}

func (m Metrics) predicted(c int) int {
	s := 0
	for _, row := range m.Confusion {
		s += row[c]
	}
	return s
}

// Recall returns the recall of class c (0 if it has no gold examples).
func (m Metrics) Recall(c int) float64 {
	if n := m.gold(c); n > 0 {
		return float64(m.Confusion[c][c]) / float64(n)
	}
	return 0
}

// Precision returns the precision of class c (0 if it was never
// predicted).
func (m Metrics) Precision(c int) float64 {
	if n := m.predicted(c); n > 0 {
		return float64(m.Confusion[c][c]) / float64(n)
	}
	return 0
}

// F1 returns the F1 score of class c.
func (m Metrics) F1(c int) float64 {
	p, r := m.Precision(c), m.Recall(c)
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// MacroRecall returns the unweighted mean of the recalls of the classes
// present in the gold labels (the TweetEval sentiment metric).
func (m Metrics) MacroRecall() float64 { return m.macro(m.Recall) }

// MacroF1 returns the unweighted mean of the F1 scores of the classes
// present in the gold labels (the TweetEval emotion metric).
func (m Metrics) MacroF1() float64 { return m.macro(m.F1) }

func (m Metrics) macro(f func(int) float64) float64 {
	var s float64
	k := 0
	for c := range m.Confusion {
		if m.gold(c) == 0 {
			continue
		}
		s += f(c)
		k++
	}
	if k == 0 {
		return 0
	}
	return s / float64(k)
}

func (m Metrics) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "n=%d accuracy=%.4f macro-recall=%.4f macro-F1=%.4f", m.N(), m.Accuracy(), m.MacroRecall(), m.MacroF1())
	for c, l := range m.Labels {
		fmt.Fprintf(&b, " %s(R=%.3f F1=%.3f)", l, m.Recall(c), m.F1(c))
	}
	return b.String()
}

// Evaluate predicts every example with m and compares with the labels. An
// example whose label is not one of the model's is an error (a
// [*LabelError]).
func Evaluate(m *Model, examples []Example) (Metrics, error) {
	mt := NewMetrics(m.labels)
	_, y, err := labelIndex(examples, m.labels)
	if err != nil {
		return mt, err
	}
	for i, ex := range examples {
		c, _ := m.Predict(ex.Text)
		mt.Add(y[i], c)
	}
	return mt, nil
}

// Folds splits examples into k stratified folds: each fold gets about the
// same share of each label. The split depends only on the labels, k and
// seed. It returns, for each fold, the indices of its examples.
func Folds(examples []Example, k int, seed uint64) ([][]int, error) {
	if k < 2 || k > len(examples) {
		return nil, fmt.Errorf("linear: cannot make %d folds of %d examples", k, len(examples))
	}
	_, y, err := labelIndex(examples, nil)
	if err != nil {
		return nil, err
	}
	return folds(y, k, seed), nil
}

func folds(y []int, k int, seed uint64) [][]int {
	var byClass [][]int
	for i, c := range y {
		for len(byClass) <= c {
			byClass = append(byClass, nil)
		}
		byClass[c] = append(byClass[c], i)
	}
	rng := rand.New(rand.NewPCG(seed, 0xf01d))
	out := make([][]int, k)
	next := 0
	for _, idx := range byClass {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx {
			out[next] = append(out[next], i)
			next = (next + 1) % k
		}
	}
	return out
}

// CrossValidate runs stratified k-fold cross-validation: for each fold it
// trains on the other folds with cfg and evaluates on the fold. It returns
// the pooled metrics over all folds.
func CrossValidate(examples []Example, cfg Config, k int, seed uint64) (Metrics, error) {
	return crossValidate(examples, cfg, k, seed, nil)
}

// crossValidate is CrossValidate that also hands each example's
// out-of-fold probabilities to oof, if non-nil.
func crossValidate(examples []Example, cfg Config, k int, seed uint64, oof func(i int, p []float64)) (Metrics, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return Metrics{}, err
	}
	if k < 2 || k > len(examples) {
		return Metrics{}, fmt.Errorf("linear: cannot make %d folds of %d examples", k, len(examples))
	}
	d, m0, err := prepare(examples, cfg)
	if err != nil {
		return Metrics{}, err
	}
	total := NewMetrics(m0.labels)
	fs := folds(d.y, k, seed)
	rows := make([]int, 0, len(examples))
	e := &extractor{}
	for f := range fs {
		rows = rows[:0]
		for g, idx := range fs {
			if g != f {
				rows = append(rows, idx...)
			}
		}
		m, err := newModel(cfg.Features, cfg.Lang, m0.labels)
		if err != nil {
			return total, err
		}
		if err := m.fit(d, rows, cfg); err != nil {
			return total, fmt.Errorf("linear: fold %d: %w", f+1, err)
		}
		for _, i := range fs[f] {
			p := m.probabilitiesAt(d, i, e)
			total.Add(d.y[i], argmax(p))
			if oof != nil {
				oof(i, p)
			}
		}
	}
	if total.N() == 0 {
		return total, errors.New("linear: cross-validation evaluated nothing")
	}
	return total, nil
}
