package social

import (
	"context"
	"math"
	"strings"
	"sync"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderdata"
)

//go:generate go run ./internal/emojigen -o emoji_vader.go

// Scorer is a rule-based sentiment scorer for social posts: VADER's
// lexicon and rules with the fixes listed in the package documentation.
// Build it with [New]; the zero value is not usable. It is immutable and
// safe for concurrent use.
type Scorer struct {
	tab     *table // the words, for fast lookups
	emoji   map[rune]float64
	phrases map[string][]phrase // first word -> phrases starting with it
	band    float64
	pool    sync.Pool // *state
}

// Option configures a [Scorer]. Options only record values; [New] applies
// them.
type Option func(*config)

type config struct {
	terms []map[string]float64
	band  float64
	set   bool
}

// WithTerms adds or overrides terms, such as a brand's slang or a
// domain's words: {"bussin": 2.5, "price hike": -2.1}. Values are on
// VADER's scale (about -4 to +4); keys are matched case-insensitively and
// may be phrases of several words. Several WithTerms apply in order;
// non-finite values are ignored.
func WithTerms(terms map[string]float64) Option {
	return func(c *config) { c.terms = append(c.terms, terms) }
}

// WithNeutralBand sets how much summed valence a text needs before it
// leans positive or negative (VADER's units; default 0.2, chosen by 5-fold
// cross-validation of macro-averaged recall on the two labelled sets the
// project evaluates on: see TestCrossValidatedBand). Larger values label
// more weakly opinionated posts neutral. Negative values count as 0.
func WithNeutralBand(v float64) Option {
	return func(c *config) { c.band, c.set = v, true }
}

// defaultNeutralBand is the neutral band of [WithNeutralBand].
const defaultNeutralBand = 0.2

// wentry is what the scorer knows about one lower-case word.
type wentry struct {
	val   float64
	flags uint16
}

const (
	fLex        uint16 = 1 << iota // has a valence (possibly 0, for a known neutral idiom)
	fBoost                         // intensifier
	fDamp                          // dampener
	fNeg                           // negator
	fContrast                      // "but" and friends
	fPhrase                        // starts a phrase
	fDict                          // a word, for hashtag segmentation
	fSoThis                        // "so" or "this", for "never so good"
	fThis                          // "this", for "haven't been this happy"
	fIdiom                         // a merged phrase
	fNever                         // "never"
	fDisc                          // discourse marker: "ok", "yes", "well" alone carry no sentiment
	fLike                          // "like", often a preposition or filler
	fLikeCtx                       // a word that makes a neighbouring "like" a preposition
	fPhraseCont                    // appears after the first word of a phrase
)

var (
	baseOnce sync.Once
	baseData *base
)

// base is the default tables, built once per process and never changed.
type base struct {
	words   map[string]wentry
	tab     *table
	emoji   map[rune]float64
	phrases map[string][]phrase
}

func defaultBase() *base {
	baseOnce.Do(func() { baseData = buildBase() })
	return baseData
}

func buildBase() *base {
	b := &base{
		words: make(map[string]wentry, 8000),
		emoji: make(map[rune]float64, 1400),
	}
	for w, v := range vaderdata.Lexicon() {
		if strings.ContainsRune(w, ' ') {
			continue // multi-word keys are phrases below
		}
		b.words[w] = wentry{val: v, flags: fLex | fDict}
	}
	for w, d := range boosters {
		e := b.words[w]
		switch {
		case d > 0:
			e.flags |= fBoost | fDict
		case d < 0:
			e.flags |= fDamp | fDict
		}
		// A booster's own lexicon valence never counts.
		e.flags &^= fLex
		e.val = 0
		b.words[w] = e
	}
	for _, w := range negators {
		e := b.words[w]
		e.flags |= fNeg | fDict
		b.words[w] = e
	}
	for _, w := range contrasts {
		e := b.words[w]
		e.flags |= fContrast | fDict
		b.words[w] = e
	}
	for _, w := range []string{"so", "this"} {
		e := b.words[w]
		e.flags |= fSoThis | fDict
		b.words[w] = e
	}
	for _, w := range commonWords {
		e := b.words[w]
		e.flags |= fDict
		b.words[w] = e
	}
	for k, v := range idioms {
		b.phrases = addTerm(b.words, b.phrases, k, v)
	}
	// Phrases that dampen or intensify the next word: "kind of good",
	// "scared the hell out of me".
	for k, f := range map[string]uint16{
		"kind of": fDamp, "sort of": fDamp, "a bit": fDamp, "a little": fDamp, "a little bit": fDamp,
		"just enough": fDamp, "the hell out of": fBoost, "the shit out of": fBoost,
		"the fuck out of": fBoost, "the heck out of": fBoost, "the crap out of": fBoost,
	} {
		b.phrases = addTerm(b.words, b.phrases, k, 0)
		ps := b.phrases[strings.Fields(k)[0]]
		for i := range ps {
			if strings.Join(ps[i].words, " ") == k {
				ps[i].flags = f
			}
		}
	}
	for _, w := range discourse {
		e := b.words[w]
		e.flags |= fDisc
		b.words[w] = e
	}
	for _, w := range likeContext {
		e := b.words[w]
		e.flags |= fLikeCtx
		b.words[w] = e
	}
	for w, f := range map[string]uint16{"this": fThis, "never": fNever, "like": fLike} {
		e := b.words[w]
		e.flags |= f
		b.words[w] = e
	}
	// Emoji: the valence of their description, unless overridden.
	for _, e := range vaderEmoji {
		b.emoji[e.r] = unnormalize(e.c)
	}
	for r, val := range emojiValence {
		b.emoji[r] = val
	}
	b.tab = newTable(b.words)
	return b
}

// unnormalize inverts VADER's normalisation x/sqrt(x*x+15).
func unnormalize(c float64) float64 {
	if c >= 0.9999 {
		c = 0.9999
	} else if c <= -0.9999 {
		c = -0.9999
	}
	return c * math.Sqrt(15) / math.Sqrt(1-c*c)
}

// New returns a social-media Scorer, changed by opts. The default tables
// are built once per process and shared.
func New(opts ...Option) *Scorer {
	c := config{band: defaultNeutralBand}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.band < 0 || math.IsNaN(c.band) {
		c.band = 0
	}
	b := defaultBase()
	s := &Scorer{tab: b.tab, emoji: b.emoji, phrases: b.phrases, band: c.band}
	if len(c.terms) > 0 {
		words := make(map[string]wentry, len(b.words)+64)
		for k, v := range b.words {
			words[k] = v
		}
		s.phrases = make(map[string][]phrase, len(b.phrases))
		for k, v := range b.phrases {
			s.phrases[k] = append([]phrase(nil), v...)
		}
		for _, terms := range c.terms {
			for k, v := range terms {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					continue
				}
				s.phrases = addTerm(words, s.phrases, k, v)
			}
		}
		s.tab = newTable(words)
	}
	return s
}

// Supports reports whether the scorer handles texts tagged lang: English
// or unknown ("") only. It implements [sentiment.LanguageReporter].
func (s *Scorer) Supports(lang string) bool { return sentiment.IsEnglish(lang) }

// Score returns the sentiment of text. It never fails; ctx is unused.
func (s *Scorer) Score(_ context.Context, text string) (sentiment.Score, error) {
	st, _ := s.pool.Get().(*state)
	if st == nil {
		st = &state{
			buf:  make([]byte, 0, 512),
			low:  make([]byte, 0, 512),
			toks: make([]tok, 0, 64),
		}
	}
	sc := s.score(st, text)
	if cap(st.buf) <= 64<<10 && cap(st.low) <= 64<<10 && cap(st.toks) <= 4096 && cap(st.cands) <= 4096 {
		s.pool.Put(st)
	}
	return sc, nil
}
