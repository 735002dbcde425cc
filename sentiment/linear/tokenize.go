package linear

import (
	"strings"
	"unicode"
	"unicode/utf8"
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
