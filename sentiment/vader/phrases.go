package vader

import "strings"

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

// phrase is a multi-word term from WithTerms.
type phrase struct {
	words []string // lower case, at least two
	e     entry
}

func (s *Scorer) addTerm(key string, v float64) {
	key = strings.ToLower(strings.TrimSpace(key))
	words := strings.Fields(key)
	switch len(words) {
	case 0:
		return
	case 1:
		s.entries.update(words[0], func(e *entry) { e.val, e.flags = v, e.flags|fLex })
	default:
		if s.phrases == nil {
			s.phrases = make(map[string][]phrase)
		}
		first := words[0]
		s.entries.update(first, func(e *entry) { e.flags |= fPhrase })
		ps := s.phrases[first]
		for i := range ps {
			if equalWords(ps[i].words, words) {
				ps[i].e.val = v
				return
			}
		}
		s.phrases[first] = append(ps, phrase{words: words, e: entry{val: v, flags: fLex}})
	}
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
