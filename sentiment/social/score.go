package social

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
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

type state struct {
	buf   []byte
	low   []byte
	toks  []tok
	ep    int
	qm    int
	flags uint16 // the union of the tokens' flags, before phrases merge
	// caps counts the words written in capitals (low 32 bits) and as
	// names (high 32 bits); emojis counts the emoji tokens.
	caps   uint64
	emojis int
	cands  []cand // addShort's deferred lookups: cands[:nc]
	nc     int
	eager  bool // no deferred lookups (the tests' reference tokenizer)
}

const (
	bIncr   = vaderrules.BIncr
	cIncr   = vaderrules.CIncr
	nScalar = vaderrules.NScalar
	alpha   = vaderrules.Alpha
	// lengthK is the number of sentiment-bearing tokens up to which the
	// sum is taken as is; beyond it the sum grows as the square root of
	// their number, as evidence from independent words does, so long texts
	// do not saturate at ±1.
	lengthK = 4
)

func (s *Scorer) score(st *state, text string) sentiment.Score {
	s.normalise(st, text)
	s.tokenize(st)
	// The tokenizer counts capitalised words as it goes; merging
	// phrases (rare) changes the tokens, which are then counted again.
	caps := st.caps
	if s.phrases != nil && st.flags&fPhrase != 0 && s.mergePhrases(st) {
		caps = 0
		st.emojis = 0
		for i := range st.toks {
			t := &st.toks[i]
			caps += uint64(wordtab.B2U(t.upper && !t.emoji)) | uint64(wordtab.B2U(t.title))<<32
			st.emojis += int(wordtab.B2U(t.emoji))
		}
	}
	toks := st.toks
	if len(toks) == 0 {
		return sentiment.Score{}
	}
	words := len(toks) - st.emojis
	upperN, titleN := int(caps&(1<<32-1)), int(caps>>32)
	capDiff := upperN > 0 && upperN < words
	// In a post that is not written in Title Case, a run of capitalised
	// words is a name ("Star Wars", "Iron Maiden", "Pretty Little Liars"),
	// not an opinion.
	names := 2*titleN <= words
	contrast := -1
	if st.flags&fContrast != 0 {
		for i := 1; i < len(toks); i++ {
			if toks[i].flags&fContrast != 0 {
				contrast = i
				break
			}
		}
	}
	// One pass: the sum, and the positive and negative masses, each added
	// in token order. The signs come at random, so values are selected
	// without branches. Each sum gets exactly the terms it had when every
	// token's value was added: a token with no valence adds +0, which
	// leaves a sum unchanged (no sum is ever -0).
	sum, pos, neg := 0.0, 0.0, 0.0
	k := 0
	for i := range toks {
		t := &toks[i]
		// Most tokens are neither emoji nor in the lexicon: their
		// valence is 0, with no call.
		if t.flags&fLex == 0 { // emoji have fLex
			continue
		}
		v := s.valence(toks, i, capDiff)
		if v != 0 && names && t.title && !t.emoji && (i > 0 && toks[i-1].title && !toks[i-1].brk || i+1 < len(toks) && toks[i+1].title && !t.brk) {
			v = 0
		}
		if contrast >= 0 {
			// Words before the first contrast count half, words after it
			// one and a half times.
			switch {
			case i < contrast:
				v *= 0.5
			case i > contrast:
				v *= 1.5
			}
		}
		sum += v
		gt, lt := -uint64(wordtab.B2U(v > 0)), -uint64(wordtab.B2U(v < 0))
		pos += math.Float64frombits(math.Float64bits(v+1) & gt)
		neg += math.Float64frombits(math.Float64bits(v-1) & lt)
		k += int(gt&1 + lt&1)
	}
	return s.finish(sum, pos, neg, k, len(toks)-k, st.ep, st.qm)
}

// clauseStart returns the index of the first token of the clause that
// holds token i.
func inClause(toks []tok, j int) bool {
	return !toks[j].brk && toks[j].flags&fContrast == 0
}

func (s *Scorer) valence(toks []tok, i int, capDiff bool) float64 {
	t := &toks[i]
	if t.emoji {
		v := t.val
		if t.count > 1 && v != 0 {
			extra := float64(t.count-1) * bIncr
			if extra > 3*bIncr {
				extra = 3 * bIncr
			}
			v += math.Copysign(extra, v)
		}
		return v
	}
	if t.flags&fLex == 0 {
		return 0
	}
	v := t.val
	if t.flags&fDisc != 0 && (i == 0 || !inClause(toks, i-1)) && (t.brk || i == len(toks)-1) {
		return 0 // "Ok." "No," "Yes!" on their own
	}
	if t.flags&fLike != 0 && (i > 0 && inClause(toks, i-1) && toks[i-1].flags&fLikeCtx != 0 ||
		!t.brk && i+1 < len(toks) && toks[i+1].flags&fLikeCtx != 0) {
		return 0 // "feels like", "like a boss"
	}
	if t.flags&fNeg != 0 && t.flags&fIdiom == 0 {
		// A negator with a valence of its own ("no", "nothing") counts
		// only when no sentiment word follows in its clause.
		for j := i + 1; j < len(toks) && j <= i+3; j++ {
			if toks[j].flags&fLex != 0 && toks[j].flags&fNeg == 0 && toks[j].val != 0 && !toks[j].emoji {
				return 0
			}
			if !inClause(toks, j) {
				break
			}
		}
	}
	if v == 0 {
		return 0
	}
	sign := math.Copysign(1, v)
	if t.upper && capDiff {
		v += sign * cIncr
	}
	if t.elong {
		v += sign * bIncr
	}
	negated := false
	if t.flags&fNeg != 0 {
		// Negators do not negate each other ("no and no").
		return v
	}
	for d := 1; d <= 3 && i-d >= 0; d++ {
		w := &toks[i-d]
		if !inClause(toks, i-d) || w.emoji {
			break
		}
		if w.flags&(fBoost|fDamp) != 0 {
			sc := bIncr
			if w.flags&fDamp != 0 {
				sc = -bIncr
			}
			if w.upper && capDiff {
				sc += math.Copysign(cIncr, sc)
			}
			if w.elong {
				sc += math.Copysign(bIncr, sc)
			}
			switch d {
			case 2:
				sc *= 0.95
			case 3:
				sc *= 0.9
			}
			v += sign * sc
		}
		if w.flags&fNeg != 0 {
			// "never so good", "never been this happy": emphasis, not
			// negation (VADER's rule).
			if d >= 2 && emphasisAfterNegation(toks, i-d, i) {
				v *= 1.25
				break
			}
			negated = true
		}
	}
	if negated {
		v *= nScalar
	}
	return v
}

// emphasisAfterNegation reports whether the negator at toks[j] compares
// rather than negates the word at toks[i]: "never so good", "never been
// this happy", "haven't been this sore in years".
func emphasisAfterNegation(toks []tok, j, i int) bool {
	for k := j + 1; k < i; k++ {
		if toks[k].flags&fThis != 0 {
			return true
		}
		if toks[k].flags&fSoThis != 0 && toks[j].flags&fNever != 0 {
			return true
		}
	}
	return false
}

// finish turns the sums of the tokens' values into a Score: sum of all
// values, pos and neg the masses of the positive and negative ones (each
// value ±1), k the number of non-zero values and neu of zero ones.
func (s *Scorer) finish(sum, pos, neg float64, k, neu, ep, qm int) sentiment.Score {
	if k > lengthK {
		sum *= math.Sqrt(float64(lengthK) / float64(k))
	}
	amp := vaderrules.PunctEmphasis(ep, qm)
	sum += amp * (wordtab.B2F(sum > 0) - wordtab.B2F(sum < 0))
	// The neutral band: weak leanings count as none.
	above, below := -uint64(wordtab.B2U(sum > s.band)), -uint64(wordtab.B2U(sum < -s.band))
	sum = math.Float64frombits(math.Float64bits(sum-s.band)&above | math.Float64bits(sum+s.band)&below)
	compound := sum / math.Sqrt(sum*sum+alpha)
	total := pos - neg + float64(neu)
	if total == 0 {
		return sentiment.Score{}
	}
	return sentiment.Score{
		Compound: vaderrules.Round(compound, 4),
		Positive: vaderrules.Round(pos/total, 3),
		Neutral:  vaderrules.Round(float64(neu)/total, 3),
		Negative: vaderrules.Round(-neg/total, 3),
	}
}

// normalise decodes HTML entities and curly apostrophes into st.buf and
// counts '!' and '?'.
func (s *Scorer) normalise(st *state, text string) {
	// Most texts are ASCII without entities or escapes: they are copied
	// as they are, eight bytes at a time.
	buf, ep, qm, ok := wordtab.CopyASCII(st.buf, text, '&', '\\')
	if ok {
		st.buf, st.ep, st.qm = buf, ep, qm
		return
	}
	buf, ep, qm = buf[:0], 0, 0
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf && c != '&' && c != '\\' {
			j := i + 1
			for j < len(text) && text[j] < utf8.RuneSelf && text[j] != '&' && text[j] != '\\' {
				j++
			}
			ep += strings.Count(text[i:j], "!")
			qm += strings.Count(text[i:j], "?")
			buf = append(buf, text[i:j]...)
			i = j
			continue
		}
		if c == '\\' && i+5 < len(text) && text[i+1] == 'u' {
			// Literal "\u2019" escapes, left by exports of posts as JSON.
			if v, err := strconv.ParseUint(text[i+2:i+6], 16, 32); err == nil && v >= 0x20 && (v < 0xD800 || v > 0xDFFF) {
				switch r := rune(v); r {
				case '’', '‘', 'ʼ':
					buf = append(buf, '\'')
				default:
					buf = utf8.AppendRune(buf, r)
					if r == '!' {
						ep++
					} else if r == '?' {
						qm++
					}
				}
				i += 6
				continue
			}
		}
		if c == '&' {
			if r, n := wordtab.DecodeEntity(text[i:]); n > 0 {
				buf = utf8.AppendRune(buf, r)
				if r == '!' {
					ep++
				} else if r == '?' {
					qm++
				}
				i += n
				continue
			}
		}
		if c < utf8.RuneSelf {
			buf = append(buf, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '’', '‘', 'ʼ', '′':
			buf = append(buf, '\'')
		case '！':
			ep++
			buf = append(buf, '!')
		case '？':
			qm++
			buf = append(buf, '?')
		default:
			buf = append(buf, text[i:i+n]...)
		}
		i += n
	}
	if cap(buf)-len(buf) < 16 {
		// Room to read any word as 16 bytes (see addWord).
		buf = append(make([]byte, 0, len(buf)+len(buf)/4+16), buf...)
	}
	st.buf, st.ep, st.qm = buf, ep, qm
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

// word adds a word (or a hashtag's words) to the tokens.
func (s *Scorer) word(st *state, w []byte, hash bool) {
	// Trim apostrophes, hyphens and underscores at the edges.
	for len(w) > 0 && (w[0] == '\'' || w[0] == '-' || w[0] == '_') {
		w = w[1:]
	}
	for len(w) > 0 && (w[len(w)-1] == '\'' || w[len(w)-1] == '-' || w[len(w)-1] == '_') {
		w = w[:len(w)-1]
	}
	if len(w) == 0 {
		return
	}
	if hash && s.hashtag(st, w) {
		return
	}
	s.addWord(st, w)
}

// addShort is addWord for an ASCII word of n (1..15) bytes held in k0,
// k1, zero-padded.
func (s *Scorer) addShort(st *state, k0, k1 uint64, n int) {
	if cap(st.low)-len(st.low) < 4*n+16 {
		st.low = append(make([]byte, 0, 2*cap(st.low)+4*n+16), st.low...)
	}
	lo := len(st.low)
	// Lower-case and count letters a word at a time.
	up0, up1 := wordtab.CaseMask(k0, 'A', 'Z'), wordtab.CaseMask(k1, 'A', 'Z')
	k0, k1 = k0|up0>>2, k1|up1>>2
	letters := bits.OnesCount64(wordtab.CaseMask(k0, 'a', 'z')) + bits.OnesCount64(wordtab.CaseMask(k1, 'a', 'z'))
	uppers := bits.OnesCount64(up0) + bits.OnesCount64(up1)
	p := st.low[lo : lo+16]
	binary.LittleEndian.PutUint64(p, k0)
	binary.LittleEndian.PutUint64(p[8:], k1)
	st.low = st.low[:lo+n]
	var t tok
	t.lo, t.hi = int32(lo), int32(lo+n)
	// Capitals, without branches (they come at random).
	two := wordtab.B2U(letters >= 2)
	upper := two & wordtab.B2U(uppers == letters)
	title := two & wordtab.B2U(uppers == 1) & uint8(up0>>7)
	t.upper, t.title = upper != 0, title != 0
	st.caps += uint64(upper) | uint64(title)<<32
	h := wordtab.Hash(k0, k1, n)
	if run3(k0, k1, n) || st.eager {
		// Maybe elongated (rare): look it up now, as finishWord does.
		var e wentry
		var ok bool
		if s.tab.Filter().MayHaveBit(h) != 0 {
			e, ok = s.tab.Probe(h, k0, k1, n)
		}
		if !ok {
			e = s.elongate(st, &t, lo, lo+n)
		}
		t.val, t.flags = e.val, e.flags
		st.flags |= e.flags
		st.toks = append(st.toks, t)
		return
	}
	// Otherwise the lookup waits for the end of tokenize (lookups): the
	// word is a candidate if the filter may have it, kept without a
	// branch on the filter's answer, which comes at random.
	if st.nc == len(st.cands) {
		st.cands = append(st.cands, cand{})
		st.cands = st.cands[:cap(st.cands)]
	}
	c := &st.cands[st.nc]
	c.k0, c.k1, c.h, c.idx, c.n = k0, k1, h, int32(len(st.toks)), int32(n)
	st.nc += int(s.tab.Filter().MayHaveBit(h))
	st.toks = append(st.toks, t)
}

// cand is a word whose lookup addShort deferred: its key, length, hash
// and token.
type cand struct {
	k0, k1, h uint64
	idx, n    int32
}

// lookups looks up the candidates addShort deferred and sets their
// tokens' values and flags. The lookups do not depend on each other, so
// the processor overlaps their memory accesses.
func (s *Scorer) lookups(st *state) {
	toks := st.toks
	for _, c := range st.cands[:st.nc] {
		e, _ := s.tab.Probe(c.h, c.k0, c.k1, int(c.n))
		t := &toks[c.idx]
		t.val, t.flags = e.val, e.flags
		st.flags |= e.flags
	}
}

// addWord looks w up, undoing elongation if needed, and appends it.
func (s *Scorer) addWord(st *state, w []byte) {
	if cap(st.low)-len(st.low) < 4*len(w)+16 {
		st.low = append(make([]byte, 0, 2*cap(st.low)+4*len(w)+16), st.low...)
	}
	lo := len(st.low)
	var t tok
	var e wentry
	var ok bool
	if n := len(w); n <= wordtab.MaxShort && cap(w) >= 16 {
		// w is followed by at least 16-n readable bytes (normalise leaves
		// room): for ASCII, lower-case and count letters a word at a time.
		x0, x1 := wordtab.MaskKey(w[:16], n)
		if (x0|x1)&wordtab.Highs == 0 {
			s.addShort(st, x0, x1, n)
			return
		}
	}
	letters, uppers := 0, 0
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			st.low = appendLower(st.low, w[i:])
			break
		}
		switch {
		case 'A' <= c && c <= 'Z':
			letters++
			uppers++
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z':
			letters++
		}
		st.low = append(st.low, c)
	}
	t.lo, t.hi = int32(lo), int32(len(st.low))
	t.upper = letters >= 2 && uppers == letters
	t.title = letters >= 2 && uppers == 1 && 'A' <= w[0] && w[0] <= 'Z'
	st.caps += uint64(wordtab.B2U(t.upper)) | uint64(wordtab.B2U(t.title))<<32
	if n := len(st.low) - lo; n <= 16 && cap(st.low)-lo >= 16 {
		// Read the key straight from the buffer, which has room after it.
		e, ok = s.tab.getPadded(st.low[lo:lo+16:lo+16], n)
	} else {
		e, ok = s.tab.get(st.low[lo:])
	}
	s.finishWord(st, t, e, !ok && hasRun(st.low[lo:], 3), lo)
}

// finishWord appends the word at st.low[lo:] with its entry e. run
// reports that the word was not found and has three equal bytes in a row:
// its elongation is undone first.
func (s *Scorer) finishWord(st *state, t tok, e wentry, run bool, lo int) {
	if run {
		e = s.elongate(st, &t, lo, len(st.low))
	}
	t.val, t.flags = e.val, e.flags
	st.flags |= e.flags
	st.toks = append(st.toks, t)
}

// elongate looks up the word st.low[lo:hi] with each run of three or more
// equal bytes shortened to two, then to one ("soooo gooood"); if one is
// found it points t at it, marks it elongated and returns its entry.
func (s *Scorer) elongate(st *state, t *tok, lo, hi int) wentry {
	for _, keep := range []int{2, 1} {
		end := len(st.low)
		st.low = squeeze(st.low, lo, hi, keep)
		if e, ok := s.tab.get(st.low[end:]); ok {
			t.lo, t.hi = int32(end), int32(len(st.low))
			t.elong = true
			return e
		}
		st.low = st.low[:end]
	}
	return wentry{}
}

// run3 is hasRun(key, 3) for the key of n (<= 15) bytes held in k0, k1,
// a word at a time.
func run3(k0, k1 uint64, n int) bool {
	// e has a zero byte at i where byte i equals byte i+1.
	e0, e1 := k0^(k0>>8|k1<<56), k1^(k1>>8)
	z0, z1 := zeroBytes(e0), zeroBytes(e1)
	r0, r1 := z0&(z0>>8|z1<<56), z1&(z1>>8)
	// A run may start at bytes 0..n-3.
	v0 := wordtab.Highs & (uint64(1)<<(8*uint(clampZero(n-2))) - 1) // none if n < 3
	v1 := wordtab.Highs & (uint64(1)<<(8*uint(clampZero(n-10))) - 1)
	return r0&v0|r1&v1 != 0
}

// zeroBytes has the high bit set at each zero byte of x, exactly.
func zeroBytes(x uint64) uint64 {
	return ^((x&^wordtab.Highs + 0x7f*wordtab.Ones) | x) & wordtab.Highs
}

func hasRun(b []byte, n int) bool {
	run := 1
	for i := 1; i < len(b); i++ {
		if b[i] == b[i-1] {
			run++
			if run >= n {
				return true
			}
		} else {
			run = 1
		}
	}
	return false
}

// squeeze appends low[lo:end] with each run of three or more of a byte
// cut to keep (runs of two stay: "bussiiin" gives "bussiin", "bussin").
func squeeze(low []byte, lo, end, keep int) []byte {
	for i := lo; i < end; {
		j := i + 1
		for j < end && low[j] == low[i] {
			j++
		}
		n := j - i
		if n >= 3 {
			n = keep
		}
		for k := 0; k < n; k++ {
			low = append(low, low[i])
		}
		i = j
	}
	return low
}

// hashtag splits a hashtag into words: at case changes ("NotHappy"),
// or, for one-case tags not in the lexicon, into dictionary words
// ("epicfail"). It reports whether it added the tokens.
func (s *Scorer) hashtag(st *state, w []byte) bool {
	// camelCase: split before an upper-case letter that follows a
	// lower-case one.
	split := false
	for i := 1; i < len(w); i++ {
		if isLowerASCII(w[i-1]) && isUpperASCII(w[i]) {
			split = true
			break
		}
	}
	if split {
		start := 0
		for i := 1; i <= len(w); i++ {
			if i == len(w) || isLowerASCII(w[i-1]) && isUpperASCII(w[i]) || w[i] == '_' {
				if i > start {
					s.addWord(st, w[start:i])
				}
				start = i
				if i < len(w) && w[i] == '_' {
					start++
				}
			}
		}
		return true
	}
	if len(w) < 5 || len(w) > 24 {
		return false
	}
	lo := len(st.low)
	st.low = appendLower(st.low, w)
	low := st.low[lo:]
	if e, ok := s.tab.get(low); ok && e.flags&(fLex|fNeg|fBoost|fDamp) != 0 {
		st.low = st.low[:lo]
		return false
	}
	// Segment into the fewest dictionary words, each of at least two
	// letters except "i" and "a"; only accept a split that contains a
	// sentiment word or a negator.
	var best [25]int8 // best[i]: fewest words covering low[:i], -1 if none
	var from [25]int8
	n := len(low)
	if n > 24 || !isASCIILetters(low) {
		st.low = st.low[:lo]
		return false
	}
	best[0] = 0
	for i := 1; i <= n; i++ {
		best[i] = -1
		for j := i - 1; j >= 0 && i-j <= 14; j-- {
			if best[j] < 0 {
				continue
			}
			if i-j == 1 && low[j] != 'i' && low[j] != 'a' {
				continue
			}
			if e, ok := s.tab.get(low[j:i]); ok && e.flags&fDict != 0 {
				if best[i] < 0 || best[j]+1 < best[i] {
					best[i], from[i] = best[j]+1, int8(j)
				}
			}
		}
	}
	if best[n] < 2 {
		st.low = st.low[:lo]
		return false
	}
	var cuts [25]int
	k := 0
	for i := n; i > 0; i = int(from[i]) {
		cuts[k] = i
		k++
	}
	cuts[k] = 0
	useful := false
	for x := k; x > 0; x-- {
		e, _ := s.tab.get(low[cuts[x]:cuts[x-1]])
		if e.flags&(fNeg|fBoost|fDamp) != 0 || e.flags&fLex != 0 && e.val != 0 {
			useful = true
		}
	}
	if !useful {
		st.low = st.low[:lo]
		return false
	}
	// Add the words; their text is already in st.low.
	for x := k; x > 0; x-- {
		a, b := lo+cuts[x], lo+cuts[x-1]
		e, _ := s.tab.get(st.low[a:b])
		st.toks = append(st.toks, tok{val: e.val, flags: e.flags, lo: int32(a), hi: int32(b)})
		st.flags |= e.flags
	}
	return true
}

func isLowerASCII(c byte) bool { return 'a' <= c && c <= 'z' }
func isUpperASCII(c byte) bool { return 'A' <= c && c <= 'Z' }

func isASCIILetters(b []byte) bool {
	for _, c := range b {
		if !isLowerASCII(c) {
			return false
		}
	}
	return true
}

// mergePhrases joins the tokens of each known phrase into one token. It
// reports whether it found one.
func (s *Scorer) mergePhrases(st *state) bool {
	// Most texts have no phrase: find the first one before moving any
	// token.
	toks := st.toks
	for i := 0; i+1 < len(toks); i++ {
		// One branch: a token that starts a phrase (never an emoji)
		// followed by one that continues a phrase.
		if toks[i].flags<<phraseShift&toks[i+1].flags&fPhraseCont != 0 {
			if _, n := s.matchPhrase(st, toks[i:]); n > 0 {
				s.mergeFrom(st, i)
				return true
			}
		}
	}
	return false
}

// phraseShift moves fPhrase to fPhraseCont.
const phraseShift = 9

var _ [0]struct{} = [fPhrase<<phraseShift ^ fPhraseCont]struct{}{}

// mergeFrom is mergePhrases from toks[i], where the first phrase starts.
func (s *Scorer) mergeFrom(st *state, i int) {
	toks := st.toks
	out := toks[:i]
	for i < len(toks) {
		t := toks[i]
		if t.flags&fPhrase != 0 && !t.emoji && i+1 < len(toks) && toks[i+1].flags&fPhraseCont != 0 {
			if p, n := s.matchPhrase(st, toks[i:]); n > 0 {
				last := toks[i+n-1]
				flags := p.flags | fIdiom
				if p.val <= 0 && p.flags&fLex != 0 {
					// "not sure I'm winning": a negative idiom that starts
					// with a negator keeps negating what follows.
					flags |= t.flags & fNeg
				}
				t.val, t.flags = p.val, flags
				t.hi, t.brk, t.elong = last.hi, last.brk, false
				up := true
				for _, u := range toks[i : i+n] {
					up = up && u.upper
					t.elong = t.elong || u.elong
				}
				t.upper = up
				out = append(out, t)
				i += n
				continue
			}
		}
		out = append(out, t)
		i++
	}
	st.toks = out
}

func (s *Scorer) matchPhrase(st *state, toks []tok) (*phrase, int) {
	ps := s.phrases[string(st.low[toks[0].lo:toks[0].hi])]
	for k := range ps {
		p := &ps[k]
		if len(p.words) > len(toks) {
			continue
		}
		ok := true
		for j := 1; j < len(p.words); j++ {
			if toks[j].emoji || toks[j-1].brk || string(st.low[toks[j].lo:toks[j].hi]) != p.words[j] {
				ok = false
				break
			}
		}
		if ok {
			return p, len(p.words)
		}
	}
	return nil, 0
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
