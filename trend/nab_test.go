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
// First pass (a throw-away harness over the same tables, 2026-12): one-
// or two-sided surprises; the Anscombe transform always, never, or for
// counts only; no floor, a Poisson floor, a floor relative to the
// long-run deviation; calibration by the root mean square of past
// surprises, by an exponential tail over a running quantile, by two
// running quantiles, by the running maximum, by the typical daily peak,
// and by the geometric mean of the last two; holdoffs of 4 to 48 hours.
// Figures (leave-one-folder-out pooled / leave-one-tweet-series-out
// pooled): the detector before issue 16, 29.8 / 57.1; RMS 51.9 / 51.0;
// exponential tail 52.2 / 65.7; two quantiles and a 12-hour holdoff 58.1 /
// 50.2; geometric mean of the two-quantile tail and the daily peak 58.5 /
// 72.7; the daily peak 50.0 / 78.6; each time scale against its own daily
// peaks 54.0 / 77.5 (kept then; (a) 54.9 at 0.6125).
//
// Second pass (spikes2, same harness idea; (a) is the best single
// threshold on all 53, in-sample; "upper" is each file at its own best
// threshold, an in-sample bound no single threshold reaches). Figures are
// (a) / (b) / (c):
//
//   - Numenta's anomaly likelihood on top of the surprise (the tail
//     probability of the 10-row mean of a [0,1] raw score under a normal
//     fitted to the last 8,640 rows' means, red-zone filter), on four raw
//     scores (the calibrated surprise, the largest uncalibrated surprise,
//     the one-bucket residual, its normal p-value), with 1-, 3-, 10- and
//     30-row means, box or exponential history, one- or two-sided, with
//     and without the 24-hour holdoff: at best 46.8 / 41.8 / 69.3, most
//     far lower (no holdoff: 30.6 / 29.7 / 50.3), upper 41 to 74. The
//     daily-peak calibration already makes the surprise scale-free; a
//     normal fit to an autocorrelated, heavy-tailed score does worse.
//   - Changes of variance (log of a 1- or 4-hour mean |residual| against
//     its 3-day mean, calibrated the same way, rises, falls or both) and of
//     distribution (relative entropy of a 1- or 4-hour histogram against a
//     3-day one, 5 to 20 bins over the running range), alone or added to
//     the level surprise: alone 21 to 51 (a); added, no gain beyond the
//     threshold noise below (upper unchanged, 73 to 77).
//   - A Gumbel-style calibration (mean and sd of the log daily peaks):
//     no gain, one more knob.
//   - The ratio of the surprise to its running maximum: 43 to 51 (a).
//   - Time scales: subsets and other sets of the three averages, log or
//     no transform: no consistent gain.
//   - Records (Numenta's "spatial anomaly": a value beyond the range seen
//     so far scores 1): 63.6 / 58.8 / 77.9 on their own, the one large
//     gain; a tolerance of 5 to 20% of the range did worse, and so did a
//     range that decays towards the baseline (half-life 3 to 30 days, with
//     confirmation in buckets: 56.8 to 62.1 / 52.6 to 55.2 / 57.4 to
//     76.2).
//   - Rates in time instead of in buckets (item 4: the hourly ad-exchange
//     and temperature series, the 30-minute taxi series and the uneven
//     traffic series were modelled with 5-minute memories, so a day's
//     profile took 36 days to learn): with the file's median gap 58.9 /
//     57.8 / 75.2, with each gap 59.1 / 58.2 / 75.6; with records 65.8 /
//     61.8 / 77.5. The 24-hour warm-up is longer than NAB's probation
//     (15% of the rows) on one file only, iio_us-east-1 (15.5 hours), whose
//     first window (hours 18 to 23) it hides; a 6-hour warm-up gives 65.4
//     / 63.5 / 81.1 on the kept design, since NAB ignores the first 15%
//     of each file's alerts anyway, but on simulated new series of
//     mentions with quiet nights the first morning's rise then alerted as
//     a record in 1 or 2 of 20 (none with 12 or 24 hours): the default
//     stays 24 hours.
//   - Confirmation (the score is the smallest of the last k buckets'):
//     alone it loses (k = 3: 55.5 / 52.2 / 63.6), since single-bucket
//     spikes then never alert; with records, k from 2 to 6 and min or mean
//     gave 62 to 66 / 64 / 77 to 82, against 62.3 / 74.4 without.
//   - Refractory period (episodes plus a holdoff from each start): 0, 6,
//     12, 24, 48, 96 hours gave (b) 62.3, 62.3, 63.3, 62.3, 50.7, 40.7; on
//     the design with records and confirmation in buckets 6, 12, 24, 36
//     hours gave (b) / (c) 57.2 / 82.0, 55.7 / 66.7, 59.2 / 81.5, 54.2 /
//     82.7: 24 hours stays.
//   - Records on noise: a record that barely exceeds the range is common
//     in pure noise (about one alert in 20 to 50 series-days, Poisson or
//     Gaussian, TestSpikeNoiseAlerts's setting), so a record must exceed
//     the range by more than one scale and be itself 0.4 surprising (one
//     alert in about 400 series-days). This costs NAB points: margin 0
//     66.2 / 63.6 / 81.5, margin 0.5 64.9 / 60.6 / 81.5, margin 1 (kept)
//     63.5 / 59.2 / 81.5, margin 1.5 62.6 / 56.4 / 81.5; a gate of 0.5
//     with no margin 62.2 / 58.3 / 81.5.
//   - Confirmation counted in buckets (the last three) or in time (the
//     buckets within 10 minutes: three 5-minute buckets, the bucket alone
//     from 15 minutes up), on the design with records (margin 1): in
//     buckets 63.5 / 59.2 / 81.5, but the curve over thresholds had two
//     modes (0.52 and 0.605) and neighbouring settings gave 56.4 to 61.9
//     (b) and 71.3 to 83.5 (c); in time 64.6 / 61.8 / 79.6, one mode,
//     every left-out choice between 0.5875 and 0.6125, and neighbours
//     (prior 3 or 14 days, prior peak 4 or 6, memory 7 or 30 days, clip
//     10 or 40, margin 0, 0.5 or 1.5) 63.7 to 66.5 (a), 60.9 to 64.5 (b),
//     79.6 to 81.5 (c). Kept in time: as good on (b) plus (c), far less
//     fragile, and hourly buckets alert within the hour, not after three.
//
// Kept: rates in time, records (margin 1 scale, gate 0.4), confirmation
// over 10 minutes, the 24-hour holdoff, default threshold 0.6 (where the
// left-out choices land): 64.6 at the best threshold 0.59, 64.4 at the
// default / 61.8 / 79.6, against 54.9 / 54.0 / 77.5 before; upper 77.7.
// Neither goal (75 on all 53, 85 on unseen tweet series) is met: with
// each file at its own threshold the detector reaches only about 78.

// nabRun is Spike's threshold-independent output on one file: per row,
// whether Step took it, the uncapped score, the baseline and the time of
// the model's last (re)start. judge replays the episode rules on
// it for any threshold, as Step would.
type nabRun struct {
	took    []bool
	base    []float64
	raw     []float64 // the uncapped score
	started []time.Time
	scores  []float64 // Step's scores at the default threshold
}

func runSpike(f nab.File) nabRun {
	n := len(f.Values)
	r := nabRun{took: make([]bool, n), base: make([]float64, n), raw: make([]float64, n),
		started: make([]time.Time, n), scores: make([]float64, n)}
	var s Spike
	for i, v := range f.Values {
		last := s.last
		r.scores[i], _, _ = s.Step(f.Times[i], v)
		r.took[i] = !s.last.Equal(last)
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
		out[i], _ = s.judge(f.Times[i], v, r.base[i], r.raw[i], 1) // the direction only words the summary
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

	assert.GreaterOrEqual(t, atDef.Normalized(), 63.0, "all 53 at the default threshold")
	assert.GreaterOrEqual(t, lofoAll.Normalized(), 60.0, "leave one folder out")
	assert.GreaterOrEqual(t, losoAll.Normalized(), 78.0, "leave one realTweets series out")
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
