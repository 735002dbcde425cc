package social

import "math"

// inClause reports whether the clause goes on after token j: j ends no
// clause and is no contrast ("but").
func inClause(toks []tok, j int) bool {
	return !toks[j].brk && toks[j].flags&fContrast == 0
}

func (s *Scorer) valence(toks []tok, i int, capDiff bool) float64 {
	t := &toks[i]
	if t.emoji {
		v := t.val
		if t.count > 1 && v != 0 {
			extra := float64(t.count-1) * bIncr
			if extra > 3*bIncr {
				extra = 3 * bIncr
			}
			v += math.Copysign(extra, v)
		}
		return v
	}
	if t.flags&fLex == 0 {
		return 0
	}
	v := t.val
	if t.flags&fDisc != 0 && (i == 0 || !inClause(toks, i-1)) && (t.brk || i == len(toks)-1) {
		return 0 // "Ok." "No," "Yes!" on their own
	}
	if t.flags&fLike != 0 && (i > 0 && inClause(toks, i-1) && toks[i-1].flags&fLikeCtx != 0 ||
		!t.brk && i+1 < len(toks) && toks[i+1].flags&fLikeCtx != 0) {
		return 0 // "feels like", "like a boss"
	}
	if t.flags&fNeg != 0 && t.flags&fIdiom == 0 {
		// A negator with a valence of its own ("no", "nothing") counts
		// only when no sentiment word follows in its clause.
		for j := i + 1; j < len(toks) && j <= i+3; j++ {
			if toks[j].flags&fLex != 0 && toks[j].flags&fNeg == 0 && toks[j].val != 0 && !toks[j].emoji {
				return 0
			}
			if !inClause(toks, j) {
				break
			}
		}
	}
	if v == 0 {
		return 0
	}
	sign := math.Copysign(1, v)
	if t.upper && capDiff {
		v += sign * cIncr
	}
	if t.elong {
		v += sign * bIncr
	}
	negated := false
	if t.flags&fNeg != 0 {
		// Negators do not negate each other ("no and no").
		return v
	}
	for d := 1; d <= 3 && i-d >= 0; d++ {
		w := &toks[i-d]
		if !inClause(toks, i-d) || w.emoji {
			break
		}
		if w.flags&(fBoost|fDamp) != 0 {
			sc := bIncr
			if w.flags&fDamp != 0 {
				sc = -bIncr
			}
			if w.upper && capDiff {
				sc += math.Copysign(cIncr, sc)
			}
			if w.elong {
				sc += math.Copysign(bIncr, sc)
			}
			switch d {
			case 2:
				sc *= 0.95
			case 3:
				sc *= 0.9
			}
			v += sign * sc
		}
		if w.flags&fNeg != 0 {
			// "never so good", "never been this happy": emphasis, not
			// negation (VADER's rule).
			if d >= 2 && emphasisAfterNegation(toks, i-d, i) {
				v *= 1.25
				break
			}
			negated = true
		}
	}
	if negated {
		v *= nScalar
	}
	return v
}

// emphasisAfterNegation reports whether the negator at toks[j] compares
// rather than negates the word at toks[i]: "never so good", "never been
// this happy", "haven't been this sore in years".
func emphasisAfterNegation(toks []tok, j, i int) bool {
	for k := j + 1; k < i; k++ {
		if toks[k].flags&fThis != 0 {
			return true
		}
		if toks[k].flags&fSoThis != 0 && toks[j].flags&fNever != 0 {
			return true
		}
	}
	return false
}
