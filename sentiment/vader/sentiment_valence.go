package vader

// negated is the reference's negated([word]).
func (t *token) negated() bool { return t.nt || t.flags&fNegate != 0 }

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
