package viral

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
)

var evalAges = []time.Duration{time.Hour, 2 * time.Hour, 6 * time.Hour}

func sharedCascades(t *testing.T) []Cascade {
	t.Helper()
	dir := shared.Path(t, "cascades")
	cs, err := ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, cs, filepath.Base(dir))
	return cs
}

// TestCrossValidated computes the leave-one-out MdAPE of the corrected
// model (event mode) and of plain SEISMIC on the shared cascades, and
// asserts floors slightly looser than measured.
func TestCrossValidated(t *testing.T) {
	cs := sharedCascades(t)
	folds := len(cs) // leave one out
	if testing.Short() || raceEnabled {
		folds = 10 // cascade i in fold i mod 10: same floors
	}
	res, err := CrossValidate(cs, FitConfig{}, folds, evalAges)
	require.NoError(t, err)
	// measured: leave-one-out 0.157 0.162 0.140; 10-fold 0.185 0.174 0.147
	floor := map[time.Duration]float64{time.Hour: 0.18, 2 * time.Hour: 0.18, 6 * time.Hour: 0.155}
	if folds == 10 {
		floor = map[time.Duration]float64{time.Hour: 0.20, 2 * time.Hour: 0.19, 6 * time.Hour: 0.16}
	}
	for _, r := range res {
		t.Logf("events %d-fold %v: MdAPE %.3f (plain SEISMIC %.3f), 80%% interval coverage %.2f", folds, r.Age, r.MdAPE, r.SeismicMdAPE, r.Coverage)
		require.LessOrEqual(t, r.MdAPE, floor[r.Age], "at %v", r.Age)
		require.Less(t, r.MdAPE, r.SeismicMdAPE, "at %v", r.Age)
	}
}

// TestCrossValidatedCounts does the same in count mode, polling totals
// every 5 and 15 minutes.
func TestCrossValidatedCounts(t *testing.T) {
	cs := sharedCascades(t)
	for _, poll := range []time.Duration{5 * time.Minute, 15 * time.Minute} {
		res, err := CrossValidate(cs, FitConfig{Poll: poll}, 10, evalAges)
		require.NoError(t, err)
		for _, r := range res {
			t.Logf("counts every %v 10-fold %v: MdAPE %.3f (plain SEISMIC %.3f), coverage %.2f", poll, r.Age, r.MdAPE, r.SeismicMdAPE, r.Coverage)
			require.LessOrEqual(t, r.MdAPE, 0.30, "poll %v at %v", poll, r.Age)
			require.Less(t, r.MdAPE, 0.30+r.SeismicMdAPE/2)
		}
	}
}
