package vader

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
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

// negated is the reference's negated([word]).
func (t *token) negated() bool { return t.nt || t.flags&fNegate != 0 }

// state is the per-call scratch space, pooled so that scoring does not
// allocate.
type state struct {
	buf  []byte // text after emoji (and entity) replacement
	low  []byte // lower-cased tokens, back to back
	toks []token
	lex  []int32   // indices of the tokens in the lexicon
	cand []cand    // tokens to look up
	but  int       // index of the first "but", or -1
	sent []float64 // the non-zero sentiments, in token order
	pos  []int32   // their token indices
	ep   int       // '!' count
	qm   int       // '?' count
	ids  uint64    // bit id set for each rule word id in the text (a superset after phrases)
	// dirty is how many tokens of toks' backing array the last call
	// wrote: tokenize clears them, so that every token past the length
	// is the zero token and the fast path need not write the tokens
	// that are not in the table.
	dirty int
}

// maxPooled is the largest buffer returned to the pool; bigger ones (from
// huge texts) are left to the garbage collector.
const maxPooled = 64 << 10

func (s *Scorer) getState() *state {
	if st, ok := s.pool.Get().(*state); ok {
		return st
	}
	return &state{
		buf:  make([]byte, 0, 512),
		low:  make([]byte, 0, 512),
		toks: make([]token, 0, 64),
		lex:  make([]int32, 0, 16),
		cand: make([]cand, 64),
		sent: make([]float64, 0, 16),
		pos:  make([]int32, 0, 16),
	}
}

func (s *Scorer) putState(st *state) {
	if cap(st.buf) > maxPooled || cap(st.low) > maxPooled || cap(st.toks) > maxPooled/32 || cap(st.cand) > maxPooled/32 {
		return
	}
	s.pool.Put(st)
}

func (s *Scorer) score(st *state, text string) sentiment.Score {
	var capDiff bool
	if s.plain && scanPlain(st, text) {
		capDiff = s.tokenizePlain(st)
	} else {
		s.replace(st, text)
		capDiff = s.tokenize(st)
	}
	if s.phrases != nil {
		s.mergePhrases(st)
	}
	toks := st.toks
	if len(toks) == 0 {
		return sentiment.Score{}
	}
	// Only lexicon words can have a sentiment: the others are zeros,
	// which no rule changes, so only the non-zero values are kept, with
	// their positions.
	n := len(toks)
	idioms := mayHaveIdiom(st.ids)
	if st.but < 0 {
		// No "but": the sentiments are summed as they come, in the
		// order and with the terms of scoreValence, without storing
		// them.
		var sum, ps, ng float64
		nz := 0
		for _, i32 := range st.lex {
			i := int(i32)
			if unscored(toks, i) {
				continue
			}
			if v := s.valence(toks, i, capDiff, idioms); v != 0 {
				sum += v
				m := -uint64(wordtab.B2U(v > 0))
				ps += math.Float64frombits(math.Float64bits(v+1) & m)
				ng += math.Float64frombits(math.Float64bits(v-1) &^ m)
				nz++
			}
		}
		return finishScore(sum, ps, ng, nz, n-nz, st.ep, st.qm)
	}
	sent, pos := st.sent[:0], st.pos[:0]
	for _, i32 := range st.lex {
		i := int(i32)
		if unscored(toks, i) {
			continue
		}
		if v := s.valence(toks, i, capDiff, idioms); v != 0 {
			sent = append(sent, v)
			pos = append(pos, i32)
		}
	}
	st.sent, st.pos = sent, pos
	if st.but >= 0 {
		butCheck(sent, pos, st.but)
	}
	return scoreValence(sent, n-len(sent), st.ep, st.qm)
}

// unscored reports whether lexicon token i is left out of the sums: a
// booster, or "kind" in "kind of".
func unscored(toks []token, i int) bool {
	t := &toks[i]
	return t.flags&fBooster != 0 || (i < len(toks)-1 && t.id == idKind && toks[i+1].id == idOf)
}

// valence is the reference's sentiment_valence for a lexicon token.
func (s *Scorer) valence(toks []token, i int, capDiff, idioms bool) float64 {
	n := len(toks)
	t := &toks[i]
	if (!idioms && plainBefore(toks, i)) ||
		(i >= 3 && quiet(&toks[i-1]) && quiet(&toks[i-2]) && quiet(&toks[i-3])) {
		// The usual cases: no idiom can match in the text and none of
		// the three words before names a rule that changes this one (a
		// booster, a negation or "n't", "no", "least", "never", "so",
		// "this" or "without"; "or", "nor", "at", "very" and "doubt"
		// matter only next to those); or none of the three words before
		// names any rule at all. Only the rules on the word itself, and
		// in the second case the idioms, can then apply (see the general
		// path below).
		v := t.val
		if t.id == idNo && i != n-1 && toks[i+1].flags&fLex != 0 {
			v = 0
		}
		if t.upper && capDiff {
			if v > 0 {
				v += cIncr
			} else {
				v -= cIncr
			}
		}
		if !idioms {
			return v
		}
		return specialIdioms(v, toks, i)
	}
	v := t.val
	if t.id == idNo && i != n-1 && toks[i+1].flags&fLex != 0 {
		v = 0
	}
	if (i > 0 && toks[i-1].id == idNo) || (i > 1 && toks[i-2].id == idNo) ||
		(i > 2 && toks[i-3].id == idNo && (toks[i-1].id == idOr || toks[i-1].id == idNor)) {
		v = t.val * nScalar
	}
	if t.upper && capDiff {
		if v > 0 {
			v += cIncr
		} else {
			v -= cIncr
		}
	}
	for start := 0; start < 3; start++ {
		if i <= start || toks[i-start-1].flags&fLex != 0 {
			continue
		}
		sc := scalarIncDec(&toks[i-start-1], v, capDiff)
		if start == 1 && sc != 0 {
			sc *= 0.95
		}
		if start == 2 && sc != 0 {
			sc *= 0.9
		}
		v += sc
		v = negationCheck(v, toks, start, i)
		if start == 2 && idioms {
			v = specialIdioms(v, toks, i)
		}
	}
	// _least_check
	if i > 1 && toks[i-1].flags&fLex == 0 && toks[i-1].id == idLeast {
		if toks[i-2].id != idAt && toks[i-2].id != idVery {
			v *= nScalar
		}
	} else if i > 0 && toks[i-1].flags&fLex == 0 && toks[i-1].id == idLeast {
		v *= nScalar
	}
	return v
}

// plainBefore reports whether none of the (up to) three tokens before
// toks[i] is a booster, a negation, has "n't" or is a word flagged fRule.
func plainBefore(toks []token, i int) bool {
	const mask = fBooster | fNegate | fRule
	if i >= 3 {
		a, b, c := &toks[i-1], &toks[i-2], &toks[i-3]
		return (a.flags|b.flags|c.flags)&mask == 0 && !(a.nt || b.nt || c.nt)
	}
	for k := max(i-3, 0); k < i; k++ {
		if toks[k].flags&mask != 0 || toks[k].nt {
			return false
		}
	}
	return true
}

// quiet reports a token that no rule names: not in the table and
// without "n't".
func quiet(t *token) bool { return t.flags|t.id == 0 && !t.nt }

func scalarIncDec(w *token, v float64, capDiff bool) float64 {
	if w.flags&fBooster == 0 {
		return 0
	}
	sc := bIncr
	if w.flags&fDampener != 0 {
		sc = bDecr
	}
	if v < 0 {
		sc = -sc
	}
	if w.upper && capDiff {
		if v > 0 {
			sc += cIncr
		} else {
			sc -= cIncr
		}
	}
	return sc
}

func isSoThis(id uint8) bool { return id == idSo || id == idThis }

// negationCheck is the reference's _negation_check, including its
// operator-precedence slip for start == 2.
func negationCheck(v float64, toks []token, start, i int) float64 {
	switch start {
	case 0:
		if toks[i-1].negated() {
			v *= nScalar
		}
	case 1:
		switch {
		case toks[i-2].id == idNever && isSoThis(toks[i-1].id):
			v *= 1.25
		case toks[i-2].id == idWithout && toks[i-1].id == idDoubt:
		case toks[i-2].negated():
			v *= nScalar
		}
	case 2:
		switch {
		case toks[i-3].id == idNever && isSoThis(toks[i-2].id) || isSoThis(toks[i-1].id):
			v *= 1.25
		case toks[i-3].id == idWithout && (toks[i-2].id == idDoubt || toks[i-1].id == idDoubt):
		case toks[i-3].negated():
			v *= nScalar
		}
	}
	return v
}

// pairCase[a][b] is 1 + the index in specialCases of the two-word case
// (a, b), or 0.
var pairCase = func() (t [64][64]uint8) {
	for i, sc := range specialCases {
		if sc.ids[2] == idNone {
			t[sc.ids[0]][sc.ids[1]] = uint8(i + 1)
		}
	}
	return t
}()

func isBoosterBigram(a, b uint8) bool {
	for _, bg := range boosterBigrams {
		if bg[0] == a && bg[1] == b {
			return true
		}
	}
	return false
}

// idiomNeeds holds, for each special case and two-word booster, the
// bits of the ids it needs (see state.ids).
var idiomNeeds = func() (m []uint64) {
	for _, sc := range specialCases {
		var b uint64
		for _, id := range sc.ids {
			if id != idNone {
				b |= 1 << id
			}
		}
		m = append(m, b)
	}
	for _, bg := range boosterBigrams {
		m = append(m, 1<<bg[0]|1<<bg[1])
	}
	return m
}()

// idiomRare has, for each element of idiomNeeds, one of its ids that is
// not among the commonest words: without any of them, no idiom is
// complete.
var idiomRare = func() (r uint64) {
	common := uint64(1)<<idThe | 1<<idOf | 1<<idTo | 1<<idFor | 1<<idJust | 1<<idRight | 1<<idBad | 1<<idHeart
	for _, m := range idiomNeeds {
		if rare := m &^ common; rare != 0 {
			r |= rare & -rare
		} else {
			r |= m
		}
	}
	return r
}()

// mayHaveIdiom reports whether a text whose tokens have the ids in ids
// may hold a special case or a two-word booster: if not, specialIdioms
// changes nothing.
func mayHaveIdiom(ids uint64) bool {
	if ids&idiomRare == 0 {
		return false
	}
	for _, m := range idiomNeeds {
		if m&^ids == 0 {
			return true
		}
	}
	return false
}

// specialIdioms is the reference's _special_idioms_check; i >= 3.
func specialIdioms(v float64, toks []token, i int) float64 {
	n := len(toks)
	// Every case it checks lies within toks[i-3 : i+3] and needs idiom
	// words there; most windows have none.
	var any uint8
	for _, t := range toks[i-3 : min(i+3, n)] {
		any |= t.flags
	}
	if any&fIdiom == 0 {
		return v
	}
	switch {
	case match2(toks, i-1, i, &v):
	case match3(toks, i-2, i-1, i, &v):
	case match2(toks, i-2, i-1, &v):
	case match3(toks, i-3, i-2, i-1, &v):
	case match2(toks, i-3, i-2, &v):
	}
	if n-1 > i {
		match2(toks, i, i+1, &v)
	}
	if n-1 > i+1 {
		match3(toks, i, i+1, i+2, &v)
	}
	// threetwoone cannot match a two-word booster key.
	if isBoosterBigram(toks[i-3].id, toks[i-2].id) {
		v += bDecr
	}
	if isBoosterBigram(toks[i-2].id, toks[i-1].id) {
		v += bDecr
	}
	return v
}

func match2(toks []token, a, b int, v *float64) bool {
	if k := pairCase[toks[a].id&63][toks[b].id&63]; k != 0 {
		*v = specialCases[k-1].val
		return true
	}
	return false
}

func match3(toks []token, a, b, c int, v *float64) bool {
	x, y, z := toks[a].id, toks[b].id, toks[c].id
	if x == idNone || y == idNone || z == idNone {
		return false
	}
	for _, sc := range specialCases {
		if sc.ids == [3]uint8{x, y, z} {
			*v = sc.val
			return true
		}
	}
	return false
}

// smallBut is the number of non-zero sentiments up to which butCheck uses
// a quadratic scan; beyond it, a map keeps it linear.
const smallBut = 48

// butCheck is the reference's _but_check on the non-zero sentiments sent
// (at token positions pos, increasing) with the first "but" at token bi.
// It keeps the reference's quirk: each value is looked up with
// list.index, so the first element equal to it (possibly an earlier one,
// possibly already modified) is the one scaled. Zeros never change, and
// no zero equals a non-zero value, so they need not be visited.
func butCheck(sent []float64, pos []int32, bi int) {
	if len(sent) > smallBut {
		butCheckLarge(sent, pos, bi)
		return
	}
	for k := range sent {
		v := sent[k]
		si := k
		for j := 0; j < k; j++ {
			if sent[j] == v {
				si = j
				break
			}
		}
		if p := int(pos[si]); p < bi {
			sent[si] = v * 0.5
		} else if p > bi {
			sent[si] = v * 1.5
		}
	}
}

// butCheckLarge does what butCheck does in O(n log n): for each value it
// keeps the positions that currently hold it in a min-heap.
func butCheckLarge(sent []float64, posOf []int32, bi int) {
	pos := make(map[float64]*intHeap)
	push := func(v float64, i int) {
		h := pos[v]
		if h == nil {
			h = &intHeap{}
			pos[v] = h
		}
		h.push(i)
	}
	for i, v := range sent {
		if v != 0 {
			push(v, i)
		}
	}
	for k := range sent {
		v := sent[k]
		if v == 0 {
			continue
		}
		h := pos[v]
		si := h.min() // k holds v, so the heap is not empty
		var nv float64
		switch p := int(posOf[si]); {
		case p < bi:
			nv = v * 0.5
		case p > bi:
			nv = v * 1.5
		default:
			continue
		}
		if nv == v {
			continue
		}
		h.popMin()
		sent[si] = nv
		push(nv, si)
	}
}

type intHeap []int

func (h *intHeap) min() int { return (*h)[0] }

func (h *intHeap) push(x int) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *intHeap) popMin() {
	a := *h
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && a[l] < a[m] {
			m = l
		}
		if r < n && a[r] < a[m] {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
}

// scoreValence is the reference's score_valence.
func scoreValence(sent []float64, neu, ep, qm int) sentiment.Score {
	var sum, pos, neg float64
	for _, v := range sent {
		sum += v
		// v != 0: v+1 goes to pos if v > 0, else v-1 to neg.
		m := -uint64(wordtab.B2U(v > 0))
		pos += math.Float64frombits(math.Float64bits(v+1) & m)
		neg += math.Float64frombits(math.Float64bits(v-1) &^ m)
	}
	return finishScore(sum, pos, neg, len(sent), neu, ep, qm)
}

// finishScore is the end of score_valence, given the sum of the nz
// non-zero sentiments and the sums of v+1 over the positive ones (pos) and
// of v-1 over the negative ones (neg), each added in token order.
func finishScore(sum, pos, neg float64, nz, neu, ep, qm int) sentiment.Score {
	if nz == 0 {
		// No sentiment: nothing to emphasise or normalise.
		return sentiment.Score{Neutral: 1}
	}
	amp := vaderrules.PunctEmphasis(ep, qm)
	// The signs below come at random, so they select values without a
	// branch. Each sum gets exactly the reference's terms: adding +0
	// leaves a sum unchanged (none of these is ever -0), and x + (-a)
	// is x - a.
	sum += amp * (wordtab.B2F(sum > 0) - wordtab.B2F(sum < 0))
	compound := normalize(sum)
	pos += amp * wordtab.B2F(pos > math.Abs(neg))
	neg -= amp * wordtab.B2F(pos < math.Abs(neg))
	total := pos + math.Abs(neg) + float64(neu)
	// Each figure is within [-1, 1]: total > 0, as a non-zero sentiment
	// adds more than 1 to pos or to |neg|.
	// They are rounded in one loop, without four calls that would spill
	// the others around each.
	r := [4]float64{compound, math.Abs(pos / total), math.Abs(float64(neu) / total), math.Abs(neg / total)}
	for k, x := range r {
		p := float64(1000)
		if k == 0 {
			p = 10000
		}
		// vaderrules.Round, inlined by hand.
		t := x * p
		fl := float64(int64(t))
		fl -= wordtab.B2F(fl > t)
		f := t - fl
		if math.Abs(f-0.5) > 1e-6 {
			r[k] = (fl + wordtab.B2F(f > 0.5)) / p
		} else {
			r[k] = vaderrules.RoundTie(x, 3+int(wordtab.B2U(k == 0)), fl/p)
		}
	}
	return sentiment.Score{Compound: r[0], Positive: r[1], Neutral: r[2], Negative: r[3]}
}

func normalize(score float64) float64 {
	n := score / math.Sqrt(score*score+alpha)
	if n < -1 {
		return -1
	}
	if n > 1 {
		return 1
	}
	return n
}

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

// replace fills st.buf with text after the reference's emoji replacement
// (and, when enabled, HTML entity decoding), counting '!' and '?'.
func (s *Scorer) replace(st *state, text string) {
	buf := st.buf[:0]
	ep, qm := 0, 0
	prevSpace := true
	var emoji map[rune]string // loaded at the first non-ASCII character
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf && !(c == '&' && s.html) {
			j := i + 1
			if s.html {
				for ; j < len(text) && text[j] < utf8.RuneSelf && text[j] != '&'; j++ {
				}
			} else {
				j = asciiRun(text, j)
			}
			ep += strings.Count(text[i:j], "!")
			qm += strings.Count(text[i:j], "?")
			buf = append(buf, text[i:j]...)
			prevSpace = text[j-1] == ' '
			i = j
			continue
		}
		var r rune
		size := 1
		if c == '&' {
			r, size = wordtab.DecodeEntity(text[i:])
			if size == 0 {
				buf = append(buf, c)
				prevSpace = false
				i++
				continue
			}
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, text[i]) // invalid byte: keep as is
			prevSpace = false
			i++
			continue
		}
		i += size
		if emoji == nil {
			emoji = s.base.emojiMap()
		}
		if d, ok := emoji[r]; ok {
			if !prevSpace {
				buf = append(buf, ' ')
			}
			buf = append(buf, d...)
			ep += strings.Count(d, "!") // "ON! arrow", "UP! button"
			qm += strings.Count(d, "?")
			prevSpace = false
			continue
		}
		switch r {
		case '!':
			ep++
		case '?':
			qm++
		}
		buf = utf8.AppendRune(buf, r)
		prevSpace = r == ' '
	}
	if cap(buf)-len(buf) < 16 {
		buf = append(make([]byte, 0, len(buf)+len(buf)/4+16), buf...)
	}
	// 16 zero bytes after the text let the tokenizer load 16 bytes at any
	// position without a bounds case: a zero byte ends a token there.
	pad := buf[len(buf) : len(buf)+16]
	binary.LittleEndian.PutUint64(pad, 0)
	binary.LittleEndian.PutUint64(pad[8:], 0)
	st.buf, st.ep, st.qm = buf, ep, qm
}

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

// indexTokens records the lexicon tokens and the first "but".
func (st *state) indexTokens() {
	lex := st.lex[:0]
	st.but = -1
	for i := range st.toks {
		t := &st.toks[i]
		if t.flags&fLex != 0 {
			lex = append(lex, int32(i))
		}
		if t.id == idBut && st.but < 0 {
			st.but = i
		}
	}
	st.lex = lex
}

// mergePhrases joins the tokens of each WithTerms phrase into one token.
func (s *Scorer) mergePhrases(st *state) {
	toks := st.toks
	out := toks[:0]
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.flags&fPhrase != 0 {
			if p, n := s.matchPhrase(st, toks[i:]); n > 0 {
				t.set(p.e)
				t.hi = toks[i+n-1].hi
				up := true
				for _, u := range toks[i : i+n] {
					up = up && u.upper
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
	st.indexTokens()
}

func (s *Scorer) matchPhrase(st *state, toks []token) (*phrase, int) {
	first := st.low[toks[0].lo:toks[0].hi]
	ps := s.phrases[string(first)]
	for k := range ps {
		p := &ps[k]
		if len(p.words) > len(toks) {
			continue
		}
		ok := true
		for j := 1; j < len(p.words); j++ {
			if string(st.low[toks[j].lo:toks[j].hi]) != p.words[j] {
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

// asciiRun returns the index of the first non-ASCII byte of s at or after
// i, or len(s).
func asciiRun(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8] // one bounds check, and the bytes load as one word
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		if x&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s) && s[i] < utf8.RuneSelf; i++ {
	}
	return i
}
