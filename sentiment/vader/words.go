package vader

import (
	"maps"
	"slices"

	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
)

// entry is what the scorer knows about one lower-case token.
type entry struct {
	val   float64 // lexicon valence, if flags&fLex
	flags uint8
	id    uint8 // one of the id constants, for the rules that name words
}

const (
	fLex uint8 = 1 << iota
	fBooster
	fNegate
	fPhrase   // starts a multi-word phrase from WithTerms
	fDampener // a booster that decreases (bDecr) rather than increases
	fIdiom    // a word of a special case or two-word booster: its id may match one
	fRule     // "no", "least", "never", "so", "this" or "without": a rule names it as a preceding word
)

// Words the rules name, identified by small integers.
const (
	idNone uint8 = iota
	idNo
	idOr
	idNor
	idKind
	idOf
	idLeast
	idAt
	idVery
	idNever
	idSo
	idThis
	idWithout
	idDoubt
	idBut
	idThe
	idShit
	idBomb
	idBad
	idAss
	idBus
	idStop
	idYeah
	idRight
	idKiss
	idDeath
	idTo
	idDie
	idFor
	idBeating
	idHeart
	idBroken
	idJust
	idEnough
	idSort
)

var idWords = map[string]uint8{
	"no": idNo, "or": idOr, "nor": idNor, "kind": idKind, "of": idOf,
	"least": idLeast, "at": idAt, "very": idVery, "never": idNever,
	"so": idSo, "this": idThis, "without": idWithout, "doubt": idDoubt,
	"but": idBut, "the": idThe, "shit": idShit, "bomb": idBomb,
	"bad": idBad, "ass": idAss, "bus": idBus, "stop": idStop,
	"yeah": idYeah, "right": idRight, "kiss": idKiss, "death": idDeath,
	"to": idTo, "die": idDie, "for": idFor, "beating": idBeating,
	"heart": idHeart, "broken": idBroken, "just": idJust,
	"enough": idEnough, "sort": idSort,
}

// Constants of vaderSentiment 3.3.2 (package vaderrules).
const (
	bIncr   = vaderrules.BIncr
	bDecr   = vaderrules.BDecr
	cIncr   = vaderrules.CIncr
	nScalar = vaderrules.NScalar
	alpha   = vaderrules.Alpha
)

// buildEntries makes the lookup table: lexicon words plus every word a
// rule names.
func buildEntries(lex *Lexicon) *table {
	t := lex.tab.clone()
	addRuleWords(t)
	return t
}

// addRuleWords flags, in t, the words the rules name.
// The maps are read in key order, so that the table (and the generated
// table_gen.go) is the same from run to run.
func addRuleWords(t *table) {
	boosters := vaderrules.Boosters()
	for _, k := range slices.Sorted(maps.Keys(boosters)) {
		v := boosters[k]
		t.update(k, func(e *entry) {
			e.flags |= fBooster
			if v < 0 {
				e.flags |= fDampener
			}
		})
	}
	for _, k := range vaderrules.Negate() {
		t.update(k, func(e *entry) { e.flags |= fNegate })
	}
	idiom := map[uint8]bool{}
	for _, sc := range specialCases {
		for _, id := range sc.ids {
			idiom[id] = true
		}
	}
	for _, bg := range boosterBigrams {
		idiom[bg[0]], idiom[bg[1]] = true, true
	}
	for _, k := range slices.Sorted(maps.Keys(idWords)) {
		id := idWords[k]
		t.update(k, func(e *entry) {
			e.id = id
			if idiom[id] {
				e.flags |= fIdiom
			}
			switch id {
			case idNo, idLeast, idNever, idSo, idThis, idWithout:
				e.flags |= fRule
			}
		})
	}
}
