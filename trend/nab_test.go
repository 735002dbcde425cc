package trend

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/trend/internal/nab"
)

// The evaluation of Spike on the Numenta Anomaly Benchmark (NAB): the 53
// shared series (seven folders: the five realTweets mention counts and 48
// other series of other shapes), NAB's standard profile, normalised
// scores, and one threshold for all files, as examples/spikes runs it.
//
// Design choices were made on out-of-sample figures only:
//
//   - leave one folder out: choose the threshold on the other six folders,
//     score the seventh; pooled over the seven;
//   - leave one realTweets series out: choose the threshold on the other
//     52 series, score the fifth; pooled over the five (the closest proxy
//     for NAB's five realTweets series the project does not have).
//
// Among the candidates tried (in a throw-away harness over the same
// tables, 2026-12): one- or two-sided surprises; the Anscombe transform
// always, never, or for counts only; no floor, a Poisson floor, a floor
// relative to the long-run deviation; calibration by the root mean square
// of past surprises (the previous design), by an exponential tail over a
// running quantile, by two running quantiles, by the running maximum, by
// the typical daily peak, and by the geometric mean of the last two; and
// holdoffs of 4 to 48 hours. Out-of-sample figures (leave-one-folder-out
// pooled / leave-one-tweet-series-out pooled): the previous design 29.8 /
// 57.1; two-sided with counts-only Anscombe and the RMS calibration 51.9 /
// 51.0; with the exponential tail 52.2 / 65.7; with two quantiles and a
// 12-hour holdoff 58.1 / 50.2; the geometric mean of the two-quantile tail
// and the daily peak 58.5 / 72.7; the lower of the two with a 12-hour
// holdoff 65.4 / 56.4; the daily peak alone 53.4 / 79.0 (50.0 / 78.6 in
// this test, after days without buckets stopped counting as quiet days).
// The daily peak was kept: with the geometric mean it had the best sum of
// the two, it is the simplest, and mention counts are the main use. Then,
// in this test: calibrating rises and falls apart 44.0 / 77.4; each time
// scale against its own daily peaks 54.0 / 77.5, kept (its neighbours
// below also did better than the single peak's, whose ranged 45 to 54 /
// 52 to 81). Every candidate's in-sample best (each file at its own best
// threshold) stayed between 73 and 81, so no threshold rule on these
// models reaches 75 on the 53 with one threshold. Neighbouring settings of
// the kept design (prior 3 or 14 days, prior peak 4 or 6, memory 7 or 30
// days, clip 10 or 40) gave 43 to 54 / 62 to 79: the realTweets figure is
// fragile, read it as about 65-80.

// nabRun is Spike's threshold-independent output on one file: per row,
// whether Step took it, the calibrated surprise, the baseline and the
// time of the model's last (re)start. judge replays the episode rules on
// it for any threshold, as Step would.
type nabRun struct {
	took    []bool
	z, base []float64
	raw     []float64 // |z|/(|z|+1), the uncapped score
	started []time.Time
	scores  []float64 // Step's scores at the default threshold
}

func runSpike(f nab.File) nabRun {
	n := len(f.Values)
	r := nabRun{took: make([]bool, n), z: make([]float64, n), base: make([]float64, n), raw: make([]float64, n),
		started: make([]time.Time, n), scores: make([]float64, n)}
	var s Spike
	for i, v := range f.Values {
		last := s.last
		r.scores[i], _, _ = s.Step(f.Times[i], v)
		r.took[i] = !s.last.Equal(last)
		r.z[i] = s.z
		r.raw[i] = s.Raw()
		r.base[i] = s.m.baseline()
		r.started[i] = s.started
	}
	return r
}

// replay returns the scores Step would return at threshold th.
func (r nabRun) replay(f nab.File, th float64, out []float64) {
	s := Spike{Threshold: th}
	for i, v := range f.Values {
		out[i] = 0
		if !r.took[i] {
			continue
		}
		if !s.started.Equal(r.started[i]) {
			s.started = r.started[i]
			s.ep = nil
		}
		if s.ep == nil && r.raw[i] < th {
			out[i] = r.raw[i] // judge's first case, without the call
			continue
		}
		out[i], _ = s.judge(f.Times[i], v, r.base[i], r.z[i])
	}
}

// nabTable scores Spike on files over the grid of thresholds.
func nabTable(t testing.TB, files []nab.File, grid []float64) *nab.Table {
	tab := &nab.Table{Files: files, Thresholds: grid, Results: make([][]nab.Result, len(grid))}
	runs := make([]nabRun, len(files))
	prep := make([]*nab.Prepared, len(files))
	for fi, f := range files {
		runs[fi] = runSpike(f)
		var err error
		prep[fi], err = nab.Prepare(f, nab.Standard)
		require.NoError(t, err)
		// The replay is Step: same scores at the default threshold.
		out := make([]float64, len(f.Values))
		runs[fi].replay(f, DefaultSpikeThreshold, out)
		require.Equal(t, runs[fi].scores, out, "replay of %s", f.Name)
	}
	out := make([]float64, 0, 1<<15)
	for i, th := range grid {
		for fi, f := range files {
			out = out[:len(f.Values)]
			runs[fi].replay(f, th, out)
			r, err := prep[fi].Score(out, th)
			require.NoError(t, err)
			tab.Results[i] = append(tab.Results[i], r)
		}
	}
	return tab
}

func all(int) bool { return true }

func shortName(s string) string {
	s = strings.TrimSuffix(s, ".csv")
	return strings.TrimPrefix(s, "Twitter_volume_")
}

// TestNAB scores Spike on the 53 shared NAB series and logs the tables of
// BENCHMARKS.md: (a) one threshold for all 53, (b) leave one folder out,
// (c) leave one realTweets series out. The floors are the measured figures
// less a little, so that a change that loses ground fails.
func TestNAB(t *testing.T) {
	if testing.Short() {
		t.Skip("NAB evaluation skipped in -short mode")
	}
	files, err := nab.LoadCorpus(shared.Path(t, "nab"))
	require.NoError(t, err)
	require.Len(t, files, 53)
	tab := nabTable(t, files, nab.Grid(0.45, 0.75, 0.0025))
	def, err := tab.Index(DefaultSpikeThreshold)
	require.NoError(t, err)
	best := tab.Best(all)

	folder := func(f int) string { return files[f].Folder }
	tweet := func(f int) string {
		if files[f].Folder == "realTweets" {
			return files[f].Name
		}
		return ""
	}
	// (a) one threshold for all 53, per folder.
	atDef, atBest := tab.Total(def, all), tab.Total(best, all)
	t.Logf("(a) all 53: %.1f at the default %.4g; %.1f at the best single threshold %.4g",
		atDef.Normalized(), DefaultSpikeThreshold, atBest.Normalized(), tab.Thresholds[best])
	lofo, lofoAll := tab.LeaveOut(folder)
	loso, losoAll := tab.LeaveOut(tweet)
	t.Logf("%-22s %8s %8s %14s", "folder", "default", "best", "left out")
	for _, g := range lofo {
		in := func(f int) bool { return folder(f) == g.Name }
		d, b := tab.Total(def, in), tab.Total(best, in)
		if d.Windows == 0 {
			t.Logf("%-22s %5d FP %5d FP %8d FP @%.4g", g.Name, d.FP, b.FP, g.Result.FP, g.Threshold)
			continue
		}
		t.Logf("%-22s %8.1f %8.1f %8.1f @%.4g", g.Name, d.Normalized(), b.Normalized(), g.Result.Normalized(), g.Threshold)
	}
	t.Logf("(b) leave one folder out, pooled: %.1f", lofoAll.Normalized())
	for _, g := range loso {
		in := func(f int) bool { return tweet(f) == g.Name }
		d := tab.Total(def, in)
		t.Logf("(c) %-6s default %5.1f, left out %5.1f @%.4g (windows %d, detected %d, false positives %d)",
			shortName(g.Name), d.Normalized(), g.Result.Normalized(), g.Threshold, g.Result.Windows, g.Result.TP, g.Result.FP)
	}
	t.Logf("(c) leave one realTweets series out, pooled: %.1f", losoAll.Normalized())
	line := ""
	for i, th := range tab.Thresholds {
		if i%2 == 0 {
			line += fmt.Sprintf(" %.3f:%.1f", th, tab.Total(i, all).Normalized())
		}
	}
	t.Logf("all 53 by threshold:%s", line)

	assert.GreaterOrEqual(t, atDef.Normalized(), 53.0, "all 53 at the default threshold")
	assert.GreaterOrEqual(t, lofoAll.Normalized(), 52.0, "leave one folder out")
	assert.GreaterOrEqual(t, losoAll.Normalized(), 75.0, "leave one realTweets series out")
	// The default sits where thresholds chosen on any six folders land.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, g := range lofo {
		lo, hi = math.Min(lo, g.Threshold), math.Max(hi, g.Threshold)
	}
	assert.True(t, DefaultSpikeThreshold >= lo-0.02 && DefaultSpikeThreshold <= hi+0.02,
		"default %v outside the left-out choices [%v, %v]", DefaultSpikeThreshold, lo, hi)
}

// TestNABCausal checks on real series that a score never changes when
// later rows are cut off: the scores of a prefix are a prefix of the
// scores.
func TestNABCausal(t *testing.T) {
	files, err := nab.Load(filepath.Join(shared.Path(t, "nab"), "realTweets"))
	require.NoError(t, err)
	f := files[0]
	full := runSpike(f).scores
	for _, cut := range []int{1, 300, 5000, len(f.Values) - 1} {
		g := f
		g.Times, g.Values = f.Times[:cut], f.Values[:cut]
		assert.Equal(t, full[:cut], runSpike(g).scores, "cut at %d", cut)
	}
}
