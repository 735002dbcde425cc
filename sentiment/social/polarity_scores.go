package social

import (
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

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
	// One pass: the sum, and the positive and negative masses (v+1 for
	// each positive value, v-1 for each negative one), each added in
	// token order.
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
		switch {
		case v > 0:
			pos += v + 1
			k++
		case v < 0:
			neg += v - 1
			k++
		}
	}
	return s.finish(sum, pos, neg, k, len(toks)-k, st.ep, st.qm)
}
