package trend_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/internal/nab"
)

// nabScores runs a fresh Spike with threshold th over f, as examples/spikes
// does, and returns its per-row scores.
func nabScores(f nab.File, th float64) []float64 {
	s := trend.Spike{Threshold: th}
	out := make([]float64, len(f.Values))
	for i, v := range f.Values {
		out[i], _, _ = s.Step(f.Times[i], v)
	}
	return out
}

// thresholds is the grid the threshold is chosen from. It is fine (0.0025)
// so that leave-one-out does not depend on the grid's spacing: with a
// coarse grid a threshold can fall between two buckets' scores by luck.
func thresholds() []float64 {
	var ts []float64
	for i := 0; i <= 40; i++ {
		ts = append(ts, math.Round((0.42+0.0025*float64(i))*10000)/10000)
	}
	return ts
}

type nabRun struct {
	results [][]nab.Result // [threshold][file]
}

func runNAB(t *testing.T, files []nab.File) nabRun {
	run := nabRun{}
	prepared := make([]*nab.Prepared, len(files))
	for i, f := range files {
		var err error
		prepared[i], err = nab.Prepare(f, nab.Standard)
		require.NoError(t, err)
	}
	for _, th := range thresholds() {
		var rs []nab.Result
		for i, f := range files {
			r, err := prepared[i].Score(nabScores(f, th), th)
			require.NoError(t, err)
			rs = append(rs, r)
		}
		run.results = append(run.results, rs)
	}
	return run
}

// best returns the grid index maximising the summed raw score over the
// files whose index is not skip (skip -1: all files).
func (r nabRun) best(skip int) int {
	bi, bs := 0, math.Inf(-1)
	for i, rs := range r.results {
		s := 0.0
		for fi, x := range rs {
			if fi != skip {
				s += x.Score
			}
		}
		if s > bs+1e-12 {
			bi, bs = i, s
		}
	}
	return bi
}

func total(rs []nab.Result) (raw, null, perfect float64) {
	for _, r := range rs {
		raw += r.Score
		null += r.Null
		perfect += r.Perfect
	}
	return
}

// TestNABRealTweets scores Spike on NAB's realTweets with the standard
// profile and one threshold for all files, and checks leave-one-file-out.
func TestNABRealTweets(t *testing.T) {
	if testing.Short() {
		t.Skip("NAB evaluation skipped in -short mode")
	}
	files, err := nab.Load(shared.Path(t, "nab/realTweets"))
	require.NoError(t, err)
	require.Len(t, files, 5)
	run := runNAB(t, files)
	grid := thresholds()

	bi := run.best(-1)
	rs := run.results[bi]
	raw, null, perfect := total(rs)
	norm := nab.Normalize(raw, null, perfect)
	for _, r := range rs {
		t.Logf("NAB %-26s %6.1f  (raw %6.2f, windows %d, detected %d, false-positive rows %d)", r.Name, r.Normalized(), r.Score, r.Windows, r.TP, r.FP)
	}
	t.Logf("NAB total normalised %.1f at threshold %.4f (raw %.2f, null %.0f, perfect %.0f)", norm, grid[bi], raw, null, perfect)
	line := ""
	for i, rs := range run.results {
		r, n, p := total(rs)
		line += fmt.Sprintf(" %.4f:%.1f", grid[i], nab.Normalize(r, n, p))
	}
	t.Logf("NAB by threshold:%s", line)
	di := -1
	for i, th := range grid {
		if th == trend.DefaultSpikeThreshold {
			di = i
		}
	}
	require.GreaterOrEqual(t, di, 0)
	dr, dn, dp := total(run.results[di])
	atDefault := nab.Normalize(dr, dn, dp)
	for _, r := range run.results[di] {
		t.Logf("NAB at default threshold %.3f: %-26s %6.1f", trend.DefaultSpikeThreshold, r.Name, r.Normalized())
	}
	t.Logf("NAB total normalised at the default threshold %.3f: %.1f", trend.DefaultSpikeThreshold, atDefault)
	assert.GreaterOrEqual(t, atDefault, 85.0, "NAB floor at the default threshold")
	// Not on a cliff: thresholds near the default score nearly as well.
	for i, th := range grid {
		if math.Abs(th-trend.DefaultSpikeThreshold) <= 0.01+1e-9 {
			r, n, p := total(run.results[i])
			assert.GreaterOrEqual(t, nab.Normalize(r, n, p), 84.4, "NAB total at threshold %.4f, near the default", th)
		}
	}

	// Leave one file out: choose the threshold on four, score the fifth.
	var looRaw, looNull, looPerfect float64
	for fi, f := range files {
		i := run.best(fi)
		r := run.results[i][fi]
		looRaw += r.Score
		looNull += r.Null
		looPerfect += r.Perfect
		t.Logf("NAB leave-one-out %-26s threshold %.4f  %6.1f", f.Name, grid[i], r.Normalized())
	}
	loo := nab.Normalize(looRaw, looNull, looPerfect)
	t.Logf("NAB leave-one-out pooled normalised %.1f", loo)

	assert.InDelta(t, trend.DefaultSpikeThreshold, grid[bi], 0.1, "default threshold should be near the chosen one")
	assert.GreaterOrEqual(t, norm, 85.0, "NAB score floor")
	assert.GreaterOrEqual(t, loo, 84.8, "NAB leave-one-out floor")
}
