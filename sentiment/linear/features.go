package linear

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/earshot-dev/earshot/sentiment/social"
)

// featureVersion identifies the tokenizer, hashing and lexicon feature
// code. Models record it; a model made by another version is rejected on
// load because its weights would be applied to different features.
const featureVersion = 5

// Features selects what the model sees in a text. The zero value is the
// default: word unigrams (marked when negated) and bigrams, character 2- to
// 4-grams inside words, and lexicon features, hashed into 2^18 buckets.
// Settings are recorded in a saved model.
type Features struct {
	// Bits is log2 of the number of hash buckets, 10..22; 0 means 18.
	Bits int
	// Words is the longest word n-gram, 1..3; 0 means 2 (bigrams).
	Words int
	// CharMin and CharMax bound the character n-grams taken inside each
	// word, with its edges marked; CharMin 0 means 2, CharMax 0 means 4.
	CharMin, CharMax int
	// NoChars turns off character n-grams (CharMin and CharMax are then
	// ignored). With the naive-Bayes scaling of [Config.NaiveBayes] they
	// raise macro-recall on folds of tweets by about 0.01; without it
	// they do not.
	NoChars bool
	// NoLexicon turns off the dense features computed from the VADER
	// lexicon (valence sums with negation, boosters and "but").
	NoLexicon bool
	// NoRules turns off the features taken from the rule-based scorer of
	// package sentiment/social (its compound, positive and negative).
	NoRules bool
}

func (f Features) resolve() (Features, error) {
	if f.Bits == 0 {
		f.Bits = 18
	}
	if f.Words == 0 {
		f.Words = 2
	}
	switch {
	case f.NoChars:
		f.CharMin, f.CharMax = 0, 0
	case f.CharMax == 0:
		f.CharMax = max(4, f.CharMin)
	}
	if !f.NoChars && f.CharMin == 0 {
		f.CharMin = 2
	}
	switch {
	case f.Bits < 10 || f.Bits > 22:
		return f, fmt.Errorf("linear: Features.Bits %d out of range 10..22", f.Bits)
	case f.Words < 1 || f.Words > 3:
		return f, fmt.Errorf("linear: Features.Words %d out of range 1..3", f.Words)
	case !f.NoChars && (f.CharMin < 1 || f.CharMax < f.CharMin || f.CharMax > 8):
		return f, fmt.Errorf("linear: character n-grams %d..%d out of range 1..8", f.CharMin, f.CharMax)
	}
	return f, nil
}

// Dense lexicon features come first in the weight vector; index 0 is the
// bias and is always present.
const (
	fBias = iota
	fCompound
	fPos
	fNeg
	fMixed
	fNegation
	fQuestion
	fExclaim
	fURL
	fUser
	fCaps
	fElong
	fEmoji
	fLength
	fLastClause
	fHashtag
	fRules
	fRulesPos
	fRulesNeg
	nDense
)

// extractor turns a text into sparse features. It owns scratch buffers and
// is reused through the model's pool, so scoring does not allocate.
type extractor struct {
	buf  []byte
	toks []token
	idx  []int32
	val  []float32
	zf   []float32 // class scores, accumulated
	z    []float64 // class scores, then probabilities
}

// Hashing: FNV-1a over bytes, seeded per feature kind, then mixed so the
// low bits used for bucketing are well spread.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

const (
	nsWord    uint64 = fnvOffset ^ 0x9E3779B97F4A7C15
	nsNegWord uint64 = fnvOffset ^ 0x3C6EF372FE94F82A
	nsHashtag uint64 = fnvOffset ^ 0xDAA66D2C7DDF743F
	nsBigram  uint64 = fnvOffset ^ 0x78DDE6E5FD29F054
	nsTrigram uint64 = fnvOffset ^ 0x1715609D7C746C69
	nsChar    uint64 = fnvOffset ^ 0xB54CDA56FBBEE87E
)

// extract fills e.idx and e.val with the features of text: dense lexicon
// features first (when lex is non-nil), the rule-based scorer's figures
// (when rules is non-nil), then hashed word n-grams and character n-grams,
// each group scaled to unit length.
func (e *extractor) extract(text string, f Features, lex *lexicon, rules *social.Scorer) {
	e.tokenize(text)
	e.idx = e.idx[:0]
	e.val = e.val[:0]
	e.idx = append(e.idx, fBias)
	e.val = append(e.val, 1)
	if lex != nil {
		e.lexicon(lex)
	}
	if rules != nil {
		s, _ := rules.Score(context.Background(), text) // never fails
		for i, v := range [...]float64{s.Compound, s.Positive, s.Negative} {
			if v != 0 && !math.IsNaN(v) {
				e.idx = append(e.idx, int32(fRules+i))
				e.val = append(e.val, float32(v))
			}
		}
	}
	mask := uint64(1)<<f.Bits - 1
	add := func(h uint64) {
		e.idx = append(e.idx, int32(nDense+mix(h)&mask))
		e.val = append(e.val, 1)
	}
	// word n-grams
	g0 := len(e.idx)
	for i, t := range e.toks {
		if t.kind == kBreak {
			continue
		}
		b := e.text(t)
		if t.neg {
			add(fnv(nsNegWord, b))
		} else {
			add(fnv(nsWord, b))
		}
		if t.hashtag {
			add(fnv(nsHashtag, b))
		}
		if f.Words >= 2 && i > 0 && e.toks[i-1].kind != kBreak {
			h := fnv(nsBigram, e.text(e.toks[i-1]))
			h = fnv(h^' ', b)
			add(h)
			if f.Words >= 3 && i > 1 && e.toks[i-2].kind != kBreak {
				h := fnv(nsTrigram, e.text(e.toks[i-2]))
				h = fnv(h^' ', e.text(e.toks[i-1]))
				h = fnv(h^' ', b)
				add(h)
			}
		}
	}
	normalize(e.val[g0:])
	// character n-grams inside words, with '<' and '>' marking the edges
	if f.CharMax > 0 {
		g1 := len(e.idx)
		for _, t := range e.toks {
			if t.kind != kWord {
				continue
			}
			w := e.text(t)
			n := len(w) + 2
			at := func(k int) byte {
				switch k {
				case 0:
					return '<'
				case n - 1:
					return '>'
				}
				return w[k-1]
			}
			for s := 0; s < n; s++ {
				h := nsChar
				for l := 1; l <= f.CharMax && s+l <= n; l++ {
					h ^= uint64(at(s + l - 1))
					h *= fnvPrime
					if l >= f.CharMin && l < n { // skip the whole "<w>" when it is a unigram already
						add(h)
					}
				}
			}
		}
		normalize(e.val[g1:])
	}
}

func normalize(v []float32) {
	if len(v) == 0 {
		return
	}
	s := float32(1 / math.Sqrt(float64(len(v))))
	for i := range v {
		v[i] = s
	}
}

var rulesScorer = sync.OnceValue(func() *social.Scorer { return social.New() })

// probes are texts the rule-based scorer scores when a model is saved and
// again when it is loaded: if the scorer has changed enough to move its
// compound scores on them by more than probeTolerance on average, the
// model's rule features no longer mean what they meant in training.
var probes = [...]string{
	"I love this so much!", "worst customer service ever", "not bad at all", "no problem, happy to help",
	"this is sooo gooood", "#NotHappy with the update", "meh.", "The meeting is at 3pm.",
	"I don't hate it", "great, another delay... thanks a lot", "😍😍😍", "😡",
	"it's ok I guess", "absolutely terrible!!!", "kind of disappointed", "LOVE IT",
	"could be better", "not good", "never again", "best day ever :)",
	"the app keeps crashing", "fine", "what a joke", "so sad today :(",
}

const probeTolerance = 0.05

func probeScores(rules *social.Scorer) []float32 {
	out := make([]float32, len(probes))
	for i, p := range probes {
		s, _ := rules.Score(context.Background(), p) // never fails
		out[i] = float32(s.Compound)
	}
	return out
}
