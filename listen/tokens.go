package listen

import (
	"unicode"
	"unicode/utf8"
)

// This file holds the tokenizer shared by query compilation and matching,
// so that a query term and a post's text are cut and folded identically.
//
// A token is a run of word characters (letters, digits, '_'), folded to
// lower case with accents removed, or a single symbol such as an emoji.
// Combining marks, zero-width joiners and variation selectors inside a word
// are dropped, so "café", "cafe\u0301" and "CAFE" are one token. A token
// right after '#' or '@' carries that as a flag. Tokens are identified by a
// 64-bit hash of their folded UTF-8 bytes; the text is never copied.

const (
	flagHash    uint8 = 1 << iota // token follows '#'
	flagMention                   // token follows '@'
)

// asciiFold maps an ASCII byte to its folded word byte, 0 for a separator,
// or one of the markers below. It is built once and only read.
var asciiFold = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
			t[c] = byte(c)
		case c >= 'A' && c <= 'Z':
			t[c] = byte(c) + 'a' - 'A'
		case c == '#':
			t[c] = markHash
		case c == '@':
			t[c] = markMention
		case c >= 0x80:
			t[c] = markUTF8
		}
	}
	return t
}()

const (
	markHash    = 0xF0 // '#'
	markMention = 0xF1 // '@'
	markUTF8    = 0xFF // first byte of a multi-byte sequence
)

// Token keys. A token of up to eight folded bytes is keyed by those bytes
// packed into a word, which is exact; a longer token by a hash of its
// eight-byte chunks. The key is then multiplied by an odd constant (a
// bijection), so the top bits are well spread for the Bloom filter and the
// table.
const spread = 0x9E3779B97F4A7C15

// longKey finishes the key of a token longer than eight bytes.
func longKey(h, w uint64, n uint) uint64 { return mix(h^w^uint64(n)<<56) | 1<<63 }

// mix is the murmur3 64-bit finaliser.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// runeClass tells what a non-ASCII rune is to the tokenizer.
type runeClass uint8

const (
	runeSep    runeClass = iota // ends a token
	runeWord                    // part of a word (folded)
	runeIgnore                  // dropped without ending the token: marks, ZWJ, variation selectors
	runeSymbol                  // a token on its own: emoji and other symbols
)

func classify(r rune) runeClass {
	// Fast answers for the non-ASCII characters posts are full of: accented
	// Latin letters, emoji, joiners and variation selectors.
	switch {
	case r >= 0xC0 && r < 0x250 && r != 0xD7 && r != 0xF7:
		return runeWord
	case r == 0x200D, r >= 0xFE00 && r <= 0xFE0F, r >= 0x1F3FB && r <= 0x1F3FF:
		return runeIgnore
	case r >= 0x1F000 && r <= 0x1FAFF:
		return runeSymbol
	}
	return classifySlow(r)
}

// classifySlow is classify by the Unicode tables.
func classifySlow(r rune) runeClass {
	switch {
	case r == utf8.RuneError:
		return runeSep
	case unicode.IsLetter(r), unicode.IsDigit(r):
		return runeWord
	case unicode.Is(unicode.Mn, r), r == 0x200D, r == 0x200C, r >= 0xFE00 && r <= 0xFE0F,
		r >= 0x1F3FB && r <= 0x1F3FF, r >= 0xE0020 && r <= 0xE007F: // skin tones, tag characters
		return runeIgnore
	case unicode.Is(unicode.So, r), unicode.Is(unicode.Sk, r), unicode.Is(unicode.Sm, r),
		unicode.Is(unicode.Sc, r), r >= 0x1F000 && r <= 0x1FAFF:
		return runeSymbol
	}
	return runeSep
}

// foldRune lower-cases r and strips accents from Latin letters.
func foldRune(r rune) rune {
	if r >= 0xC0 && r < 0x250 {
		if b := latinBase[r-0xC0]; b != ' ' {
			return rune(b) // the table holds the base letter of both cases
		}
	}
	return foldRuneSlow(r)
}

// foldRuneSlow is foldRune by the Unicode tables.
func foldRuneSlow(r rune) rune {
	r = unicode.ToLower(r)
	if r >= 0xC0 && r < 0x250 {
		if b := latinBase[r-0xC0]; b != ' ' {
			return rune(b)
		}
	}
	return r
}

// latinBase maps U+00C0..U+024F (lower-cased) to its base letter, or ' '
// to keep the rune (ß, æ, þ and the like stay as they are). Generated from
// the Unicode NFKD decompositions, plus ø, đ, ħ, ı, ł and ŧ, which have none.
const latinBase = "" +
	"aaaaaa ceeeeiiii" + // U+00C0
	" nooooo ouuuuy  " + // U+00D0
	"aaaaaa ceeeeiiii" + // U+00E0
	" nooooo ouuuuy y" + // U+00F0
	"aaaaaaccccccccdd" + // U+0100
	"ddeeeeeeeeeegggg" + // U+0110
	"gggghhhhiiiiiiii" + // U+0120
	" iiijjkk lllllll" + // U+0130
	"lllnnnnnn   oooo" + // U+0140
	"oo  rrrrrrssssss" + // U+0150
	"ssttttttuuuuuuuu" + // U+0160
	"uuuuwwyyyzzzzzzs" + // U+0170
	"                " + // U+0180
	"                " + // U+0190
	"oo             u" + // U+01A0
	"u               " + // U+01B0
	"    dddlllnnnaai" + // U+01C0
	"ioouuuuuuuuuu aa" + // U+01D0
	"aa    ggkkoooo  " + // U+01E0
	"jdddgg  nnaa    " + // U+01F0
	"aaaaeeeeiiiioooo" + // U+0200
	"rrrruuuusstt  hh" + // U+0210
	"      aaeeoooooo" + // U+0220
	"ooyy            " + // U+0230
	"                " // U+0240

// scanner walks the tokens of a text. In match mode it matches them
// against q and records the atoms found in set; in collect mode (keys !=
// nil) it appends every token; in firstOnly mode it keeps the first one.
type scanner struct {
	q     *Query
	set   *atomSet
	bloom *[4]uint64        // q.bloom, or allOnes outside match mode
	ring  [maxPhrase]uint64 // hashes of the last tokens; ring[(n-1)%maxPhrase] is the newest
	n     uint
	done  bool

	keys      *[]tokenKey
	limit     int // of keys
	firstOnly bool
	first     uint64
}

var allOnes = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

// tokenKey is a token's hash and its '#'/'@' flags.
type tokenKey struct {
	hash  uint64
	flags uint8
}

// scan cuts s into tokens. It is the one tokenizer for queries and texts.
// The common case, a short ASCII word, runs in a tight inner loop; words
// that are long or contain other characters go through word, which gives
// the same key for the same folded bytes. It does not allocate in match
// mode.
func (sc *scanner) scan(s string) {
	var pending uint8 // '#'/'@' flags for the next word
	bloom := sc.bloom
	for i := 0; i < len(s); {
		c := asciiFold[s[i]]
		if c-1 < markHash-1 { // 1 <= c < markHash: an ASCII word byte
			w := uint64(c)
			j := i + 1
			for j < len(s) {
				c = asciiFold[s[j]]
				if c-1 >= markHash-1 {
					break
				}
				w = w<<8 | uint64(c)
				j++
			}
			if j-i > 8 || (j < len(s) && c == markUTF8 && continuesWord(s[j:])) {
				w, j = word(s, i)
			}
			i = j
			// The token method, inlined by hand for the common case.
			hash := w*spread | 1
			sc.ring[sc.n%maxPhrase] = hash
			sc.n++
			if bloom[hash>>62]&(1<<((hash>>56)&63)) != 0 && sc.more(hash, pending) {
				return
			}
			pending = 0
			continue
		}
		switch c {
		case 0:
			pending = 0
			i++
			continue
		case markHash:
			pending = flagHash
			i++
			continue
		case markMention:
			pending = flagMention
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch classify(r) {
		case runeWord:
			key, j := word(s, i)
			i = j
			if sc.token(key*spread|1, pending) {
				return
			}
		case runeSymbol:
			i += size
			var buf [utf8.UTFMax]byte
			var key uint64
			for _, b := range buf[:utf8.EncodeRune(buf[:], r)] {
				key = key<<8 | uint64(b)
			}
			if sc.token(key*spread|1, 0) {
				return
			}
		case runeIgnore:
			i += size
			continue // between words: nothing to end, flags kept
		default:
			i += size
		}
		pending = 0
	}
}

// continuesWord reports whether the rune at the start of s belongs to the
// word before it.
func continuesWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	c := classify(r)
	return c == runeWord || c == runeIgnore
}

// word reads the word starting at s[i] and returns its key and the index
// after it. Up to eight folded bytes, the key is the bytes packed into a
// word, as the fast path computes it; longer words mix full eight-byte
// chunks.
func word(s string, i int) (key uint64, end int) {
	var (
		w, h      uint64
		n, chunks uint
	)
	add := func(b byte) {
		if n == 8 { // a ninth byte: mix the full word in first
			h = mix(h ^ w)
			w, n = 0, 0
			chunks++
		}
		w = w<<8 | uint64(b)
		n++
	}
	for i < len(s) {
		c := asciiFold[s[i]]
		if c-1 < markHash-1 {
			add(c)
			i++
			continue
		}
		if c != markUTF8 {
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		cl := classify(r)
		if cl == runeIgnore {
			i += size
			continue
		}
		if cl != runeWord {
			break
		}
		var buf [utf8.UTFMax]byte
		for _, b := range buf[:utf8.EncodeRune(buf[:], foldRune(r))] {
			add(b)
		}
		i += size
	}
	if chunks == 0 {
		return w, i
	}
	return longKey(h, w, n+8*chunks), i
}

// token handles one token and reports whether scanning can stop. The
// common case, a token no atom ends with, is decided by the Bloom filter
// here; the rest goes to more.
func (sc *scanner) token(hash uint64, flags uint8) bool {
	sc.ring[sc.n%maxPhrase] = hash
	sc.n++
	if sc.bloom[hash>>62]&(1<<((hash>>56)&63)) == 0 {
		return false
	}
	return sc.more(hash, flags)
}

func (sc *scanner) more(hash uint64, flags uint8) bool {
	switch {
	case sc.keys != nil:
		*sc.keys = append(*sc.keys, tokenKey{hash, flags})
		return len(*sc.keys) == sc.limit // never when limit is 0
	case sc.firstOnly:
		sc.first = hash
		return true
	}
	return sc.hit(hash, flags)
}

// tokens returns the tokens of s, only the first limit of them if limit > 0.
func tokens(s string, limit int) []tokenKey {
	var keys []tokenKey
	sc := scanner{keys: &keys, limit: limit, bloom: &allOnes}
	sc.scan(s)
	return keys
}
