package linear

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/social"
)

// Example is one labelled text for training or evaluation. Labels are
// free names ("negative", "joy", "complaint"); a model learns the set of
// names its training examples carry.
type Example struct {
	Text  string
	Label string
}

// Polarity label names. A model whose labels include Negative and
// Positive (and, usually, Neutral) is a polarity model: its [Model.Score]
// gives VADER's four figures.
const (
	Negative = "negative"
	Neutral  = "neutral"
	Positive = "positive"
)

// MaxClasses is the largest number of labels a model may have.
const MaxClasses = 64

// Errors returned by [Train] for unusable training data, and by
// [Model.Score] for a model that does not score polarity.
var (
	// ErrNoExamples means Train was given no examples.
	ErrNoExamples = errors.New("linear: no training examples")
	// ErrOneClass means every training example has the same label, so
	// there is nothing to tell apart.
	ErrOneClass = errors.New("linear: training examples have only one class")
	// ErrMislabelled is wrapped by a [LabelError] for a label that cannot
	// be used: empty, too long, not UTF-8, or not one of Config.Labels.
	ErrMislabelled = errors.New("linear: mislabelled example")
	// ErrNotPolarity is returned by [Model.Score] for a model whose labels
	// are not polarities (an emotion or complaint model): use
	// [Model.Predict] and [Model.AppendProbabilities] instead.
	ErrNotPolarity = errors.New("linear: not a polarity model")
)

// LabelError reports an example whose label cannot be used. It unwraps to
// [ErrMislabelled].
type LabelError struct {
	Index int    // position of the example
	Label string // the label found
	Why   string // what is wrong with it
}

func (e *LabelError) Error() string {
	return fmt.Sprintf("linear: mislabelled example %d: label %q %s", e.Index, e.Label, e.Why)
}

func (e *LabelError) Unwrap() error { return ErrMislabelled }

// Config sets up training. The zero value trains with the default features
// and the defaults below, which were chosen by cross-validation on folds of
// the training tweets (see the package documentation).
type Config struct {
	Features Features
	// Labels fixes the model's labels and their order. Nil means the
	// distinct labels of the examples, sorted; with Labels set, an example
	// whose label is not listed is an error, and a listed label without
	// examples is kept (its probability is learnt from the bias alone).
	Labels []string
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
	// weighs the same in total, which helps macro-averaged recall and F1
	// when, as usual, some classes are rarer than others.
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
	case len(c.Lang) > 255:
		return c, errors.New("linear: Config.Lang longer than 255 bytes")
	}
	if c.Labels != nil {
		if err := checkLabelSet(c.Labels); err != nil {
			return c, err
		}
	}
	return c, nil
}

// checkLabelSet checks a model's list of labels.
func checkLabelSet(labels []string) error {
	if len(labels) < 2 || len(labels) > MaxClasses {
		return fmt.Errorf("linear: %d labels, want 2..%d", len(labels), MaxClasses)
	}
	for i, l := range labels {
		if why := badLabel(l); why != "" {
			return fmt.Errorf("linear: label %q %s", l, why)
		}
		if slices.Contains(labels[:i], l) {
			return fmt.Errorf("linear: label %q listed twice", l)
		}
	}
	return nil
}

// badLabel says what is wrong with a label name, or "" if nothing.
func badLabel(l string) string {
	switch {
	case l == "":
		return "is empty"
	case len(l) > 255:
		return "is longer than 255 bytes"
	case !utf8.ValidString(l):
		return "is not UTF-8"
	case strings.TrimSpace(l) != l || strings.ContainsAny(l, "\t\n\r"):
		return "has surrounding space or a tab or line break"
	}
	return ""
}

// Model is a trained multinomial logistic regression over hashed word and
// character n-grams and lexicon features, for any set of 2 to
// [MaxClasses] labels. A polarity model (see [Negative]) implements
// [sentiment.Scorer]; a model trained for a language implements
// [sentiment.LanguageReporter].
//
// A Model is safe for concurrent use. Build one with [Train], [Load] or
// UnmarshalBinary; the zero Model has no labels: it predicts -1 and its
// Score fails.
type Model struct {
	feat   Features
	lang   string
	labels []string
	k      int
	pol    [3]int // indices of negative, neutral, positive; -1 if absent
	lex    *lexicon
	rules  *social.Scorer // nil with Features.NoRules
	dim    int
	w      []float32 // dim rows of k weights
	pool   sync.Pool // of *extractor
}

// maxWeights bounds a model's weights (64 MiB as float32): 2^22 buckets
// with 3 classes, or 2^18 with 64.
const maxWeights = 1 << 24

func newModel(f Features, lang string, labels []string) (*Model, error) {
	if n := (nDense + 1<<f.Bits) * len(labels); n > maxWeights {
		return nil, fmt.Errorf("linear: %d labels with 2^%d buckets make %d weights, more than %d", len(labels), f.Bits, n, maxWeights)
	}
	m := &Model{feat: f, lang: lang, labels: slices.Clone(labels), k: len(labels), dim: nDense + 1<<f.Bits}
	m.pol = [3]int{slices.Index(labels, Negative), slices.Index(labels, Neutral), slices.Index(labels, Positive)}
	if m.pol[0] < 0 || m.pol[2] < 0 {
		m.pol = [3]int{-1, -1, -1}
	}
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
	m.w = make([]float32, m.dim*m.k)
	return m, nil
}

// Labels returns the model's labels; class i of [Model.Predict] and
// [Model.AppendProbabilities] is Labels()[i]. The caller must not modify
// the slice.
func (m *Model) Labels() []string { return m.labels }

// Lang returns the language the model was trained for, or "" if unknown.
func (m *Model) Lang() string { return m.lang }

// Features returns the feature settings the model was trained with, with
// defaults filled in.
func (m *Model) Features() Features { return m.feat }

// IsPolarity reports whether the model's labels include [Negative] and
// [Positive], so that [Model.Score] gives VADER's figures.
func (m *Model) IsPolarity() bool { return m.k > 0 && m.pol[0] >= 0 }

func (m *Model) extractor() *extractor {
	if e, ok := m.pool.Get().(*extractor); ok {
		return e
	}
	return &extractor{}
}

// AppendProbabilities appends the probabilities of the model's classes for
// text, in the order of [Model.Labels], to dst and returns the extended
// slice. They sum to 1. With room in dst it does not allocate.
func (m *Model) AppendProbabilities(dst []float64, text string) []float64 {
	if m.k == 0 {
		return dst
	}
	e := m.extractor()
	e.extract(text, m.feat, m.lex, m.rules)
	m.logits(e, e.idx, e.val)
	n := len(dst)
	dst = append(dst, e.z...)
	softmax(dst[n:])
	m.pool.Put(e)
	return dst
}

// Predict returns the index in [Model.Labels] of the most probable class
// for text and its probability (-1 and 0 for the zero Model).
func (m *Model) Predict(text string) (class int, p float64) {
	if m.k == 0 {
		return -1, 0
	}
	e := m.extractor()
	e.extract(text, m.feat, m.lex, m.rules)
	m.logits(e, e.idx, e.val)
	softmax(e.z)
	class = argmax(e.z)
	p = e.z[class]
	m.pool.Put(e)
	return class, p
}

// Label returns the name of the most probable class for text ("" for the
// zero Model).
func (m *Model) Label(text string) string {
	c, _ := m.Predict(text)
	if c < 0 {
		return ""
	}
	return m.labels[c]
}

// logits sets e.z to the class scores of the sparse features idx, val.
func (m *Model) logits(e *extractor, idx []int32, val []float32) {
	k := m.k
	if cap(e.zf) < k {
		e.zf = make([]float32, k)
		e.z = make([]float64, k)
	}
	z := e.zf[:k]
	clear(z)
	w := m.w
	if k == 3 {
		var z0, z1, z2 float32
		for j, i := range idx {
			v := val[j]
			r := w[int(i)*3 : int(i)*3+3 : int(i)*3+3]
			z0 += r[0] * v
			z1 += r[1] * v
			z2 += r[2] * v
		}
		z[0], z[1], z[2] = z0, z1, z2
	} else {
		for j, i := range idx {
			v := val[j]
			r := w[int(i)*k : int(i)*k+k : int(i)*k+k]
			for c := range r {
				z[c] += r[c] * v
			}
		}
	}
	e.z = e.z[:k]
	for c, v := range z {
		e.z[c] = float64(v)
	}
}

func argmax(p []float64) int {
	best := 0
	for c := 1; c < len(p); c++ {
		if p[c] > p[best] {
			best = c
		}
	}
	return best
}

// softmax turns z into probabilities in place.
func softmax(z []float64) {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = math.Max(mx, v)
	}
	var s float64
	for i, v := range z {
		z[i] = math.Exp(v - mx)
		s += z[i]
	}
	for i := range z {
		z[i] /= s
	}
}

// Score implements [sentiment.Scorer] for a polarity model: Positive,
// Neutral and Negative are the class probabilities (Neutral 0 for a model
// without a neutral class), and Compound is P(positive) - P(negative),
// moved just inside VADER's ±0.05 bands where needed so that
// [sentiment.Score.Polarity] names the most probable class: into
// [0.05, 1] when positive is most probable, [-1, -0.05] when negative is,
// and (-0.05, 0.05) when neutral is. For a model that is not a polarity
// model it returns an error wrapping [ErrNotPolarity]. It ignores ctx.
func (m *Model) Score(_ context.Context, text string) (sentiment.Score, error) {
	if !m.IsPolarity() {
		return sentiment.Score{}, fmt.Errorf("%w (labels %q)", ErrNotPolarity, m.labels)
	}
	e := m.extractor()
	e.extract(text, m.feat, m.lex, m.rules)
	m.logits(e, e.idx, e.val)
	softmax(e.z)
	neg, pos := e.z[m.pol[0]], e.z[m.pol[2]]
	neu := 0.0
	if m.pol[1] >= 0 {
		neu = e.z[m.pol[1]]
	}
	// The most probable of the three (other classes, if any, do not take
	// part in the polarity).
	best := sentiment.Neutral
	switch {
	case neg > neu && neg >= pos:
		best = sentiment.Negative
	case pos > neu && pos > neg:
		best = sentiment.Positive
	}
	m.pool.Put(e)
	return polarityScore(neg, neu, pos, best), nil
}

// polarityScore maps polarity probabilities onto VADER's figures.
func polarityScore(neg, neu, pos float64, best sentiment.Polarity) sentiment.Score {
	c := pos - neg
	switch best {
	case sentiment.Positive:
		c = math.Max(c, 0.05)
	case sentiment.Negative:
		c = math.Min(c, -0.05)
	default:
		c *= 0.049 // |c| < 1, so the result is inside the neutral band
	}
	return sentiment.Score{Compound: c, Positive: pos, Neutral: neu, Negative: neg}
}

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
	d, m, err := prepare(examples, cfg)
	if err != nil {
		return nil, err
	}
	rows := make([]int, len(examples))
	for i := range rows {
		rows[i] = i
	}
	if err := m.fit(d, rows, cfg); err != nil {
		return nil, err
	}
	return m, nil
}

// prepare checks the labels, builds an empty model and extracts the
// examples' features.
func prepare(examples []Example, cfg Config) (*dataset, *Model, error) {
	labels, y, err := labelIndex(examples, cfg.Labels)
	if err != nil {
		return nil, nil, err
	}
	m, err := newModel(cfg.Features, cfg.Lang, labels)
	if err != nil {
		return nil, nil, err
	}
	return m.extractAll(examples, y), m, nil
}

// labelIndex returns the label set (want, or the examples' distinct labels
// sorted) and each example's class index.
func labelIndex(examples []Example, want []string) ([]string, []int, error) {
	if len(examples) == 0 {
		return nil, nil, ErrNoExamples
	}
	labels := want
	if labels == nil {
		seen := map[string]bool{}
		for i, ex := range examples {
			if !seen[ex.Label] {
				if why := badLabel(ex.Label); why != "" {
					return nil, nil, &LabelError{Index: i, Label: ex.Label, Why: why}
				}
				seen[ex.Label] = true
				labels = append(labels, ex.Label)
			}
		}
		slices.Sort(labels)
		if len(labels) == 1 {
			return nil, nil, fmt.Errorf("%w (all %d are %q)", ErrOneClass, len(examples), labels[0])
		}
		if len(labels) > MaxClasses {
			return nil, nil, fmt.Errorf("linear: %d distinct labels, at most %d", len(labels), MaxClasses)
		}
	}
	idx := make(map[string]int, len(labels))
	for i, l := range labels {
		idx[l] = i
	}
	y := make([]int, len(examples))
	for i, ex := range examples {
		c, ok := idx[ex.Label]
		if !ok {
			return nil, nil, &LabelError{Index: i, Label: ex.Label, Why: fmt.Sprintf("is not one of %q", labels)}
		}
		y[i] = c
	}
	return labels, y, nil
}

// dataset holds examples' extracted features, so that cross-validation
// extracts each text once.
type dataset struct {
	idx []int32
	val []float32
	off []int     // example n's features are idx[off[n]:off[n+1]]
	y   []int     // class indices
	w   []float64 // weight of each example; nil: classes balanced
}

func (m *Model) extractAll(examples []Example, y []int) *dataset {
	d := &dataset{off: make([]int, 1, len(examples)+1), y: y}
	e := &extractor{}
	for _, ex := range examples {
		e.extract(ex.Text, m.feat, m.lex, m.rules)
		d.idx = append(d.idx, e.idx...)
		d.val = append(d.val, e.val...)
		d.off = append(d.off, len(d.idx))
	}
	return d
}

// probabilitiesAt returns the class probabilities of example n of d.
func (m *Model) probabilitiesAt(d *dataset, n int, e *extractor) []float64 {
	m.logits(e, d.idx[d.off[n]:d.off[n+1]], d.val[d.off[n]:d.off[n+1]])
	softmax(e.z)
	return e.z
}
