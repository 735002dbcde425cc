// Command report prints the virality tables of BENCHMARKS.md, computed on
// the shared data:
//
//	go run ./trend/viral/internal/report [-data DIR]
//
// Every figure is left out: see eval.LeftOut for what was fitted on what.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"time"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/trend/viral"
	"github.com/earshot-dev/earshot/trend/viral/internal/eval"
)

func main() {
	root := flag.String("data", "", "shared data root (default: ../shared/data beside the repository)")
	flag.Parse()
	if *root == "" {
		*root = shared.Dir()
		if *root == "" {
			log.Fatal("report: shared data not found; pass -data")
		}
	}
	sets, err := eval.Load(*root)
	if err != nil {
		log.Fatal(err)
	}
	report(os.Stdout, sets)
}

var names = []string{eval.SEISMIC, eval.Trees, eval.SMH, eval.Auspol, eval.One}

func report(w io.Writer, sets []eval.Set) {
	hs := eval.Horizons()
	lo := eval.LeftOut(sets, hs, 0)
	fmt.Fprintln(w, "Left out, event mode: MdAPE / 80%-range coverage (n)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| data | 1 h | 2 h | 6 h | plain SEISMIC 1 h / 2 h / 6 h |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, n := range names {
		fmt.Fprintf(w, "| %s |", n)
		for _, h := range hs {
			s := eval.ScoreAt(lo[n], h, nil)
			fmt.Fprintf(w, " %.3f / %.0f%% (%d) |", s.MdAPE, 100*s.Coverage, s.N)
		}
		fmt.Fprintf(w, " %s |\n", seismicRow(sets, n))
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Left out, count mode (totals polled every 5 / 15 min): MdAPE / coverage")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| data | poll | 1 h | 2 h | 6 h |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, poll := range []time.Duration{5 * time.Minute, 15 * time.Minute} {
		lc := eval.LeftOut(sets, hs, poll)
		for _, n := range []string{eval.SEISMIC, eval.Trees} {
			fmt.Fprintf(w, "| %s | %v |", n, poll)
			for _, h := range hs {
				s := eval.ScoreAt(lc[n], h, nil)
				fmt.Fprintf(w, " %.3f / %.0f%% |", s.MdAPE, 100*s.Coverage)
			}
			fmt.Fprintln(w)
		}
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Small and large cascades: MdAPE, median and 90th percentile of predicted/actual")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| data | reshares seen | 1 h | 2 h | 6 h |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	type class struct {
		set    string
		label  string
		lo, hi float64
	}
	for _, c := range []class{
		{eval.Auspol, "1", 1, 1}, {eval.Auspol, "2-4", 2, 4}, {eval.Auspol, "5-19", 5, 19}, {eval.Auspol, ">= 20", 20, math.Inf(1)},
		{eval.SMH, "all", 1, math.Inf(1)}, {eval.Trees, "all", 1, math.Inf(1)}, {eval.SEISMIC, "all", 1, math.Inf(1)},
	} {
		fmt.Fprintf(w, "| %s | %s |", c.set, c.label)
		for _, h := range hs {
			s := eval.ScoreAt(lo[c.set], h, func(r eval.Row) bool { return r.P.Observed >= c.lo && r.P.Observed <= c.hi })
			fmt.Fprintf(w, " %.2f, %.2f, %.2f (%d) |", s.MdAPE, math.Exp(s.Bias), s.Over90, s.N)
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Successive predictions: steps that went down by more than 0.5%, median and largest drop")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| data | 1 h, 2 h, 6 h | every 15 min, 15 min to 24 h |")
	fmt.Fprintln(w, "|---|---|---|")
	var quarter []time.Duration
	for a := 15 * time.Minute; a <= 24*time.Hour; a += 15 * time.Minute {
		quarter = append(quarter, a)
	}
	for _, n := range []string{eval.SEISMIC, eval.Trees, eval.SMH} {
		s := find(sets, n)
		m := eval.ModelFor(s)
		fmt.Fprintf(w, "| %s | %s | %s |\n", n, moves(eval.DownMoves(s, m, hs)), moves(eval.DownMoves(s, m, quarter)))
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "80% range fitted on one source only, coverage on the other")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| fitted on | scored on | 1 h | 2 h | 6 h |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	seis, trees := find(sets, eval.SEISMIC), find(sets, eval.Trees)
	sm := eval.ModelFor(seis)
	seisFit, treeFit := eval.Rows(seis, sm, 0, eval.RangeAges()), eval.Rows(trees, viral.Model{}, 0, eval.RangeAges())
	for _, c := range []struct {
		fit, on string
		rows    []eval.Row
		test    []eval.Row
	}{
		{eval.SEISMIC, eval.Trees, seisFit, eval.Rows(trees, viral.Model{}, 0, hs)},
		{eval.Trees, eval.SEISMIC, treeFit, eval.Rows(seis, sm, 0, hs)},
	} {
		g := eval.FitRange(c.rows)
		fmt.Fprintf(w, "| %s | %s |", c.fit, c.on)
		for _, h := range hs {
			in, n := 0, 0
			for _, r := range c.test {
				if r.Age == h && r.Scorable() {
					n++
					if eval.CoveredBy(r, g) {
						in++
					}
				}
			}
			fmt.Fprintf(w, " %.0f%% |", 100*float64(in)/float64(n))
		}
		fmt.Fprintln(w)
	}
}

func find(sets []eval.Set, name string) *eval.Set {
	for i := range sets {
		if sets[i].Name == name {
			return &sets[i]
		}
	}
	log.Fatalf("report: no set %s", name)
	return nil
}

func moves(m eval.Moves) string {
	if m.Down == 0 {
		return fmt.Sprintf("0 of %d", m.Steps)
	}
	return fmt.Sprintf("%.0f%% of %d; %.1f%%, %.0f%%", 100*float64(m.Down)/float64(m.Steps), m.Steps, 100*m.MedianDrop, 100*m.MaxDrop)
}

// seismicRow is plain SEISMIC's MdAPE on the set (a supercritical post
// counts as an infinite error).
func seismicRow(sets []eval.Set, name string) string {
	s := find(sets, name)
	out := ""
	for i, h := range eval.Horizons() {
		var ape []float64
		for j := range s.Cascades {
			c := &s.Cascades[j]
			fin := float64(c.Final(eval.Horizon))
			if c.ObservedBy(h) < 1 || fin < 1 {
				continue
			}
			ape = append(ape, math.Abs(math.Round(eval.Seismic(c, h))-fin)/fin)
		}
		if i > 0 {
			out += " / "
		}
		out += fmt.Sprintf("%.3f", eval.Quantile(ape, 0.5))
	}
	return out
}
