package vader

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unsafe"

	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

// The plain path scores the commonest texts, pure ASCII without options
// that change tokens (HTML entities, phrases), in two tight loops instead
// of the general replace and tokenize: scanPlain copies the text and
// counts '!' and '?' eight bytes at a time, and tokenizePlain is
// tokenize's fast path without its general cases (non-ASCII, phrases),
// with punctuation stripped without loops. Both produce exactly what
// replace and tokenize produce for such a text: for ASCII, the emoji
// replacement is the identity, Python's white space is the ASCII set of
// isSpace8, and every token is ASCII (TestPlainMatchesGeneral, FuzzPlain).

// gatherHighs moves the high bit of each byte of m (other bits zero) into
// the low eight bits, byte i to bit i.
func gatherHighs(m uint64) uint64 {
	return (m >> 7) * 0x0102040810204080 >> 56
}

// scanPlain is replace for a text without options that change it: it
// copies text into st.buf, padded as replace pads it, eight bytes at a
// time, counts '!' and '?', and reports true; or it reports false if
// text has a byte outside ASCII, which replace must handle.
func scanPlain(st *state, text string) bool {
	// 0x80 is no stop byte: CopyASCII already refuses every byte above
	// 0x7f, and takes a shorter loop.
	buf, ep, qm, ok := wordtab.CopyASCII(st.buf[:0], text, 0x80, 0x80)
	if !ok {
		return false
	}
	st.buf, st.ep, st.qm = buf, ep, qm
	return true
}

// keyMasks[n] keeps the first n bytes of two little-endian words: a
// load instead of shifts (Go guards a variable shift against counts of 64
// and more with extra instructions).
var keyMasks = func() (m [16][2]uint64) {
	for n := range m {
		m[n][0] = uint64(1)<<(8*uint(n)) - 1
		m[n][1] = uint64(1)<<(8*uint(max(n-8, 0))) - 1
	}
	return m
}()

// tokenizePlain is tokenize for a text that scanPlain accepted.
func (s *Scorer) tokenizePlain(st *state) bool {
	buf := st.buf
	n := len(buf)
	tab := s.entries
	maxTok := n/2 + 2
	// Every token is written below (zero unless it is kept), so toks
	// need not be cleared first.
	toks := st.toks
	if cap(toks) < maxTok {
		toks = make([]token, maxTok)
	}
	toks = toks[:cap(toks)]
	cands := st.cand
	if cap(cands) < maxTok {
		cands = make([]cand, maxTok)
	}
	cands = cands[:cap(cands)]
	padded := buf[: n+16 : n+16]
	base := unsafe.Pointer(unsafe.SliceData(padded))
	filter := tab.Filter()
	// Most texts have no apostrophe: their tokens skip the test for one.
	hasApos := bytes.IndexByte(buf, '\'') >= 0
	nc, nt, upperN := 0, 0, 0
	i := 0
	for i < n {
		for i < n {
			start := i
			// The 16 bytes at i, i < n, without a bounds check (padded
			// has 16 bytes after n): the check and the capacity it
			// needs would take a register that the loop lacks.
			w := (*[16]byte)(unsafe.Add(base, i))
			x0 := binary.LittleEndian.Uint64(w[:8])
			x1 := binary.LittleEndian.Uint64(w[8:])
			// L is the length of the run of bytes >= 0x21 (16 if it has no
			// end in the 16 bytes); the text is ASCII and padded with zeros.
			t0 := ^(x0 + 0x5f*wordtab.Ones) & wordtab.Highs
			t1 := ^(x1 + 0x5f*wordtab.Ones) & wordtab.Highs
			// Both counts are taken, and t1's is added only if t0 has no
			// bit (L == 64), without a branch: whether a token is longer
			// than 7 bytes is unpredictable.
			L := bits.TrailingZeros64(t0)
			L += bits.TrailingZeros64(t1) & -(L >> 6)
			L >>= 3
			end := i + L
			if uint(L-1) >= 15 || !isSpace8[w[L&15]] && end < n {
				break // to the rare cases, below
			}
			i = end + 1
			km := &keyMasks[L&15]
			k0, k1 := x0&km[0], x1&km[1]
			up0, up1 := wordtab.CaseMask(k0, 'A', 'Z'), wordtab.CaseMask(k1, 'A', 'Z')
			small0, small1 := wordtab.CaseMask(k0, 'a', 'z'), wordtab.CaseMask(k1, 'a', 'z')
			isUp := nonZero(up0|up1) &^ nonZero(small0|small1)
			upperN += int(isUp)
			upper := int32(isUp) << 8 // candUpper
			wl := L
			if (byteClass[uint8(x0)]|byteClass[w[(L-1)&15]])&cPunct != 0 {
				// _strip_punc_if_word, without a loop: q has a bit for
				// each byte of the token that is not punctuation. The
				// token's bytes are 0x21..0x7f, of which only letters,
				// digits and 0x7f are not punctuation.
				n0 := up0 | small0 | wordtab.CaseMask(k0, '0', '9') | wordtab.CaseMask(k0, 0x7f, 0x7f)
				n1 := up1 | small1 | wordtab.CaseMask(k1, '0', '9') | wordtab.CaseMask(k1, 0x7f, 0x7f)
				q := (gatherHighs(n0) | gatherHighs(n1)<<8) & (1<<uint(L) - 1)
				lead := bits.TrailingZeros64(q)
				if nl := bits.Len64(q) - lead; q != 0 && nl > 2 {
					wl = nl
					k0, k1 = wordtab.MaskKey(padded[start+lead:start+lead+16:start+lead+16], wl)
					up0, up1 = wordtab.CaseMask(k0, 'A', 'Z'), wordtab.CaseMask(k1, 'A', 'Z')
				}
			}
			k0, k1 = k0|up0>>2, k1|up1>>2 // lower case
			h := wordtab.Hash(k0, k1, wl)
			apos := uint64(0)
			if hasApos { // the same for every token of a text: predictable
				y0, y1 := k0^'\''*wordtab.Ones, k1^'\''*wordtab.Ones
				apos = nonZero(((y0-wordtab.Ones)&^y0 | (y1-wordtab.Ones)&^y1) & wordtab.Highs)
			}
			upper |= int32(apos) << 9 // candApos
			cd := &cands[nc]
			cd.k0, cd.k1, cd.h, cd.idx, cd.n = k0, k1, h, int32(nt), int32(wl)|upper
			nc += int(filter.MayHaveBit(h) | apos)
			toks[nt] = token{}
			nt++
		}
		if i >= n {
			break
		}
		// White space, a token of 16 bytes or more, or one with a
		// control character: rare. They are out of the loop above,
		// whose variables then stay in registers (a call in the loop
		// would make the compiler keep them on the stack).
		start := i
		if isSpace8[buf[i]] {
			i++
			continue
		}
		for i < n && !isSpace8[buf[i]] {
			i++
		}
		tk, e := s.longToken(st, start, i)
		if tk.upper {
			upperN++
		}
		if e.flags|e.id != 0 {
			cd := &cands[nc]
			cd.idx, cd.n = int32(nt), -1
			nc++
		}
		toks[nt] = tk
		nt++
	}
	toks = toks[:nt]
	st.dirty = max(st.dirty, nt) // what replace-and-tokenize must clear
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
			if c.n&candApos != 0 {
				var w [16]byte
				binary.LittleEndian.PutUint64(w[:], c.k0)
				binary.LittleEndian.PutUint64(w[8:], c.k1)
				t.nt = containsNT(w[:wl])
			}
		}
		lex[nl] = c.idx
		nl += int(t.flags & fLex)
		ids |= 1 << (t.id & 63)
		if t.id == idBut && but < 0 {
			but = int(c.idx)
		}
	}
	st.toks, st.lex, st.but, st.cand, st.ids = toks, lex[:nl], but, cands, ids
	return upperN > 0 && upperN < nt
}

// longToken is tokenize's slow path for an ASCII token buf[start:end]:
// one of 16 bytes or more, or one with a control character.
func (s *Scorer) longToken(st *state, start, end int) (token, entry) {
	buf := st.buf[:end]
	var acc uint8
	for _, c := range buf[start:] {
		acc |= byteClass[c]
	}
	tk := token{upper: acc&cUpper != 0 && acc&cLower == 0}
	// _strip_punc_if_word
	a, b := start, end
	if acc&cPunct != 0 {
		for a < b && byteClass[buf[a]]&cPunct != 0 {
			a++
		}
		for b > a && byteClass[buf[b-1]]&cPunct != 0 {
			b--
		}
		if b-a <= 2 {
			a, b = start, end
		}
	}
	if b-a > s.entries.MaxLen() && acc&cApos == 0 {
		// Longer than any key (a URL, say), and without "n't".
		return tk, entry{}
	}
	low := st.low[:0]
	for _, c := range buf[a:b] {
		if byteClass[c]&cUpper != 0 {
			c += 'a' - 'A'
		}
		low = append(low, c)
	}
	st.low = low
	if acc&cApos != 0 {
		tk.nt = containsNT(low)
	}
	e := s.entries.get(low)
	if e.flags|e.id != 0 {
		tk.set(e)
	}
	return tk, e
}
