package vader

import (
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

// cand is a token to look up: its key and hash, or n < 0 if it is known.
type cand struct {
	k0, k1, h uint64
	idx, n    int32
}

// token is one whitespace-separated word after punctuation stripping.
type token struct {
	val    float64 // lexicon valence, if flags&fLex
	lo, hi int32   // lower-cased text in state.low
	flags  uint8   // entry flags
	id     uint8   // entry id
	upper  bool    // Python's str.isupper() of the stripped token
	nt     bool    // the lower-cased token contains "n't"
}

func (t *token) set(e entry) { t.val, t.flags, t.id = e.val, e.flags, e.id }

// isPySpace reports whether r is white space for Python's str.split():
// Go's unicode.IsSpace plus the ASCII separators U+001C..U+001F.
func isPySpace(r rune) bool {
	if r < 0x80 {
		return asciiSpace[r]
	}
	return unicode.IsSpace(r)
}

var asciiSpace = [128]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true,
	0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true}

// isSpace8 is asciiSpace for any byte.
var isSpace8 = func() (t [256]bool) {
	copy(t[:], asciiSpace[:])
	return t
}()

// asciiPunct is Python's string.punctuation.
var asciiPunct = func() (t [256]bool) {
	for _, c := range "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" {
		t[c] = true
	}
	return t
}()

// Byte classes for the tokenizer.
const (
	cSpace uint8 = 1 << iota
	cPunct
	cUpper
	cLower
	cApos
	cHigh // a byte of a multi-byte UTF-8 sequence
)

var byteClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = cHigh
		case asciiSpace[c]:
			t[c] = cSpace
		case 'A' <= c && c <= 'Z':
			t[c] = cUpper
		case 'a' <= c && c <= 'z':
			t[c] = cLower
		case asciiPunct[c]:
			t[c] = cPunct
			if c == '\'' {
				t[c] |= cApos
			}
		}
	}
	return t
}()

// tokenize splits st.buf the way the reference's SentiText does, looks
// each token up once and fills st.toks (and, for phrase matching, st.low),
// st.lex and st.but. It returns allcap_differential.
//
// Most tokens are ASCII and at most 15 bytes long: those are read as two
// 64-bit words, classified (letters, capitals, apostrophes) and
// lower-cased with word-at-a-time arithmetic, and looked up by the words
// themselves, without a byte loop.
func (s *Scorer) tokenize(st *state) bool {
	buf := st.buf
	low := st.low[:0]
	keepLow := s.phrases != nil
	tab := s.entries
	n := len(buf)
	// A text of n bytes has at most n/2+1 tokens: reserving that much
	// up front spares the split loop any capacity check. toks must be
	// zero past the last call's tokens (see state.dirty).
	maxTok := n/2 + 2
	toks := st.toks
	if cap(toks) < maxTok {
		toks = make([]token, maxTok)
	} else {
		clear(toks[:st.dirty])
		toks = toks[:cap(toks)]
	}
	cands := st.cand
	if cap(cands) < maxTok {
		cands = make([]cand, maxTok)
	}
	cands = cands[:cap(cands)]
	// Tokens that may be in the table are looked up after the split, in
	// a second loop: the split then has no branch on the filter's
	// verdict, which no predictor can guess, and the lookups overlap.
	// A short ASCII token writes only its candidate (which the next one
	// overwrites unless the filter, an apostrophe or phrase matching
	// keeps it); its token stays zero unless it is kept.
	keep := uint64(0)
	if keepLow {
		keep = 1
	}
	nc, nt, upperN := 0, 0, 0
	padded := buf[: n+16 : n+16]
	filter := tab.Filter()
	for i := 0; i < n; {
		start := i
		// buf has 16 zero bytes after its end (see replace), so this load
		// never leaves it and a token that reaches the end stops at a zero.
		x0 := binary.LittleEndian.Uint64(buf[i : i+8 : i+8])
		x1 := binary.LittleEndian.Uint64(buf[i+8 : i+16 : i+16])
		// L is the length of the run of bytes in 0x21..0x7f (16 if
		// it has no end in the 16 bytes), computed without a branch:
		// a token's length is no pattern a predictor can learn.
		t0 := ((x0-0x21*wordtab.Ones)&^x0 | x0) & wordtab.Highs
		t1 := ((x1-0x21*wordtab.Ones)&^x1 | x1) & wordtab.Highs
		L := bits.TrailingZeros64(t0)
		if t0 == 0 {
			L = 64 + bits.TrailingZeros64(t1)
		}
		L >>= 3
		// L > 0: the token starts with a byte in 0x21..0x7f, neither
		// white space nor part of a multi-byte character.
		if L > 0 && L < 16 && (isSpace8[padded[i+L]] || i+L >= n) {
			// Fast path: an ASCII token of 1 to 15 bytes ending at ASCII
			// white space (skipped too) or the end of the text.
			end := i + L
			i = end + 1
			k0 := x0 & (uint64(1)<<(8*uint(L)) - 1)
			k1 := x1 & (uint64(1)<<(8*uint(max(L-8, 0))) - 1)
			up0, up1 := wordtab.CaseMask(k0, 'A', 'Z'), wordtab.CaseMask(k1, 'A', 'Z')
			// Python's isupper: capitals and no small letters.
			// Stripping removes only punctuation, so the token's
			// letters are the word's. Computed without a branch, as
			// capitals come at random.
			small := wordtab.CaseMask(k0, 'a', 'z') | wordtab.CaseMask(k1, 'a', 'z')
			k0, k1 = k0|up0>>2, k1|up1>>2
			isUp := nonZero(up0|up1) &^ nonZero(small)
			upperN += int(isUp)
			upper := int32(isUp) << 8 // candUpper
			wl := L
			if (byteClass[buf[start]]|byteClass[buf[end-1]])&cPunct != 0 {
				// _strip_punc_if_word
				a, b := start, end
				for a < b && byteClass[buf[a]]&cPunct != 0 {
					a++
				}
				for b > a && byteClass[buf[b-1]]&cPunct != 0 {
					b--
				}
				if b-a > 2 {
					wl = b - a
					k0, k1 = wordtab.MaskKey(buf[a:a+16:a+16], wl)
					k0, k1 = wordtab.Lower(k0), wordtab.Lower(k1)
				}
			}
			h := wordtab.Hash(k0, k1, wl)
			y0, y1 := k0^'\''*wordtab.Ones, k1^'\''*wordtab.Ones
			apos := nonZero(((y0-wordtab.Ones)&^y0 | (y1-wordtab.Ones)&^y1) & wordtab.Highs)
			upper |= int32(apos) << 9 // candApos
			// Field by field: a composite literal is built on the stack
			// and copied with 16-byte moves, which stall on store
			// forwarding from the narrower stores.
			cd := &cands[nc]
			cd.k0, cd.k1, cd.h, cd.idx, cd.n = k0, k1, h, int32(nt), int32(wl)|upper
			nc += int(filter.MayHaveBit(h) | apos | keep)
			nt++
			continue
		}
		if k := byteClass[buf[i]]; k&cSpace != 0 {
			i++
			continue
		} else if k&cHigh != 0 {
			if r, size := utf8.DecodeRune(buf[i:]); isPySpace(r) {
				i += size
				continue
			}
		}
		var e entry
		var tk token
		var acc uint8
		for i < n {
			// Not a short ASCII token: scan byte by byte.
			k := byteClass[buf[i]]
			if k&cHigh != 0 {
				r, size := utf8.DecodeRune(buf[i:])
				if isPySpace(r) {
					break
				}
				acc |= cHigh
				i += size
				continue
			}
			if k&cSpace != 0 {
				break
			}
			acc |= k
			i++
		}
		end := i
		// _strip_punc_if_word
		a, b := start, end
		if acc&cPunct != 0 {
			for a < b && byteClass[buf[a]]&cPunct != 0 {
				a++
			}
			for b > a && byteClass[buf[b-1]]&cPunct != 0 {
				b--
			}
			if acc&cHigh == 0 {
				if b-a <= 2 {
					a, b = start, end
				}
			} else if utf8.RuneCount(buf[a:b]) <= 2 {
				a, b = start, end
			}
		}
		word := buf[a:b]
		if cap(low)-len(low) < 3*len(word)+16 {
			low = append(make([]byte, 0, 2*cap(low)+3*len(word)+16), low...)
		}
		lo := len(low)
		if acc&cHigh == 0 {
			tk.upper = acc&cUpper != 0 && acc&cLower == 0
			if len(word) <= wordtab.MaxShort {
				k0, k1 := wordtab.MaskKey(buf[a:a+16:a+16], len(word))
				if acc&cUpper != 0 {
					k0, k1 = wordtab.Lower(k0), wordtab.Lower(k1)
				}
				w := low[lo : lo+16 : lo+16]
				binary.LittleEndian.PutUint64(w, k0)
				binary.LittleEndian.PutUint64(w[8:], k1)
				low = low[:lo+len(word)]
				e, _ = tab.Lookup(k0, k1, len(word))
			} else {
				for _, c := range word {
					if byteClass[c]&cUpper != 0 {
						c += 'a' - 'A'
					}
					low = append(low, c)
				}
				e = tab.get(low[lo:])
			}
		} else {
			low, tk.upper = lowerUnicode(low, word)
			e = tab.get(low[lo:])
		}
		tk.lo, tk.hi = int32(lo), int32(len(low))
		if acc&cApos != 0 {
			tk.nt = containsNT(low[lo:])
		}
		if tk.upper {
			upperN++
		}
		if e.flags|e.id != 0 {
			tk.val, tk.flags, tk.id = e.val, e.flags, e.id
			cd := &cands[nc]
			cd.idx, cd.n = int32(nt), -1
			nc++
		}
		toks[nt] = tk
		nt++
	}
	toks = toks[:nt]
	st.dirty = nt
	lex := st.lex
	if cap(lex) < nc {
		lex = make([]int32, nc)
	}
	lex = lex[:cap(lex)]
	nl := 0
	but := -1
	ids := uint64(0)
	for _, c := range cands[:nc] {
		t := &toks[c.idx]
		if c.n >= 0 {
			wl := int(c.n & candLen)
			e, _ := tab.Probe(c.h, c.k0, c.k1, wl)
			t.val, t.flags, t.id = e.val, e.flags, e.id
			t.upper = c.n&candUpper != 0
			if c.n&candApos != 0 || keepLow {
				if cap(low)-len(low) < 32 {
					low = append(make([]byte, 0, 2*cap(low)+32), low...)
				}
				lo := len(low)
				w := low[lo : lo+16 : lo+16]
				binary.LittleEndian.PutUint64(w, c.k0)
				binary.LittleEndian.PutUint64(w[8:], c.k1)
				t.nt = c.n&candApos != 0 && containsNT(w[:wl])
				if keepLow {
					low = low[:lo+wl]
					t.lo, t.hi = int32(lo), int32(len(low))
				}
			}
		}
		// Without a branch: whether a word is in the lexicon is no
		// pattern a predictor can learn.
		lex[nl] = c.idx
		nl += int(t.flags & fLex)
		ids |= 1 << (t.id & 63)
		if t.id == idBut && but < 0 {
			but = int(c.idx)
		}
	}
	st.low, st.toks, st.lex, st.but, st.cand, st.ids = low, toks, lex[:nl], but, cands, ids
	return upperN > 0 && upperN < nt
}

// nonZero is 1 if x != 0, else 0, without a branch.
func nonZero(x uint64) uint64 { return (x | -x) >> 63 }

// Bits of cand.n for a short ASCII token: its length and flags.
const (
	candLen   = 0xff
	candUpper = 1 << 8 // str.isupper()
	candApos  = 1 << 9 // has an apostrophe
)

func containsNT(b []byte) bool {
	for i := 0; i+2 < len(b); i++ {
		if b[i] == 'n' && b[i+1] == '\'' && b[i+2] == 't' {
			return true
		}
	}
	return false
}

// lowerUnicode appends Python's str.lower() of w (without the final-sigma
// rule) and reports str.isupper(w), which uses the Unicode Lowercase and
// Uppercase properties.
func lowerUnicode(dst, w []byte) ([]byte, bool) {
	hasUpper, hasLower := false, false
	for i := 0; i < len(w); {
		r, size := utf8.DecodeRune(w[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, w[i])
			i++
			continue
		}
		i += size
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				hasUpper = true
				r += 'a' - 'A'
			} else if 'a' <= r && r <= 'z' {
				hasLower = true
			}
		case unicode.IsLower(r) || unicode.Is(unicode.Other_Lowercase, r) || unicode.IsTitle(r):
			hasLower = true
			r = unicode.ToLower(r)
		case unicode.IsUpper(r) || unicode.Is(unicode.Other_Uppercase, r):
			hasUpper = true
			if r == 'İ' {
				dst = append(dst, 'i', 0xcc, 0x87) // "i̇", as Python lowers it
				continue
			}
			r = unicode.ToLower(r)
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst, hasUpper && !hasLower
}
