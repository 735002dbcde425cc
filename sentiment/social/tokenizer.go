package social

import (
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

// tok is a word, emoticon, hashtag part or emoji.
type tok struct {
	val    float64
	lo, hi int32 // lower-cased text in state.low (empty for emoji)
	flags  uint16
	upper  bool  // written in capitals (two letters or more)
	title  bool  // written as a name: "Wars", "Maiden"
	elong  bool  // elongated ("gooood")
	brk    bool  // a clause ends after it (, . ; : ! ? or a line break)
	emoji  bool  // an emoji; val is its valence
	count  uint8 // repeats of the same emoji in a run
}

// ASCII classes.
const (
	aSpace uint8 = 1 << iota
	aWord
	aLetter
	aPlain  // a letter, digit or apostrophe: a chunk of only these is one word
	aTrail  // (scanShort) a chunk of aPlain bytes and one other byte at its end
	aClause // ends a clause: , . ; : ! ? or a line break
)

var asciiClass = func() (t [128]uint8) {
	for c := range t {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			t[c] = aSpace
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			t[c] = aWord | aLetter | aPlain
		case '0' <= c && c <= '9' || c == '\'':
			t[c] = aWord | aPlain
		case c == '-' || c == '_':
			t[c] = aWord
		}
		switch c {
		case ',', '.', ';', ':', '!', '?', '\n':
			t[c] |= aClause
		}
	}
	return t
}()

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r]&aSpace != 0
	}
	return unicode.IsSpace(r)
}

// isJoiner reports runes that only modify the emoji before them.
func isJoiner(r rune) bool {
	return r == 0x200D || r == 0xFE0F || r == 0xFE0E || (r >= 0x1F3FB && r <= 0x1F3FF) || r == 0x20E3
}

func isEmojiRune(r rune) bool {
	return r >= 0x2190 && (unicode.Is(unicode.So, r) || r >= 0x1F000 && r <= 0x1FAFF)
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r]&aWord != 0
	}
	return r == '\'' || r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// isClausePunct reports whether c ends a clause, from a table: a switch
// mispredicts on varied text.
func isClausePunct(c byte) bool {
	return c < utf8.RuneSelf && asciiClass[c]&aClause != 0
}

// clampZero is max(x, 0) without a branch.
func clampZero(x int) int { return x &^ (x >> 63) }

// tokenize splits st.buf into tokens.
func (s *Scorer) tokenize(st *state) {
	buf := st.buf
	st.low = st.low[:0]
	st.toks = st.toks[:0]
	st.flags, st.caps, st.emojis, st.nc = 0, 0, 0, 0
	for i := 0; i < len(buf); {
		r, n := rune(buf[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(buf[i:])
		}
		if isSpace(r) {
			if r == '\n' {
				s.markBreak(st)
			}
			i += n
			continue
		}
		j, plain, x0, x1 := s.scanShort(buf, i)
		if j > i {
			// scanShort found the chunk's end, at white space or the end
			// of buf, and its kind.
			switch plain {
			case aPlain, aTrail:
				// Only letters, digits and apostrophes (aPlain): no URL,
				// mention, emoticon, hashtag or emoji, so chunk would find
				// one word. Or such a word and one other byte (aTrail):
				// chunk would add the word and maybe a clause break.
				n := j - i - int(wordtab.B2U(plain == aTrail))
				if n <= wordtab.MaxShort && buf[i] != '\'' && buf[i+n-1] != '\'' {
					// Nothing to trim: x0, x1 hold the word.
					s.addShort(st, x0&(uint64(1)<<(8*uint(n))-1), x1&(uint64(1)<<(8*uint(clampZero(n-8)))-1), n)
				} else {
					s.word(st, buf[i:i+n], false)
				}
				if asciiClass[buf[j-1]&0x7f]&aClause&-wordtab.B2U(plain == aTrail) != 0 {
					s.markBreak(st)
				}
			default:
				s.chunk(st, buf[i:j])
			}
			// Most words are followed by one space. (buf has room after
			// its end: if j == len(buf), j+1 ends the loop too.)
			i = j + int(wordtab.B2U(buf[:j+1][j] == ' '))
			continue
		}
		for j < len(buf) {
			if b := buf[j]; b < utf8.RuneSelf {
				k := asciiClass[b]
				if k&aSpace != 0 {
					break
				}
				plain &= k
				j++
				continue
			}
			plain = 0
			r, n := utf8.DecodeRune(buf[j:])
			if isSpace(r) {
				break
			}
			j += n
		}
		if plain != 0 {
			s.word(st, buf[i:j], false)
		} else {
			s.chunk(st, buf[i:j])
		}
		i = j
	}
	s.lookups(st)
}

// scanShort finds, word at a time, the end of a chunk of ASCII that
// starts at i and ends within 16 bytes at ASCII white space or the end of
// buf, and whether it is plain (letters, digits, apostrophes). Otherwise
// it returns i and aPlain, for the byte loop to scan the chunk.
func (s *Scorer) scanShort(buf []byte, i int) (j int, kind uint8, x0, x1 uint64) {
	if i+16 > cap(buf) {
		return i, aPlain, 0, 0
	}
	w := buf[i : i+16 : i+16]
	x0, x1 = binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[8:])
	// The first byte outside 0x21..0x7f ends the run.
	t0 := ((x0-0x21*wordtab.Ones)&^x0 | x0) & wordtab.Highs
	t1 := ((x1-0x21*wordtab.Ones)&^x1 | x1) & wordtab.Highs
	// tz0 is 64 if the run does not end in x0; then t1 counts too
	// (without a branch: the run's length varies at random).
	tz0 := bits.TrailingZeros64(t0)
	L := (tz0 + bits.TrailingZeros64(t1)&-(tz0>>6)) >> 3
	j = i + L
	switch {
	case j >= len(buf):
		j = len(buf) // the bytes past len(buf) are not the text's
		L = j - i
	case L == 16 || buf[j] >= utf8.RuneSelf || asciiClass[buf[j]]&aSpace == 0:
		return i, aPlain, 0, 0
	}
	// Plain bytes, exactly (the bytes of the run are all below 0x80, so
	// no carry crosses into them).
	m0 := wordtab.Highs & (uint64(1)<<(8*uint(L)) - 1)
	m1 := wordtab.Highs & (uint64(1)<<(8*uint(clampZero(L-8))) - 1)
	p0 := wordtab.CaseMask(x0, '0', '9') | wordtab.CaseMask(x0|0x20*wordtab.Ones, 'a', 'z') | eqMask(x0, '\'')
	p1 := wordtab.CaseMask(x1, '0', '9') | wordtab.CaseMask(x1|0x20*wordtab.Ones, 'a', 'z') | eqMask(x1, '\'')
	bad0, bad1 := m0&^p0, m1&^p1
	if bad0|bad1 == 0 {
		return j, aPlain, x0, x1
	}
	// A plain word and one other ASCII byte, as in "good," or "day!":
	// what chunk would do is known, unless the chunk may be an emoticon
	// (eight bytes or fewer with at most two letters) or the URL "www.".
	last := 8 * uint(L-1)
	if L >= 2 && bad0 == 0x80<<last && bad1 == 0x80<<(last-64) {
		if L > 8 || bits.OnesCount64(wordtab.CaseMask(x0|0x20*wordtab.Ones, 'a', 'z')&m0) > 2 && (L != 4 || x0&^(0x20*0x010101)&0xffffffff != 0x2e575757) {
			return j, aTrail, x0, x1
		}
	}
	return j, 0, x0, x1
}

// eqMask has the high bit set at each byte of x equal to c, exactly for
// the bytes below 0x80.
func eqMask(x uint64, c byte) uint64 {
	y := x ^ uint64(c)*wordtab.Ones
	return ^((y&^wordtab.Highs + 0x7f*wordtab.Ones) | y) & wordtab.Highs
}

func (s *Scorer) markBreak(st *state) {
	if n := len(st.toks); n > 0 {
		st.toks[n-1].brk = true
	}
}

func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// chunk tokenizes one run of non-space text.
func (s *Scorer) chunk(st *state, c []byte) {
	// URLs and mentions carry no sentiment and are not words.
	// (Each prefix starts with h, w or p, in either case: one test
	// spares most chunks the four comparisons.)
	if f := c[0] | 0x20; (f == 'h' || f == 'w' || f == 'p') &&
		(hasPrefixFold(c, "http://") || hasPrefixFold(c, "https://") || hasPrefixFold(c, "www.") || hasPrefixFold(c, "pic.twitter.com")) {
		return
	}
	if c[0] == '@' && len(c) > 1 {
		if isClausePunct(c[len(c)-1]) {
			s.markBreak(st)
		}
		return
	}
	// Emoticons and other lexicon entries made of punctuation: ":)", "<3",
	// ":-(", "d:".
	if len(c) <= 8 && fewLetters(c) && hasNonWord(c) {
		lo := len(st.low)
		st.low = appendLower(st.low, c)
		if e, ok := s.tab.get(st.low[lo:]); ok && e.flags&fLex != 0 {
			st.toks = append(st.toks, tok{val: e.val, flags: e.flags, lo: int32(lo), hi: int32(len(st.low))})
			st.flags |= e.flags
			return
		}
		st.low = st.low[:lo]
	}
	start := -1
	hash := false
	flush := func(end int) {
		if start >= 0 {
			s.word(st, c[start:end], hash)
		}
		start, hash = -1, false
	}
	for i := 0; i < len(c); {
		b := c[i]
		if b < utf8.RuneSelf {
			switch {
			case asciiClass[b]&aWord != 0:
				if start < 0 {
					start = i
				}
			case b == '#' && start < 0 && i+1 < len(c):
				start, hash = i+1, true
			default:
				flush(i)
				if isClausePunct(b) {
					s.markBreak(st)
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(c[i:])
		switch {
		case isJoiner(r):
			// modifies the previous emoji: ignore
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case s.hasEmoji(r) || isEmojiRune(r):
			flush(i)
			s.emojiTok(st, r)
		default:
			flush(i)
		}
		i += n
	}
	flush(len(c))
}

func (s *Scorer) hasEmoji(r rune) bool {
	_, ok := s.emoji[r]
	return ok
}

func (s *Scorer) emojiTok(st *state, r rune) {
	v := s.emoji[r]
	if n := len(st.toks); n > 0 {
		if p := &st.toks[n-1]; p.emoji && p.lo == int32(r) && !p.brk {
			if p.count < 255 {
				p.count++
			}
			return
		}
	}
	// lo holds the rune, to merge runs of the same emoji.
	// fLex: score tests one flag for "may have a valence".
	st.toks = append(st.toks, tok{val: v, flags: fLex, emoji: true, count: 1, lo: int32(r), hi: int32(r)})
	st.emojis++
}

func hasNonWord(c []byte) bool {
	for _, b := range c {
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '\'' || b >= utf8.RuneSelf) {
			return true
		}
	}
	return false
}

func appendLower(dst, w []byte) []byte {
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(w[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		i += n
	}
	return dst
}

// fewLetters reports whether c has at most two ASCII letters, as
// emoticons do (":)", ":-D", "xD").
func fewLetters(c []byte) bool {
	n := 0
	for _, b := range c {
		if b < utf8.RuneSelf && asciiClass[b]&aLetter != 0 {
			n++
			if n > 2 {
				return false
			}
		}
	}
	return true
}
