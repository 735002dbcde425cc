package linear

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

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

type tokKind uint8

const (
	kWord tokKind = iota
	kEmoji
	kPunct // runs of ! and ?
	kURL
	kUser
	kBreak // . , ; : and other clause punctuation: ends n-grams and negation
)

type token struct {
	start, end int32 // span in extractor.buf
	kind       tokKind
	hashtag    bool
	caps       bool // written in capitals, like "LOVE"
	elong      bool // had a letter repeated 3+ times
	neg        bool // inside a negation's scope
}

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

var urlPlaceholder = []byte("<url>")
var userPlaceholder = []byte("<user>")

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// skipRune reports runes that carry no meaning on their own: emoji
// modifiers, joiners and variation selectors.
func skipRune(r rune) bool {
	return r == 0xFE0F || r == 0xFE0E || r == 0x200D || r == 0x200B || (r >= 0x1F3FB && r <= 0x1F3FF)
}

var entities = [...]struct {
	s string
	r rune
}{{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&#039;", '\''}, {"&apos;", '\''}, {"&nbsp;", ' '}}

// entityAt decodes an HTML entity at the start of s.
func entityAt(s string) (rune, int) {
	for _, e := range entities {
		if len(s) >= len(e.s) && s[:len(e.s)] == e.s {
			return e.r, len(e.s)
		}
	}
	return 0, 0
}

func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// escapeAt decodes a literal JSON-style escape "\uXXXX" (or a surrogate
// pair of two) at the start of s, as tweets downloaded through some APIs
// carry ("\u002c" for a comma, "\u2019" for an apostrophe).
func escapeAt(s string) (rune, int) {
	r, ok := hex4(s)
	if !ok {
		return 0, 0
	}
	if 0xD800 <= r && r < 0xDC00 {
		if lo, ok := hex4(s[6:]); ok && 0xDC00 <= lo && lo < 0xE000 {
			return 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00), 12
		}
		return ' ', 6 // a lone surrogate: nothing
	}
	if 0xDC00 <= r && r < 0xE000 {
		return ' ', 6 // a lone surrogate: nothing
	}
	if r == '\u2019' || r == '\u2018' {
		r = '\''
	}
	return r, 6
}

// hex4 parses "\u" and four hex digits at the start of s.
func hex4(s string) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// nextRune decodes the rune at s[i:], turning HTML entities and the
// typographic apostrophe into their plain characters.
func nextRune(s string, i int) (rune, int) {
	switch s[i] {
	case '&':
		if r, n := entityAt(s[i:]); n > 0 {
			return r, n
		}
	case '\\':
		if r, n := escapeAt(s[i:]); n > 0 {
			return r, n
		}
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == '\u2019' || r == '\u2018' {
		r = '\''
	}
	return r, n
}

// tokenize fills e.buf and e.toks from text.
func (e *extractor) tokenize(text string) {
	e.buf = e.buf[:0]
	e.toks = e.toks[:0]
	s := text
	for i := 0; i < len(s); {
		if c := s[i]; c == ':' || c == ';' || c == '=' || c == '<' || c == '&' {
			if face, n := emoticonAt(s, i); n > 0 {
				e.addFixed(face, kEmoji)
				i += n
				continue
			}
		}
		r, n := nextRune(s, i)
		switch {
		case r == 'h' || r == 'H' || r == 'w' || r == 'W':
			if hasPrefixFold(s[i:], "http://") || hasPrefixFold(s[i:], "https://") || hasPrefixFold(s[i:], "www.") {
				j := i
				for j < len(s) && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' && s[j] != '\r' {
					j++
				}
				e.addFixed(urlPlaceholder, kURL)
				i = j
				continue
			}
			i = e.word(s, i, false)
			continue
		case (r == '@' || r == '#') && i+1 < len(s):
			r2, _ := nextRune(s, i+1)
			if !isWordRune(r2) {
				i += n
				continue
			}
			if r == '@' {
				j := i + 1
				for j < len(s) {
					r3, n3 := nextRune(s, j)
					if !isWordRune(r3) {
						break
					}
					j += n3
				}
				e.addFixed(userPlaceholder, kUser)
				i = j
				continue
			}
			// CamelCase hashtags become words: "#NotHappy" -> not happy.
			for i++; i < len(s); {
				j := e.word(s, i, true)
				if j == i {
					break
				}
				i = j
				if i >= len(s) {
					break
				}
				if r, _ := nextRune(s, i); !isWordRune(r) {
					break
				}
			}
			continue
		case isWordRune(r):
			i = e.word(s, i, false)
			continue
		case r == '!' || r == '?':
			start := len(e.buf)
			var last rune
			run := 0
			for i < len(s) && (s[i] == '!' || s[i] == '?') {
				c := rune(s[i])
				if c == last {
					run++
				} else {
					last, run = c, 1
				}
				if run <= 2 {
					e.buf = append(e.buf, s[i])
				}
				i++
			}
			e.toks = append(e.toks, token{start: int32(start), end: int32(len(e.buf)), kind: kPunct})
			continue
		case r == '.' || r == ',' || r == ';' || r == ':' || r == '\n' || r == '(' || r == ')' || r == '"' || r == '-' && i+1 < len(s) && s[i+1] == ' ':
			if k := len(e.toks); k > 0 && e.toks[k-1].kind != kBreak {
				e.toks = append(e.toks, token{start: int32(len(e.buf)), end: int32(len(e.buf)), kind: kBreak})
			}
		case r >= 0x2100 && !skipRune(r) && !unicode.IsSpace(r) && (unicode.IsSymbol(r) || unicode.Is(unicode.Co, r) || unicode.IsPunct(r)):
			start := len(e.buf)
			e.buf = utf8.AppendRune(e.buf, r)
			e.toks = append(e.toks, token{start: int32(start), end: int32(len(e.buf)), kind: kEmoji})
		}
		i += n
	}
	e.markNegation()
}

// emoticons are the faces tokenized as emoji, written without a nose;
// emoticonAt also accepts them with a "-" nose and "&lt;" for "<".
var emoticons = [...]string{
	":)", ":(", ":D", ":P", ":p", ":/", ":'(", ":')", ":|", ":o", ":O", ":*", ":\\",
	";)", ";D", ";P", ";p", "=)", "=(", "=D", "<3", "</3",
}

var emoticonBytes = func() [][]byte {
	out := make([][]byte, len(emoticons))
	for i, f := range emoticons {
		out[i] = []byte(f)
	}
	return out
}()

// emoticonAt returns the emoticon at s[i:] without its nose, and the length
// it spans in s (0 if none). A face ending in a letter must not run on into
// a word ("re:Post"); repeated mouths (":)))") are one emoticon.
func emoticonAt(s string, i int) ([]byte, int) {
	rest := s[i:]
	lt := 0 // extra bytes of an "&lt;" entity
	if strings.HasPrefix(rest, "&lt;") {
		rest = "<" + rest[4:]
		lt = 3
	}
	for k, f := range emoticons {
		n := 0
		switch {
		case strings.HasPrefix(rest, f):
			n = len(f)
		case len(f) == 2 && f[0] != '<' && len(rest) >= 3 && rest[0] == f[0] && rest[1] == '-' && rest[2] == f[1]:
			n = 3
		default:
			continue
		}
		last := rest[n-1]
		if isLetterByte(last) {
			if n < len(rest) {
				if r, _ := utf8.DecodeRuneInString(rest[n:]); isWordRune(r) {
					continue
				}
			}
		} else if last == ')' || last == '(' {
			for n < len(rest) && rest[n] == last {
				n++
			}
		}
		return emoticonBytes[k], n + lt
	}
	return nil, 0
}

func isLetterByte(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func (e *extractor) addFixed(b []byte, k tokKind) {
	start := len(e.buf)
	e.buf = append(e.buf, b...)
	e.toks = append(e.toks, token{start: int32(start), end: int32(len(e.buf)), kind: k})
}

// word reads a word starting at s[i], lower-cased, with letters repeated
// three or more times squeezed to two ("soooo" -> "soo"), and returns the
// index after it. Apostrophes inside words are kept ("don't"). In a
// hashtag, a capital after a small letter ends the word.
func (e *extractor) word(s string, i int, hashtag bool) int {
	start := len(e.buf)
	var last rune
	run, upper, letters := 0, 0, 0
	elong, prevLower := false, false
	for i < len(s) {
		r, n := nextRune(s, i)
		if r == '\'' {
			// keep an apostrophe only between word characters
			if i+n < len(s) && len(e.buf) > start {
				if r2, _ := nextRune(s, i+n); unicode.IsLetter(r2) {
					e.buf = append(e.buf, '\'')
					last, run = '\'', 1
					i += n
					continue
				}
			}
			break
		}
		if !isWordRune(r) {
			if skipRune(r) {
				i += n
				continue
			}
			break
		}
		if hashtag && prevLower && unicode.IsUpper(r) {
			break // a camel-case hump starts the next word
		}
		prevLower = unicode.IsLower(r)
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
		lr := r
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				lr = r + 'a' - 'A'
			}
		} else {
			lr = unicode.ToLower(r)
		}
		if lr == last {
			run++
		} else {
			last, run = lr, 1
		}
		if run > 2 {
			elong = true
		} else {
			e.buf = utf8.AppendRune(e.buf, lr)
		}
		i += n
	}
	if len(e.buf) > start {
		e.toks = append(e.toks, token{
			start: int32(start), end: int32(len(e.buf)), kind: kWord, hashtag: hashtag,
			caps: letters >= 2 && upper == letters, elong: elong,
		})
	}
	return i
}

func (e *extractor) text(t token) []byte { return e.buf[t.start:t.end] }

var negations = map[string]bool{
	"not": true, "no": true, "never": true, "nor": true, "none": true, "nobody": true, "nothing": true,
	"neither": true, "nowhere": true, "cannot": true, "cant": true, "dont": true, "wont": true,
	"isnt": true, "arent": true, "wasnt": true, "werent": true, "didnt": true, "doesnt": true,
	"hasnt": true, "havent": true, "hadnt": true, "shouldnt": true, "wouldnt": true, "couldnt": true,
	"aint": true, "without": true, "nope": true, "nah": true,
}

func isNegation(b []byte) bool {
	if negations[string(b)] {
		return true
	}
	n := len(b)
	return n >= 3 && b[n-1] == 't' && b[n-2] == '\'' && b[n-3] == 'n'
}

// markNegation flags up to three words after a negation, stopping at
// clause punctuation, "!" or "?". Emoji, URLs and mentions are not negated.
func (e *extractor) markNegation() {
	scope := 0
	for i := range e.toks {
		t := &e.toks[i]
		switch t.kind {
		case kBreak, kPunct:
			scope = 0
			continue
		case kWord:
			if isNegation(e.text(*t)) {
				scope = 3
				continue
			}
			if scope > 0 {
				t.neg = true
				scope--
			}
		}
	}
}

var boosters = map[string]float32{
	"very": 0.293, "really": 0.293, "so": 0.293, "soo": 0.293, "extremely": 0.293, "absolutely": 0.293,
	"totally": 0.293, "completely": 0.293, "incredibly": 0.293, "super": 0.293, "too": 0.293,
	"most": 0.293, "more": 0.293, "highly": 0.293, "hella": 0.293, "fucking": 0.293, "damn": 0.293,
	"sooo": 0.293, "truly": 0.293, "utterly": 0.293, "especially": 0.293, "quite": 0.2,
	"kinda": -0.293, "slightly": -0.293, "somewhat": -0.293, "barely": -0.293, "hardly": -0.293,
	"bit": -0.293, "little": -0.293, "sorta": -0.293, "almost": -0.293, "partly": -0.293,
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

// lexicon appends the dense features computed from VADER valences.
func (e *extractor) lexicon(lex *lexicon) {
	var pos, neg, sum, emoji, hashtag, last float64
	var negated, question, exclaim, url, user, caps, elong bool
	words := 0
	butAt := -1
	for i, t := range e.toks {
		if t.kind == kWord {
			b := e.text(t)
			if string(b) == "but" || string(b) == "however" || string(b) == "although" || string(b) == "though" {
				butAt = i
			}
		}
	}
	allCaps := true
	for _, t := range e.toks {
		if t.kind == kWord && !t.caps {
			allCaps = false
			break
		}
	}
	var prev []byte
	for i, t := range e.toks {
		var v float64
		switch t.kind {
		case kWord:
			words++
			b := e.text(t)
			if isNegation(b) {
				negated = true
			}
			if t.elong {
				elong = true
			}
			v = float64(lex.words[string(b)])
			if v != 0 {
				if t.caps && !allCaps {
					caps = true
					v += math.Copysign(0.733, v)
				}
				if prev != nil {
					if bst, ok := boosters[string(prev)]; ok {
						v += math.Copysign(float64(bst), v)
					}
				}
				if t.elong {
					v += math.Copysign(0.293, v)
				}
				if t.neg {
					v *= -0.74
				}
				if t.hashtag {
					hashtag += v
				}
			}
			prev = b
		case kEmoji:
			b := e.text(t)
			v = float64(lex.emoji[string(b)])
			if v == 0 {
				v = float64(lex.words[string(b)]) // emoticons
			}
			emoji += v
			prev = nil
		case kPunct:
			for _, c := range e.text(t) {
				if c == '?' {
					question = true
				} else {
					exclaim = true
				}
			}
			prev = nil
		case kURL:
			url = true
			prev = nil
		case kUser:
			user = true
			prev = nil
		default:
			prev = nil
		}
		if v == 0 {
			continue
		}
		if butAt >= 0 {
			if i < butAt {
				v *= 0.5
			} else if i > butAt {
				v *= 1.5
				last += v
			}
		}
		sum += v
		if v > 0 {
			pos += v
		} else {
			neg -= v
		}
	}
	b2f := func(b bool) float32 {
		if b {
			return 1
		}
		return 0
	}
	add := func(i int, v float32) {
		if v != 0 {
			e.idx = append(e.idx, int32(i))
			e.val = append(e.val, v)
		}
	}
	add(fCompound, float32(sum/math.Sqrt(sum*sum+15)))
	add(fPos, float32(math.Tanh(pos/3)))
	add(fNeg, float32(math.Tanh(neg/3)))
	add(fMixed, b2f(pos > 0 && neg > 0))
	add(fNegation, b2f(negated))
	add(fQuestion, b2f(question))
	add(fExclaim, b2f(exclaim))
	add(fURL, b2f(url))
	add(fUser, b2f(user))
	add(fCaps, b2f(caps))
	add(fElong, b2f(elong))
	add(fEmoji, float32(math.Tanh(emoji/3)))
	add(fLength, float32(math.Log1p(float64(words))/3))
	add(fLastClause, float32(last/math.Sqrt(last*last+15)))
	add(fHashtag, float32(math.Tanh(hashtag/3)))
}

// rulesScorer is the shared rule-based scorer whose figures are features.
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
