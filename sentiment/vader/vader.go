package vader

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
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

// entry is what the scorer knows about one lower-case token.
type entry struct {
	val   float64 // lexicon valence, if flags&fLex
	flags uint8
	id    uint8 // one of the id constants, for the rules that name words
}

const (
	fLex uint8 = 1 << iota
	fBooster
	fNegate
	fPhrase   // starts a multi-word phrase from WithTerms
	fDampener // a booster that decreases (bDecr) rather than increases
	fIdiom    // a word of a special case or two-word booster: its id may match one
	fRule     // "no", "least", "never", "so", "this" or "without": a rule names it as a preceding word
)

// Words the rules name, identified by small integers.
const (
	idNone uint8 = iota
	idNo
	idOr
	idNor
	idKind
	idOf
	idLeast
	idAt
	idVery
	idNever
	idSo
	idThis
	idWithout
	idDoubt
	idBut
	idThe
	idShit
	idBomb
	idBad
	idAss
	idBus
	idStop
	idYeah
	idRight
	idKiss
	idDeath
	idTo
	idDie
	idFor
	idBeating
	idHeart
	idBroken
	idJust
	idEnough
	idSort
)

var idWords = map[string]uint8{
	"no": idNo, "or": idOr, "nor": idNor, "kind": idKind, "of": idOf,
	"least": idLeast, "at": idAt, "very": idVery, "never": idNever,
	"so": idSo, "this": idThis, "without": idWithout, "doubt": idDoubt,
	"but": idBut, "the": idThe, "shit": idShit, "bomb": idBomb,
	"bad": idBad, "ass": idAss, "bus": idBus, "stop": idStop,
	"yeah": idYeah, "right": idRight, "kiss": idKiss, "death": idDeath,
	"to": idTo, "die": idDie, "for": idFor, "beating": idBeating,
	"heart": idHeart, "broken": idBroken, "just": idJust,
	"enough": idEnough, "sort": idSort,
}

// Constants of vaderSentiment 3.3.2 (package vaderrules).
const (
	bIncr   = vaderrules.BIncr
	bDecr   = vaderrules.BDecr
	cIncr   = vaderrules.CIncr
	nScalar = vaderrules.NScalar
	alpha   = vaderrules.Alpha
)

// boosterBigrams are BOOSTER_DICT's two-word keys ("just enough", "kind
// of", "sort of"), all worth bDecr.
var boosterBigrams = [][2]uint8{{idJust, idEnough}, {idKind, idOf}, {idSort, idOf}}

// specialCase is one of the reference's SPECIAL_CASES with two or three
// words ("badass", a single word, can never match a joined sequence).
type specialCase struct {
	ids [3]uint8 // idNone-terminated
	val float64
}

var specialCases = []specialCase{
	{[3]uint8{idThe, idShit}, 3},
	{[3]uint8{idThe, idBomb}, 3},
	{[3]uint8{idBad, idAss}, 1.5},
	{[3]uint8{idBus, idStop}, 0},
	{[3]uint8{idYeah, idRight}, -2},
	{[3]uint8{idKiss, idOf, idDeath}, -1.5},
	{[3]uint8{idTo, idDie, idFor}, 3},
	{[3]uint8{idBeating, idHeart}, 3.1},
	{[3]uint8{idBroken, idHeart}, -2.9},
}

// phrase is a multi-word term from WithTerms.
type phrase struct {
	words []string // lower case, at least two
	e     entry
}

// buildEntries makes the lookup table: lexicon words plus every word a
// rule names.
func buildEntries(lex *Lexicon) *table {
	t := lex.tab.clone()
	addRuleWords(t)
	return t
}

// addRuleWords flags, in t, the words the rules name.
func addRuleWords(t *table) {
	for k, v := range vaderrules.Boosters {
		t.update(k, func(e *entry) {
			e.flags |= fBooster
			if v < 0 {
				e.flags |= fDampener
			}
		})
	}
	for _, k := range vaderrules.Negate {
		t.update(k, func(e *entry) { e.flags |= fNegate })
	}
	idiom := map[uint8]bool{}
	for _, sc := range specialCases {
		for _, id := range sc.ids {
			idiom[id] = true
		}
	}
	for _, bg := range boosterBigrams {
		idiom[bg[0]], idiom[bg[1]] = true, true
	}
	for k, id := range idWords {
		t.update(k, func(e *entry) {
			e.id = id
			if idiom[id] {
				e.flags |= fIdiom
			}
			switch id {
			case idNo, idLeast, idNever, idSo, idThis, idWithout:
				e.flags |= fRule
			}
		})
	}
}

func (s *Scorer) addTerm(key string, v float64) {
	key = strings.ToLower(strings.TrimSpace(key))
	words := strings.Fields(key)
	switch len(words) {
	case 0:
		return
	case 1:
		s.entries.update(words[0], func(e *entry) { e.val, e.flags = v, e.flags|fLex })
	default:
		if s.phrases == nil {
			s.phrases = make(map[string][]phrase)
		}
		first := words[0]
		s.entries.update(first, func(e *entry) { e.flags |= fPhrase })
		ps := s.phrases[first]
		for i := range ps {
			if equalWords(ps[i].words, words) {
				ps[i].e.val = v
				return
			}
		}
		s.phrases[first] = append(ps, phrase{words: words, e: entry{val: v, flags: fLex}})
	}
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// String describes the scorer briefly, for logs.
func (s *Scorer) String() string {
	return fmt.Sprintf("vader.Scorer(%d entries, %d phrase starts, html=%t)", s.entries.len(), len(s.phrases), s.html)
}
