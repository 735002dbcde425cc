package linear

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/earshot-dev/earshot/sentiment"
)

// Metrics summarises 3-class predictions against gold labels.
type Metrics struct {
	// Confusion[gold][predicted] counts examples, indexed by Polarity+1
	// (0 negative, 1 neutral, 2 positive).
	Confusion [3][3]int
}

// Add records one prediction.
func (m *Metrics) Add(gold, predicted sentiment.Polarity) {
	if gold < sentiment.Negative || gold > sentiment.Positive || predicted < sentiment.Negative || predicted > sentiment.Positive {
		return
	}
	m.Confusion[gold+1][predicted+1]++
}

// Merge adds the counts of o.
func (m *Metrics) Merge(o Metrics) {
	for g := range m.Confusion {
		for p := range m.Confusion[g] {
			m.Confusion[g][p] += o.Confusion[g][p]
		}
	}
}

// N returns the number of predictions recorded.
func (m Metrics) N() int {
	n := 0
	for g := range m.Confusion {
		for p := range m.Confusion[g] {
			n += m.Confusion[g][p]
		}
	}
	return n
}

// Accuracy returns the share of correct predictions.
func (m Metrics) Accuracy() float64 {
	n := m.N()
	if n == 0 {
		return 0
	}
	return float64(m.Confusion[0][0]+m.Confusion[1][1]+m.Confusion[2][2]) / float64(n)
}

// Recall returns the recall of class c.
func (m Metrics) Recall(c sentiment.Polarity) float64 {
	row := m.Confusion[c+1]
	n := row[0] + row[1] + row[2]
	if n == 0 {
		return 0
	}
	return float64(row[c+1]) / float64(n)
}

// MacroRecall returns the unweighted mean of the recalls of the classes
// present in the gold labels (the TweetEval sentiment metric).
func (m Metrics) MacroRecall() float64 {
	var s float64
	k := 0
	for c := sentiment.Negative; c <= sentiment.Positive; c++ {
		row := m.Confusion[c+1]
		if row[0]+row[1]+row[2] == 0 {
			continue
		}
		s += m.Recall(c)
		k++
	}
	if k == 0 {
		return 0
	}
	return s / float64(k)
}

func (m Metrics) String() string {
	return fmt.Sprintf("n=%d accuracy=%.4f macro-recall=%.4f recall(neg/neu/pos)=%.3f/%.3f/%.3f",
		m.N(), m.Accuracy(), m.MacroRecall(), m.Recall(sentiment.Negative), m.Recall(sentiment.Neutral), m.Recall(sentiment.Positive))
}

// Evaluate predicts every example with m and compares with the labels.
func Evaluate(m *Model, examples []Example) Metrics {
	var mt Metrics
	for _, ex := range examples {
		mt.Add(ex.Label, m.Predict(ex.Text))
	}
	return mt
}

// Folds splits examples into k stratified folds: each fold gets about the
// same share of each class. The split depends only on the labels, k and
// seed. It returns, for each fold, the indices of its examples.
func Folds(examples []Example, k int, seed uint64) ([][]int, error) {
	if k < 2 || k > len(examples) {
		return nil, fmt.Errorf("linear: cannot make %d folds of %d examples", k, len(examples))
	}
	var byClass [3][]int
	for i, ex := range examples {
		if ex.Label < sentiment.Negative || ex.Label > sentiment.Positive {
			return nil, &LabelError{Index: i, Label: ex.Label}
		}
		byClass[ex.Label+1] = append(byClass[ex.Label+1], i)
	}
	rng := rand.New(rand.NewPCG(seed, 0xf01d))
	folds := make([][]int, k)
	next := 0
	for _, idx := range byClass {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx {
			folds[next] = append(folds[next], i)
			next = (next + 1) % k
		}
	}
	return folds, nil
}

// CrossValidate runs stratified k-fold cross-validation: for each fold it
// trains on the other folds with cfg and evaluates on the fold. It returns
// the pooled metrics over all folds.
func CrossValidate(examples []Example, cfg Config, k int, seed uint64) (Metrics, error) {
	return crossValidate(examples, cfg, k, seed, nil)
}

// crossValidate is CrossValidate that also hands each example's
// out-of-fold probabilities to oof, if non-nil.
func crossValidate(examples []Example, cfg Config, k int, seed uint64, oof func(i int, p Probabilities)) (Metrics, error) {
	var total Metrics
	cfg, err := cfg.resolve()
	if err != nil {
		return total, err
	}
	if err := checkLabels(examples); err != nil {
		return total, err
	}
	folds, err := Folds(examples, k, seed)
	if err != nil {
		return total, err
	}
	m0, err := newModel(cfg.Features, cfg.Lang)
	if err != nil {
		return total, err
	}
	d := m0.extractAll(examples)
	rows := make([]int, 0, len(examples))
	for f := range folds {
		rows = rows[:0]
		for g, idx := range folds {
			if g != f {
				rows = append(rows, idx...)
			}
		}
		m, err := newModel(cfg.Features, cfg.Lang)
		if err != nil {
			return total, err
		}
		if err := m.fit(d, rows, cfg); err != nil {
			return total, fmt.Errorf("linear: fold %d: %w", f+1, err)
		}
		for _, i := range folds[f] {
			p := m.probabilitiesAt(d, i)
			total.Add(examples[i].Label, p.Label())
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
