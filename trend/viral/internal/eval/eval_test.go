package eval

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/trend/viral"
)

var (
	loadOnce sync.Once
	loaded   []Set
	loadErr  error
)

// sets loads the shared data once for all tests (skipping when it is
// absent, or under -short or the race detector: these are evaluations).
func sets(t *testing.T) []Set {
	t.Helper()
	if testing.Short() || raceEnabled {
		t.Skip("an evaluation on the shared data: skipped under -short and -race")
	}
	root := shared.Path(t, "cascades-extra")
	loadOnce.Do(func() { loaded, loadErr = Load(strings.TrimSuffix(root, "/cascades-extra")) })
	require.NoError(t, loadErr)
	return loaded
}

func find(t *testing.T, ss []Set, name string) *Set {
	for i := range ss {
		if ss[i].Name == name {
			return &ss[i]
		}
	}
	t.Fatalf("no set %s", name)
	return nil
}

// TestShippedRange: the shipped range is what FitRange makes from the
// shared data, and Shipped() gives predictions the bounds viral does.
func TestShippedRange(t *testing.T) {
	ss := sets(t)
	seis, trees := find(t, ss, SEISMIC), find(t, ss, Trees)
	sr := Rows(seis, ModelFor(seis), 0, RangeAges())
	g := FitRange(sr, Rows(trees, viral.Model{}, 0, RangeAges()))
	want := Shipped()
	assert.InDelta(t, want.Lo0, g.Lo0, 0.01, "refit: %+v", g)
	assert.InDelta(t, want.Lo1, g.Lo1, 0.01)
	assert.InDelta(t, want.Hi0, g.Hi0, 0.01)
	assert.InDelta(t, want.Hi1, g.Hi1, 0.01)
	for _, r := range sr {
		assert.InDelta(t, r.P.Low, want.Apply(r.P, r.Age).Low, 1e-6*r.P.Low)
		assert.InDelta(t, r.P.High, want.Apply(r.P, r.Age).High, 1e-6*r.P.High)
	}
}

// TestTwitterRhythm: viral.TwitterRhythm is ChooseRhythm's choice on the
// 50 shared cascades.
func TestTwitterRhythm(t *testing.T) {
	seis := find(t, sets(t), SEISMIC)
	g := RhythmGrid()
	assert.Equal(t, viral.TwitterRhythm(), g[ChooseRhythm(RhythmLosses(seis.Cascades, g), nil)])
}

// TestLeftOut scores every source on cascades left out of what was fitted
// and asserts floors a little looser than measured (the measured figures
// are in BENCHMARKS.md; go run ./trend/viral/internal/report prints them).
func TestLeftOut(t *testing.T) {
	ss := sets(t)
	lo := LeftOut(ss, Horizons(), 0)
	for _, tc := range []struct {
		set      string
		mdape    [3]float64
		coverage [2]float64
	}{
		// measured 0.299 0.241 0.126, coverage 86% 84% 84%
		{SEISMIC, [3]float64{0.32, 0.26, 0.14}, [2]float64{0.74, 0.90}},
		// measured 0.209 0.149 0.075, coverage 75% 77% 81%
		{Trees, [3]float64{0.22, 0.16, 0.085}, [2]float64{0.72, 0.85}},
	} {
		for i, h := range Horizons() {
			s := ScoreAt(lo[tc.set], h, nil)
			t.Logf("%s at %v: MdAPE %.3f, coverage %.2f, bias %+.2f (n=%d)", tc.set, h, s.MdAPE, s.Coverage, s.Bias, s.N)
			assert.LessOrEqual(t, s.MdAPE, tc.mdape[i], "%s at %v", tc.set, h)
			assert.GreaterOrEqual(t, s.Coverage, tc.coverage[0], "%s at %v", tc.set, h)
			assert.LessOrEqual(t, s.Coverage, tc.coverage[1], "%s at %v", tc.set, h)
		}
	}
	// small posts are not wildly overestimated: #auspol cascades with 2
	// to 19 reshares after an hour (measured: 9 in 10 within 1.67)
	s := ScoreAt(lo[Auspol], time.Hour, func(r Row) bool { return r.P.Observed >= 2 && r.P.Observed < 20 })
	assert.Less(t, s.Over90, 2.0)
	// plain SEISMIC, for reference, is worse on the SEISMIC cascades
	seis := find(t, ss, SEISMIC)
	var ape []float64
	for i := range seis.Cascades {
		c := &seis.Cascades[i]
		fin := float64(c.Final(Horizon))
		ape = append(ape, abs(Seismic(c, time.Hour)-fin)/fin)
	}
	assert.Greater(t, Quantile(ape, 0.5), ScoreAt(lo[SEISMIC], time.Hour, nil).MdAPE)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestReadTrees(t *testing.T) {
	in := "cascade_id\tlabel\tn_retweets\tn_other\tretweet_delays_s\tother_delays_s\n" +
		"42\tfalse\t3\t1\t60 0 600\t120\n" +
		"\n" +
		"7\ttrue\t0\t0\t\t\n"
	cs, err := ReadTrees(strings.NewReader(in))
	require.NoError(t, err)
	require.Len(t, cs, 2)
	assert.Equal(t, "42", cs[0].ID)
	assert.Equal(t, -1, cs[0].Followers)
	assert.Equal(t, []viral.Reshare{{Age: 0, Followers: -1}, {Age: time.Minute, Followers: -1}, {Age: 10 * time.Minute, Followers: -1}}, cs[0].Reshares)
	assert.Empty(t, cs[1].Reshares)
	for _, bad := range []string{
		"",
		"id\tx\n",
		"cascade_id\tlabel\tn_retweets\tn_other\tretweet_delays_s\tother_delays_s\n42\tfalse\t3\n",
		"cascade_id\tlabel\tn_retweets\tn_other\tretweet_delays_s\tother_delays_s\n42\tfalse\t2\t0\t60\t\n",
		"cascade_id\tlabel\tn_retweets\tn_other\tretweet_delays_s\tother_delays_s\n42\tfalse\t1\t0\t-60\t\n",
		"cascade_id\tlabel\tn_retweets\tn_other\tretweet_delays_s\tother_delays_s\n42\tfalse\tx\t0\t60\t\n",
	} {
		_, err := ReadTrees(strings.NewReader(bad))
		assert.True(t, errors.Is(err, ErrTrees), "%q: %v", bad, err)
	}
}

func FuzzReadTrees(f *testing.F) {
	f.Add([]byte("cascade_id\tlabel\tn_retweets\tn_other\tretweet_delays_s\tother_delays_s\n42\tfalse\t3\t1\t60 0 600\t120\n"))
	f.Add([]byte("cascade_id\t\n\t\t\t\t\t\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ReadTrees(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, c := range cs {
			for i := 1; i < len(c.Reshares); i++ {
				require.GreaterOrEqual(t, c.Reshares[i].Age, c.Reshares[i-1].Age)
			}
		}
	})
}
