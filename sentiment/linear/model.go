package linear

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/social"
)

// Example is one labelled text for training or evaluation.
type Example struct {
	Text  string
	Label sentiment.Polarity // sentiment.Negative, Neutral or Positive
}

// Errors returned by [Train] for unusable training data.
var (
	// ErrNoExamples means Train was given no examples.
	ErrNoExamples = errors.New("linear: no training examples")
	// ErrOneClass means every training example has the same label, so
	// there is nothing to tell apart.
	ErrOneClass = errors.New("linear: training examples have only one class")
	// ErrMislabelled is wrapped by a [LabelError] for a label that is not
	// a [sentiment.Polarity] (-1, 0 or 1).
	ErrMislabelled = errors.New("linear: mislabelled example")
)

// LabelError reports an example whose label is out of range. It unwraps to
// [ErrMislabelled].
type LabelError struct {
	Index int                // position of the example
	Label sentiment.Polarity // the label found
}

func (e *LabelError) Error() string {
	return fmt.Sprintf("linear: mislabelled example %d: label %d is not -1 (negative), 0 (neutral) or 1 (positive)", e.Index, int(e.Label))
}

func (e *LabelError) Unwrap() error { return ErrMislabelled }

// Config sets up training. The zero value trains with the default features
// and the defaults below, which were chosen by cross-validation on folds of
// tweets (see the package documentation).
type Config struct {
	Features Features
	// Epochs is the number of passes over the data; 0 means 6.
	Epochs int
	// Rate is AdaGrad's learning rate; 0 means 0.1.
	Rate float64
	// L2 is the weight decay per update; 0 means 1e-3, negative means none.
	L2 float64
	// NaiveBayes is the add-alpha smoothing of the naive-Bayes log-count
	// ratios that scale the n-gram features in training (NBSVM): each
	// n-gram's weight for a class is learnt on the feature times the
	// magnitude of log(P(n-gram | class) / P(n-gram | other classes)),
	// counted on the training examples, so that telling n-grams are
	// penalised less by L2 and move faster. 0 means 1; negative turns the
	// scaling off. The ratios are folded into the saved weights, so scoring
	// costs the same either way.
	NaiveBayes float64
	// Unbalanced turns off class-balanced weighting. By default each class
	// weighs the same in total, which helps macro-averaged recall when, as
	// usual, negative posts are rarer than the rest.
	Unbalanced bool
	// Seed fixes the shuffling order: the same data, Config and Seed give
	// the same model.
	Seed uint64
	// Lang is the BCP 47 language of the training texts, recorded in the
	// model; "" means unknown. A model with a language implements
	// [sentiment.LanguageReporter] for it.
	Lang string
}

func (c Config) resolve() (Config, error) {
	var err error
	if c.Features, err = c.Features.resolve(); err != nil {
		return c, err
	}
	if c.Epochs == 0 {
		c.Epochs = 6
	}
	if c.Rate == 0 {
		c.Rate = 0.1
	}
	if c.NaiveBayes == 0 {
		c.NaiveBayes = 1
	} else if c.NaiveBayes < 0 {
		c.NaiveBayes = 0
	}
	if c.L2 == 0 {
		c.L2 = 1e-3
	} else if c.L2 < 0 {
		c.L2 = 0
	}
	switch {
	case c.Epochs < 0 || c.Epochs > 1000:
		return c, fmt.Errorf("linear: Config.Epochs %d out of range 1..1000", c.Epochs)
	case !(c.Rate > 0) || c.Rate > 100:
		return c, fmt.Errorf("linear: Config.Rate %v must be in (0, 100]", c.Rate)
	case !(c.L2 >= 0) || c.L2 >= 1:
		return c, fmt.Errorf("linear: Config.L2 %v must be in [0, 1)", c.L2)
	case math.IsNaN(c.NaiveBayes) || c.NaiveBayes > 1e6:
		return c, fmt.Errorf("linear: Config.NaiveBayes %v must be at most 1e6", c.NaiveBayes)
	}
	return c, nil
}

const nClass = 3 // order: negative, neutral, positive (Polarity+1)

// Model is a trained multinomial logistic regression over hashed word and
// character n-grams and lexicon features. It implements [sentiment.Scorer]
// and, when trained for a language, [sentiment.LanguageReporter].
//
// A Model is safe for concurrent use. Build one with [Train], [Default] or
// UnmarshalBinary; the zero Model has no weights and scores every text as
// neutral with probability 1/3 each.
type Model struct {
	feat  Features
	lang  string
	lex   *lexicon
	rules *social.Scorer // nil with Features.NoRules
	dim   int
	w     []float32 // dim rows of nClass weights
	pool  sync.Pool // of *extractor
}

// Probabilities are a model's class probabilities for one text; they sum
// to 1.
type Probabilities struct {
	Negative, Neutral, Positive float64
}

// Label returns the most probable class.
func (p Probabilities) Label() sentiment.Polarity {
	switch {
	case p.Negative > p.Neutral && p.Negative >= p.Positive:
		return sentiment.Negative
	case p.Positive > p.Neutral && p.Positive > p.Negative:
		return sentiment.Positive
	}
	return sentiment.Neutral
}

// Score maps the probabilities onto VADER's four figures: Positive,
// Neutral and Negative are the probabilities, and Compound is
// P(positive) - P(negative), moved just inside VADER's ±0.05 bands where
// needed so that [sentiment.Score.Polarity] agrees with [Probabilities.Label]:
// into [0.05, 1] when positive is most probable, [-1, -0.05] when
// negative is, and (-0.05, 0.05) when neutral is.
func (p Probabilities) Score() sentiment.Score {
	c := p.Positive - p.Negative
	switch p.Label() {
	case sentiment.Positive:
		c = math.Max(c, 0.05)
	case sentiment.Negative:
		c = math.Min(c, -0.05)
	default:
		c *= 0.049 // |c| < 1, so the result is inside the neutral band
	}
	return sentiment.Score{Compound: c, Positive: p.Positive, Neutral: p.Neutral, Negative: p.Negative}
}

func (m *Model) extractor() *extractor {
	if e, ok := m.pool.Get().(*extractor); ok {
		return e
	}
	return &extractor{}
}

// Probabilities returns the class probabilities for text.
func (m *Model) Probabilities(text string) Probabilities {
	if m.w == nil {
		return Probabilities{1.0 / 3, 1.0 / 3, 1.0 / 3}
	}
	e := m.extractor()
	e.extract(text, m.feat, m.lex, m.rules)
	m.logits(e)
	p := softmax(e.z)
	m.pool.Put(e)
	return Probabilities{p[0], p[1], p[2]}
}

// logits computes e.z from e's features.
func (m *Model) logits(e *extractor) {
	var z0, z1, z2 float32
	w := m.w
	for k, i := range e.idx {
		v := e.val[k]
		r := w[int(i)*nClass : int(i)*nClass+nClass : int(i)*nClass+nClass]
		z0 += r[0] * v
		z1 += r[1] * v
		z2 += r[2] * v
	}
	e.z = [3]float64{float64(z0), float64(z1), float64(z2)}
}

func softmax(z [3]float64) [3]float64 {
	mx := math.Max(z[0], math.Max(z[1], z[2]))
	var p [3]float64
	var s float64
	for i := range z {
		p[i] = math.Exp(z[i] - mx)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
	return p
}

// Score implements [sentiment.Scorer]; see [Probabilities.Score] for how
// probabilities become VADER's figures. It never fails and ignores ctx.
func (m *Model) Score(_ context.Context, text string) (sentiment.Score, error) {
	return m.Probabilities(text).Score(), nil
}

// Predict returns the most probable class for text.
func (m *Model) Predict(text string) sentiment.Polarity { return m.Probabilities(text).Label() }

// Lang returns the language the model was trained for, or "" if unknown.
func (m *Model) Lang() string { return m.lang }

// Features returns the feature settings the model was trained with, with
// defaults filled in.
func (m *Model) Features() Features { return m.feat }

// Supports implements [sentiment.LanguageReporter]: a model trained for a
// language supports that language (by primary subtag, so "en" covers
// "en-GB") and unknown text (""); a model with no language supports all.
func (m *Model) Supports(lang string) bool {
	if m.lang == "" || lang == "" {
		return true
	}
	return primary(lang) == primary(m.lang)
}

func primary(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}

// Train fits a model to examples. It returns an error wrapping
// [ErrNoExamples], [ErrOneClass] or [ErrMislabelled] (as a [*LabelError])
// for unusable data, or an error for invalid settings. Training is
// deterministic: the same examples, in the same order, with the same cfg
// give the same model.
func Train(examples []Example, cfg Config) (*Model, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	if err := checkLabels(examples); err != nil {
		return nil, err
	}
	m, err := newModel(cfg.Features, cfg.Lang)
	if err != nil {
		return nil, err
	}
	d := m.extractAll(examples)
	rows := make([]int, len(examples))
	for i := range rows {
		rows[i] = i
	}
	if err := m.fit(d, rows, cfg); err != nil {
		return nil, err
	}
	return m, nil
}

// checkLabels reports empty data and labels out of range.
func checkLabels(examples []Example) error {
	if len(examples) == 0 {
		return ErrNoExamples
	}
	for i, ex := range examples {
		if ex.Label < sentiment.Negative || ex.Label > sentiment.Positive {
			return &LabelError{Index: i, Label: ex.Label}
		}
	}
	return nil
}

// dataset holds examples' extracted features, so that cross-validation
// extracts each text once.
type dataset struct {
	idx    []int32
	val    []float32
	off    []int // example n's features are idx[off[n]:off[n+1]]
	labels []sentiment.Polarity
}

func (m *Model) extractAll(examples []Example) *dataset {
	d := &dataset{off: make([]int, 1, len(examples)+1), labels: make([]sentiment.Polarity, len(examples))}
	e := &extractor{}
	for n, ex := range examples {
		e.extract(ex.Text, m.feat, m.lex, m.rules)
		d.idx = append(d.idx, e.idx...)
		d.val = append(d.val, e.val...)
		d.off = append(d.off, len(d.idx))
		d.labels[n] = ex.Label
	}
	return d
}

// probabilitiesAt returns the class probabilities of example n of d.
func (m *Model) probabilitiesAt(d *dataset, n int) Probabilities {
	e := extractor{idx: d.idx[d.off[n]:d.off[n+1]], val: d.val[d.off[n]:d.off[n+1]]}
	m.logits(&e)
	p := softmax(e.z)
	return Probabilities{p[0], p[1], p[2]}
}

// fit trains m's weights on the rows of d, in that order before shuffling.
func (m *Model) fit(d *dataset, rows []int, cfg Config) error {
	var count [nClass]int
	for _, n := range rows {
		count[d.labels[n]+1]++
	}
	classes := 0
	for _, c := range count {
		if c > 0 {
			classes++
		}
	}
	if classes < 2 {
		return fmt.Errorf("%w (all %d are %s)", ErrOneClass, len(rows), d.labels[rows[0]])
	}
	var weight [nClass]float64
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

	sc := nbScales(d, rows, m.dim, cfg.NaiveBayes)
	// The training state of each hashed row lies together in st, one
	// cache line per feature: nClass weights, AdaGrad's sums of squared
	// gradients, and the naive-Bayes scales.
	const stride = 3 * nClass
	st := make([]float64, m.dim*stride)
	for i := 0; i < m.dim; i++ {
		r := st[i*stride : i*stride+stride]
		for c := 0; c < nClass; c++ {
			r[nClass+c] = 1e-2
			r[2*nClass+c] = sc[i*nClass+c]
		}
	}
	order := slices.Clone(rows)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	rate, l2 := cfg.Rate, cfg.L2
	avg := make([]float64, m.dim*nClass) // sum of the weights after each epoch
	for range cfg.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, n := range order {
			fi, fv := d.idx[d.off[n]:d.off[n+1]], d.val[d.off[n]:d.off[n+1]]
			var z [3]float64
			for k, i := range fi {
				v := float64(fv[k])
				r := st[int(i)*stride : int(i)*stride+stride]
				z[0] += r[0] * r[6] * v
				z[1] += r[1] * r[7] * v
				z[2] += r[2] * r[8] * v
			}
			p := softmax(z)
			y := int(d.labels[n]) + 1
			var d [3]float64
			for c := range d {
				d[c] = p[c]
				if c == y {
					d[c]--
				}
				d[c] *= weight[y]
			}
			for k, i := range fi {
				v := float64(fv[k])
				r := st[int(i)*stride : int(i)*stride+stride]
				for c := 0; c < nClass; c++ {
					g := d[c]*v*r[2*nClass+c] + l2*r[c]
					r[nClass+c] += g * g
					r[c] -= rate * g / math.Sqrt(r[nClass+c])
				}
			}
		}
		for i := 0; i < m.dim; i++ {
			for c := 0; c < nClass; c++ {
				avg[i*nClass+c] += st[i*stride+c]
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

func newModel(f Features, lang string) (*Model, error) {
	m := &Model{feat: f, lang: lang, dim: nDense + 1<<f.Bits}
	if !f.NoLexicon {
		lex, err := loadLexicon()
		if err != nil {
			return nil, fmt.Errorf("linear: load lexicon: %w", err)
		}
		m.lex = lex
	}
	if !f.NoRules {
		m.rules = rulesScorer()
	}
	m.w = make([]float32, m.dim*nClass)
	return m, nil
}

// nbScales returns a scale for each weight: 1 for the dense features and,
// for each hashed n-gram bucket and class, the magnitude of the
// one-vs-rest naive-Bayes log-count ratio of the bucket computed on the
// training rows with add-alpha smoothing (NBSVM, Wang & Manning 2012):
// |log((alpha+n_c)/(alpha+N_c)) - log((alpha+n_rest)/(alpha+N_rest))|,
// where n counts the examples that contain the bucket and N all examples.
// Alpha <= 0 gives all ones.
func nbScales(d *dataset, rows []int, dim int, alpha float64) []float64 {
	sc := make([]float64, dim*nClass)
	for i := range sc {
		sc[i] = 1
	}
	if alpha <= 0 {
		return sc
	}
	cnt := make([]float64, dim*nClass)
	var n [nClass]float64
	for _, r := range rows {
		y := int(d.labels[r]) + 1
		n[y]++
		for _, i := range d.idx[d.off[r]:d.off[r+1]] {
			if i >= nDense {
				cnt[int(i)*nClass+y]++
			}
		}
	}
	total := n[0] + n[1] + n[2]
	for i := nDense; i < dim; i++ {
		row := cnt[i*nClass : i*nClass+nClass]
		all := row[0] + row[1] + row[2]
		if all == 0 {
			continue // never seen in training: its weights stay 0 anyway
		}
		for c := 0; c < nClass; c++ {
			rest := all - row[c]
			r := math.Log((alpha+row[c])/(alpha+n[c])) - math.Log((alpha+rest)/(alpha+total-n[c]))
			sc[i*nClass+c] = math.Abs(r)
		}
	}
	return sc
}
