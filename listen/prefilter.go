package listen

import (
	"strings"
	"unicode/utf8"
)

// A prefilter rejects, without tokenizing, texts that cannot contain any
// of a query's words. Each word or phrase of the query contributes its
// rarest 4-gram, by English letter frequencies: four folded characters,
// where a word boundary counts as a character, so that short words such as
// "ai" (␣ai␣) or "hat" (␣hat) get a selective key too. A text can only
// hold the word if it holds the 4-gram. Characters are folded to a
// five-bit alphabet, so a 4-gram is a 20-bit number, hashed into a 64 Ki-bit
// (8 KiB) bitmap and checked with a table lookup, a multiply and a test per
// byte, with no branch that depends on the text. Non-ASCII characters are
// folded the tokenizer's way, so the prefilter never changes a result; it
// only saves the tokenizer's work on the great majority of posts that
// mention none of the query's words.
type prefilter struct {
	bits [1 << 16 / 64]uint64
}

func gramIndex(h uint32) uint32 { return (h * 0x9E3779B1) >> 16 }

// fold5 maps ASCII letters (either case) to 1..26, digits and '_' to
// 27..31, and everything else (word boundaries) to 0.
var fold5 = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = uint8(c-'a') + 1
		t[c-'a'+'A'] = uint8(c-'a') + 1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 27 + uint8(c-'0')%5
	}
	t['_'] = 31
	return t
}()

// letterFreq is the frequency of letters in English text, per 1000; a
// word boundary counts as 180 (about one character in six is a space).
var letterFreq = [26]float64{82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 40, 24, 67, 75, 19, 1, 60, 63, 91, 28, 10, 24, 2, 20, 1}

func freq(c byte) float64 {
	switch {
	case c == 0:
		return 180
	case c >= 'a' && c <= 'z':
		return letterFreq[c-'a']
	}
	return 10 // digits and '_'
}

// newPrefilter returns a prefilter for the atoms' words (folded to ASCII),
// or nil when some atom has only a one-letter word or there are too many
// atoms to stay selective.
func newPrefilter(atoms [][]string) *prefilter {
	if len(atoms) == 0 || len(atoms) > 64 {
		return nil
	}
	p := &prefilter{}
	for _, words := range atoms {
		var best [4]byte
		bestScore := -1.0
		for _, w := range words {
			if len(w) < 2 {
				continue
			}
			// The word with a boundary on each side (0 bytes).
			padded := "\x00" + w + "\x00"
			for i := 0; i+4 <= len(padded); i++ {
				g := padded[i : i+4]
				score := freq(g[0]) * freq(g[1]) * freq(g[2]) * freq(g[3])
				if bestScore < 0 || score < bestScore {
					copy(best[:], g)
					bestScore = score
				}
			}
		}
		if bestScore < 0 {
			return nil
		}
		var h uint32
		for _, c := range best {
			h = h<<5 | uint32(fold5[c])
		}
		i := gramIndex(h)
		p.bits[i>>6] |= 1 << (i & 63)
	}
	return p
}

// mayMatch reports whether s may contain one of the words. Non-ASCII
// characters are folded as the tokenizer folds them: accented Latin
// letters become their base letter, marks and joiners are skipped, and
// anything that does not fold to ASCII separates.
func (p *prefilter) mayMatch(s string) bool {
	var h uint32
	i := 0
	// Eight ASCII bytes at a time: one check for non-ASCII, then eight
	// steps with no branch but the (rarely taken) hit.
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		if (w[0]|w[1]|w[2]|w[3]|w[4]|w[5]|w[6]|w[7])&0x80 != 0 {
			break
		}
		for _, b := range []byte(w) {
			h = h<<5 | uint32(fold5[b])
			if k := gramIndex(h & (1<<20 - 1)); p.bits[k>>6]&(1<<(k&63)) != 0 {
				return true
			}
		}
	}
	for i < len(s) {
		b := s[i]
		f := uint32(fold5[b])
		if b < utf8.RuneSelf {
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			switch classify(r) {
			case runeIgnore:
				continue
			case runeWord:
				if g := foldRune(r); g < utf8.RuneSelf {
					f = uint32(fold5[g])
				}
			}
		}
		h = h<<5 | f
		if k := gramIndex(h & (1<<20 - 1)); p.bits[k>>6]&(1<<(k&63)) != 0 {
			return true
		}
	}
	// A boundary after the last character.
	k := gramIndex(h << 5 & (1<<20 - 1))
	return p.bits[k>>6]&(1<<(k&63)) != 0
}

// foldedASCII returns the folded text of the token word, as the tokenizer
// sees it, and whether it is plain ASCII letters, digits and '_'.
func foldedASCII(word string) (string, bool) {
	var b strings.Builder
	for _, r := range word {
		switch classify(r) {
		case runeIgnore:
			continue
		case runeWord:
		default:
			if r >= utf8.RuneSelf || fold5[byte(r)] == 0 {
				return "", false
			}
		}
		if r < utf8.RuneSelf {
			c := asciiFold[r]
			if c == 0 || c >= markHash {
				return "", false
			}
			b.WriteByte(c)
			continue
		}
		f := foldRune(r)
		if f >= utf8.RuneSelf {
			return "", false
		}
		b.WriteRune(f)
	}
	return b.String(), true
}

// splitWords cuts a query term into the words the tokenizer will see, so
// that their trigrams can be taken. The caller checks the split against
// the tokenizer's own hashes.
func splitWords(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		var c runeClass
		if r < utf8.RuneSelf {
			if f := asciiFold[r]; f != 0 && f < markHash {
				c = runeWord
			}
		} else {
			c = classify(r)
		}
		switch c {
		case runeWord:
			if start < 0 {
				start = i
			}
		case runeIgnore:
		default:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			if c == runeSymbol {
				out = append(out, string(r))
			}
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}
