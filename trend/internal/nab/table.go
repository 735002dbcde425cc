package nab

import (
	"fmt"
	"sort"
)

// Table holds one detector's results on a set of files at each threshold
// of a grid: Results[i][f] is file f scored at Thresholds[i]. It answers
// the questions of an honest evaluation: the best single threshold over
// all files (in-sample), and thresholds chosen with some files left out
// and scored on them (out-of-sample).
type Table struct {
	Files      []File
	Thresholds []float64
	Results    [][]Result // [threshold][file]
}

// Best returns the index of the threshold maximising the summed raw score
// of the files for which use returns true (NAB's optimiser); for equal
// totals, the first (lowest, on an ascending grid).
func (t *Table) Best(use func(f int) bool) int {
	bi, bs := 0, 0.0
	for i, rs := range t.Results {
		s := 0.0
		for f, r := range rs {
			if use(f) {
				s += r.Score
			}
		}
		if i == 0 || s > bs+1e-12 {
			bi, bs = i, s
		}
	}
	return bi
}

// Total pools the results at threshold index i of the files for which use
// returns true: raw scores, null and perfect scores, and counts add up.
func (t *Table) Total(i int, use func(f int) bool) Result {
	var sum Result
	for f, r := range t.Results[i] {
		if use(f) {
			sum = add(sum, r)
		}
	}
	return sum
}

func add(a, b Result) Result {
	a.Score += b.Score
	a.Null += b.Null
	a.Perfect += b.Perfect
	a.TP += b.TP
	a.FP += b.FP
	a.FN += b.FN
	a.Windows += b.Windows
	return a
}

// Held is one group of files scored at a threshold chosen without them.
type Held struct {
	Name      string
	Threshold float64
	Result    Result // pooled over the group
}

// LeaveOut holds out each group of files in turn (files with the same
// non-empty key; files whose key is "" are never held out), chooses the
// threshold on all the other files, and scores the group at it. It returns
// the groups sorted by name and their pooled result, whose Normalized is
// the out-of-sample score.
func (t *Table) LeaveOut(key func(f int) string) (groups []Held, pooled Result) {
	names := map[string]bool{}
	for f := range t.Files {
		if k := key(f); k != "" {
			names[k] = true
		}
	}
	for name := range names {
		i := t.Best(func(f int) bool { return key(f) != name })
		r := t.Total(i, func(f int) bool { return key(f) == name })
		r.Name = name
		groups = append(groups, Held{Name: name, Threshold: t.Thresholds[i], Result: r})
		pooled = add(pooled, r)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	return groups, pooled
}

// Grid returns the thresholds from lo to hi (inclusive) in steps of step,
// rounded to 6 decimals so that a default threshold is found on it.
func Grid(lo, hi, step float64) []float64 {
	var g []float64
	for i := 0; ; i++ {
		v := lo + float64(i)*step
		if v > hi+step/2 {
			return g
		}
		g = append(g, float64(int64(v*1e6+0.5))/1e6)
	}
}

// Index returns the index of th in the grid, or an error.
func (t *Table) Index(th float64) (int, error) {
	for i, g := range t.Thresholds {
		if g == th {
			return i, nil
		}
	}
	return 0, fmt.Errorf("nab: threshold %v is not on the grid", th)
}
