package vader

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"unsafe"

	"github.com/earshot-dev/earshot/sentiment"
)

// Scorer scores texts the way vaderSentiment 3.3.2's
// SentimentIntensityAnalyzer.polarity_scores does. Build it with [New];
// the zero value is not usable. A Scorer is immutable and safe for
// concurrent use by any number of goroutines.
type Scorer struct {
	entries *table
	base    *base               // for the emoji descriptions, decoded on first use
	phrases map[string][]phrase // first word -> phrases starting with it
	html    bool
	plain   bool      // no option changes tokens: ASCII texts may take the plain path
	pool    sync.Pool // *state
}

// Option configures a [Scorer]. Options only record values; [New] applies
// them.
type Option func(*config)

type config struct {
	lex   *Lexicon
	terms []map[string]float64
	html  bool
}

// WithLexicon replaces the word lexicon (by default [DefaultLexicon]) with
// lex, for example one read by [ReadLexicon]. Entries containing spaces
// are kept but, as in the reference, never match a token; use [WithTerms]
// for multi-word phrases. Emoji descriptions are unchanged.
func WithLexicon(lex *Lexicon) Option {
	return func(c *config) { c.lex = lex }
}

// WithTerms adds terms to the lexicon or overrides their valence, for a
// domain or a brand's slang: {"meh": -0.5, "fire": 2.0}. Keys are matched
// case-insensitively (they are lower-cased). A key with spaces is a
// multi-word phrase, such as "price hike": -2.1; its words, matched as
// whole tokens after VADER's punctuation stripping, are scored as one
// lexicon item, so boosters, negation and "but" apply to it as to a word.
// Several WithTerms apply in order. Non-finite valences are ignored.
func WithTerms(terms map[string]float64) Option {
	return func(c *config) { c.terms = append(c.terms, terms) }
}

// WithHTMLEntities decodes HTML character references (&amp; &lt; &gt;
// &quot; &apos; &#39; &nbsp; and numeric ones such as &#128512;) before
// scoring, as social APIs often deliver text escaped. The reference does
// not, so it is off by default; turning it on changes scores of texts
// that contain entities.
func WithHTMLEntities(on bool) Option {
	return func(c *config) { c.html = on }
}

// New returns a Scorer with vaderSentiment 3.3.2's lexicon, emoji
// descriptions and rules, changed by opts. The default lexicon is decoded
// once per process and shared by every Scorer; New without options costs
// only the building of its lookup table.
func New(opts ...Option) *Scorer {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	b := defaultBase()
	s := &Scorer{base: b, html: c.html, entries: b.entries}
	if c.lex != nil {
		s.entries = buildEntries(c.lex)
	} else if len(c.terms) > 0 {
		s.entries = b.entries.clone()
	}
	for _, terms := range c.terms {
		for k, v := range terms {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			s.addTerm(k, v)
		}
	}
	for _, ps := range s.phrases {
		// Longest phrase first, so it wins over its prefixes.
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
	}
	s.plain = !s.html && s.phrases == nil
	return s
}

// Supports reports whether the scorer handles texts tagged lang: English
// or unknown ("") only. It implements [sentiment.LanguageReporter].
func (s *Scorer) Supports(lang string) bool { return sentiment.IsEnglish(lang) }

// Score returns the VADER scores of text, as the reference's
// polarity_scores does. It never fails; ctx is unused.
func (s *Scorer) Score(_ context.Context, text string) (sentiment.Score, error) {
	st := s.getState()
	sc := s.score(st, text)
	s.putState(st)
	return sc, nil
}

// ScoreBytes is [Scorer.Score] for a text held in a byte slice, which it
// reads only during the call and does not keep: a program that reads
// lines into a buffer it reuses scores them without turning each into a
// string, so without garbage.
func (s *Scorer) ScoreBytes(_ context.Context, text []byte) (sentiment.Score, error) {
	st := s.getState()
	// The string shares text's bytes for the duration of the call only:
	// score copies the text into st.buf (or st.low) before reading it,
	// and keeps nothing of it.
	sc := s.score(st, unsafe.String(unsafe.SliceData(text), len(text)))
	s.putState(st)
	return sc, nil
}

// String describes the scorer briefly, for logs.
func (s *Scorer) String() string {
	return fmt.Sprintf("vader.Scorer(%d entries, %d phrase starts, html=%t)", s.entries.len(), len(s.phrases), s.html)
}
