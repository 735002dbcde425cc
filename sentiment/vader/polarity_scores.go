package vader

import (
	"github.com/earshot-dev/earshot/sentiment"
)

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
		// No "but": the sentiments are summed as they come, as
		// scoreValence sums them, without storing them.
		var sums valenceSums
		for _, i32 := range st.lex {
			i := int(i32)
			if unscored(toks, i) {
				continue
			}
			if v := s.valence(toks, i, capDiff, idioms); v != 0 {
				sums.add(v)
			}
		}
		return finishScore(&sums, n-sums.n, st.ep, st.qm)
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
