package social

// hashtag splits a hashtag into words: at case changes ("NotHappy"),
// or, for one-case tags not in the lexicon, into dictionary words
// ("epicfail"). It reports whether it added the tokens.
func (s *Scorer) hashtag(st *state, w []byte) bool {
	// camelCase: split before an upper-case letter that follows a
	// lower-case one.
	split := false
	for i := 1; i < len(w); i++ {
		if isLowerASCII(w[i-1]) && isUpperASCII(w[i]) {
			split = true
			break
		}
	}
	if split {
		start := 0
		for i := 1; i <= len(w); i++ {
			if i == len(w) || isLowerASCII(w[i-1]) && isUpperASCII(w[i]) || w[i] == '_' {
				if i > start {
					s.addWord(st, w[start:i])
				}
				start = i
				if i < len(w) && w[i] == '_' {
					start++
				}
			}
		}
		return true
	}
	if len(w) < 5 || len(w) > 24 {
		return false
	}
	lo := len(st.low)
	st.low = appendLower(st.low, w)
	low := st.low[lo:]
	if e, ok := s.tab.get(low); ok && e.flags&(fLex|fNeg|fBoost|fDamp) != 0 {
		st.low = st.low[:lo]
		return false
	}
	// Segment into the fewest dictionary words, each of at least two
	// letters except "i" and "a"; only accept a split that contains a
	// sentiment word or a negator.
	var best [25]int8 // best[i]: fewest words covering low[:i], -1 if none
	var from [25]int8
	n := len(low)
	if n > 24 || !isASCIILetters(low) {
		st.low = st.low[:lo]
		return false
	}
	best[0] = 0
	for i := 1; i <= n; i++ {
		best[i] = -1
		for j := i - 1; j >= 0 && i-j <= 14; j-- {
			if best[j] < 0 {
				continue
			}
			if i-j == 1 && low[j] != 'i' && low[j] != 'a' {
				continue
			}
			if e, ok := s.tab.get(low[j:i]); ok && e.flags&fDict != 0 {
				if best[i] < 0 || best[j]+1 < best[i] {
					best[i], from[i] = best[j]+1, int8(j)
				}
			}
		}
	}
	if best[n] < 2 {
		st.low = st.low[:lo]
		return false
	}
	var cuts [25]int
	k := 0
	for i := n; i > 0; i = int(from[i]) {
		cuts[k] = i
		k++
	}
	cuts[k] = 0
	useful := false
	for x := k; x > 0; x-- {
		e, _ := s.tab.get(low[cuts[x]:cuts[x-1]])
		if e.flags&(fNeg|fBoost|fDamp) != 0 || e.flags&fLex != 0 && e.val != 0 {
			useful = true
		}
	}
	if !useful {
		st.low = st.low[:lo]
		return false
	}
	// Add the words; their text is already in st.low.
	for x := k; x > 0; x-- {
		a, b := lo+cuts[x], lo+cuts[x-1]
		e, _ := s.tab.get(st.low[a:b])
		st.toks = append(st.toks, tok{val: e.val, flags: e.flags, lo: int32(a), hi: int32(b)})
		st.flags |= e.flags
	}
	return true
}

func isLowerASCII(c byte) bool { return 'a' <= c && c <= 'z' }

func isUpperASCII(c byte) bool { return 'A' <= c && c <= 'Z' }

func isASCIILetters(b []byte) bool {
	for _, c := range b {
		if !isLowerASCII(c) {
			return false
		}
	}
	return true
}
