package social

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

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
