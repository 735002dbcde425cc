package eval

import (
	"math"
	"time"

	"github.com/earshot-dev/earshot/trend/viral"
)

// Shipped returns the range viral ships (its rangeLo0 ... rangeHi1).
func Shipped() Range { return Range{-0.600, -0.236, 1.849, -0.128} }

// Apply replaces p's Low and High with the ones g gives at age a, by
// viral's rules.
func (g Range) Apply(p viral.Prediction, a time.Duration) viral.Prediction {
	n := p.Observed
	if n <= 0 {
		return p
	}
	fut := p.Final - n
	l := logAge(a)
	lim := n * math.Exp(9)
	p.Low = math.Min(math.Max(n+(fut+1)*math.Exp(g.Lo0+g.Lo1*l)-1, n), p.Final)
	p.High = math.Max(math.Min(n+(fut+1)*math.Exp(g.Hi0+g.Hi1*l)-1, lim), p.Final)
	return p
}

// folds is the number of folds the Twitter15/16 trees are left out in
// (tree i in fold i mod folds); the SEISMIC cascades are left out one at a
// time.
const folds = 10

// LeftOut predicts every cascade of every set at each of ages with
// nothing fitted on its own outcome:
//
//   - a SEISMIC cascade gets the rhythm chosen on the other 49
//     ([ChooseRhythm]) and the range refitted without it;
//   - a Twitter15/16 tree gets the range refitted without its fold;
//   - the other sets were used for no fit: they get the shipped model (the
//     rhythm when their post time is known) and range.
//
// With poll > 0 the trackers see totals polled every poll (count mode);
// ranges are fitted in event mode as shipped.
func LeftOut(sets []Set, ages []time.Duration, poll time.Duration) map[string][]Row {
	var seis, trees *Set
	for i := range sets {
		switch sets[i].Name {
		case SEISMIC:
			seis = &sets[i]
		case Trees:
			trees = &sets[i]
		}
	}
	out := make(map[string][]Row)
	for i := range sets {
		s := &sets[i]
		if s == seis || s == trees {
			continue
		}
		out[s.Name] = Rows(s, ModelFor(s), poll, ages)
	}
	if seis == nil || trees == nil {
		return out
	}
	grid := RhythmGrid()
	losses := RhythmLosses(seis.Cascades, grid)
	treeFit := Rows(trees, viral.Model{}, 0, RangeAges())
	treeRows := Rows(trees, viral.Model{}, poll, ages)
	// the range fitted on all the SEISMIC cascades but one, under the
	// rhythm chosen without it
	fitRows := make(map[int][]Row)
	for c := range seis.Cascades {
		g := ChooseRhythm(losses, func(i int) bool { return i != c })
		m := viral.Model{Rhythm: grid[g]}
		if fitRows[g] == nil {
			fitRows[g] = Rows(seis, m, 0, RangeAges())
		}
		var train []Row
		for _, r := range fitRows[g] {
			if r.Cascade != c {
				train = append(train, r)
			}
		}
		rg := FitRange(train, treeFit)
		cs := seis.Cascades[c : c+1]
		one := Set{Name: seis.Name, Cascades: cs, Timed: true, Followers: true}
		for _, r := range Rows(&one, m, poll, ages) {
			r.Cascade = c
			r.P = rg.Apply(r.P, r.Age)
			out[seis.Name] = append(out[seis.Name], r)
		}
	}
	seisFit := Rows(seis, viral.Model{Rhythm: viral.TwitterRhythm()}, 0, RangeAges())
	for f := 0; f < folds; f++ {
		var train []Row
		for _, r := range treeFit {
			if r.Cascade%folds != f {
				train = append(train, r)
			}
		}
		rg := FitRange(seisFit, train)
		for _, r := range treeRows {
			if r.Cascade%folds == f {
				r.P = rg.Apply(r.P, r.Age)
				out[trees.Name] = append(out[trees.Name], r)
			}
		}
	}
	return out
}
