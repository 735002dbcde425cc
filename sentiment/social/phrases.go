package social

import "strings"

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

type phrase struct {
	words []string
	val   float64
	flags uint16 // fLex for idioms; fDamp for "kind of"
}

func addTerm(words map[string]wentry, phrases map[string][]phrase, key string, v float64) map[string][]phrase {
	key = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(key, "’", "'")))
	ws := strings.Fields(key)
	switch len(ws) {
	case 0:
		return phrases
	case 1:
		e := words[ws[0]]
		e.val, e.flags = v, (e.flags|fLex|fDict)&^(fBoost|fDamp)
		words[ws[0]] = e
		return phrases
	}
	if phrases == nil {
		phrases = make(map[string][]phrase)
	}
	e := words[ws[0]]
	e.flags |= fPhrase
	words[ws[0]] = e
	for _, w := range ws[1:] {
		e := words[w]
		e.flags |= fPhraseCont
		words[w] = e
	}
	ps := phrases[ws[0]]
	for i := range ps {
		if strings.Join(ps[i].words, " ") == key {
			ps[i].val, ps[i].flags = v, fLex
			return phrases
		}
	}
	ps = append(ps, phrase{words: ws, val: v, flags: fLex})
	// longest first
	for i := len(ps) - 1; i > 0 && len(ps[i].words) > len(ps[i-1].words); i-- {
		ps[i], ps[i-1] = ps[i-1], ps[i]
	}
	phrases[ws[0]] = ps
	return phrases
}
