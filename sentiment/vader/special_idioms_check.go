package vader

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

// boosterBigrams are BOOSTER_DICT's two-word keys ("just enough", "kind
// of", "sort of"), all worth bDecr.
var boosterBigrams = [][2]uint8{{idJust, idEnough}, {idKind, idOf}, {idSort, idOf}}

// specialCase is one of the reference's SPECIAL_CASES with two or three
// words ("badass", a single word, can never match a joined sequence).
type specialCase struct {
	ids [3]uint8 // idNone-terminated
	val float64
}

var specialCases = []specialCase{
	{[3]uint8{idThe, idShit}, 3},
	{[3]uint8{idThe, idBomb}, 3},
	{[3]uint8{idBad, idAss}, 1.5},
	{[3]uint8{idBus, idStop}, 0},
	{[3]uint8{idYeah, idRight}, -2},
	{[3]uint8{idKiss, idOf, idDeath}, -1.5},
	{[3]uint8{idTo, idDie, idFor}, 3},
	{[3]uint8{idBeating, idHeart}, 3.1},
	{[3]uint8{idBroken, idHeart}, -2.9},
}
