package nab

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
)

// synthetic returns a 1000-row file with windows [400,449] and [700,799].
func synthetic() File {
	t0 := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	f := File{Name: "synthetic"}
	for i := 0; i < 1000; i++ {
		f.Times = append(f.Times, t0.Add(time.Duration(i)*5*time.Minute))
		f.Values = append(f.Values, 1)
	}
	f.Windows = []Window{{f.Times[400], f.Times[449]}, {f.Times[700], f.Times[799]}}
	return f
}

func TestProbation(t *testing.T) {
	assert.Equal(t, 150, Probation(1000))
	assert.Equal(t, 750, Probation(15902)) // capped at 0.15*5000
	assert.Equal(t, 0, Probation(0))
}

func TestScaledSigmoid(t *testing.T) {
	assert.InDelta(t, 0.98661, scaledSigmoid(-1), 1e-5)
	assert.InDelta(t, 0.84828, scaledSigmoid(-0.5), 1e-5)
	assert.InDelta(t, 0, scaledSigmoid(0), 1e-12)
	assert.InDelta(t, -0.98661, scaledSigmoid(1), 1e-5)
	assert.Equal(t, -1.0, scaledSigmoid(3))
}

func TestScoreRules(t *testing.T) {
	f := synthetic()
	s := make([]float64, 1000)
	det := func(idx ...int) []float64 {
		out := make([]float64, len(s))
		for _, i := range idx {
			out[i] = 1
		}
		return out
	}
	cases := []struct {
		name string
		rows []int
		want float64
	}{
		{"null", nil, -2},
		{"perfect", []int{400, 700}, 2},
		{"only first detection per window counts", []int{400, 449, 700, 799}, 2},
		{"late detection is worth less", []int{449, 700}, 1 + scaledSigmoid(-1.0/50)/scaledSigmoid(-1)},
		{"probation is ignored", []int{10, 400, 700}, 2},
		{"false positive far from windows", []int{200, 400, 700}, 2 - 0.11},
		{"false positive just after a window costs little", []int{400, 450, 700}, 2 + 0.11*scaledSigmoid(1.0/49)},
		{"missed window", []int{400}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Score(f, det(tc.rows...), 0.5, Standard)
			require.NoError(t, err)
			assert.InDelta(t, tc.want, r.Score, 1e-9)
			assert.Equal(t, 2, r.Windows)
		})
	}
	r, err := Score(f, Perfect(f), 0.5, Standard)
	require.NoError(t, err)
	assert.InDelta(t, 100, r.Normalized(), 1e-9)
	r, err = Score(f, s, 0.5, Standard)
	require.NoError(t, err)
	assert.InDelta(t, 0, r.Normalized(), 1e-9)
}

func TestSweepMatchesScore(t *testing.T) {
	f := synthetic()
	s := make([]float64, 1000)
	s[200], s[420], s[750], s[900] = 0.9, 0.7, 0.6, 0.95
	th, tot, err := Sweep([]File{f}, [][]float64{s}, Standard)
	require.NoError(t, err)
	r, err := Score(f, s, th, Standard)
	require.NoError(t, err)
	assert.InDelta(t, tot, r.Score, 1e-9)
	assert.Equal(t, 0.6, th) // detecting both windows beats avoiding two false positives
	for _, other := range []float64{0.5, 0.65, 0.8, 0.92, 1} {
		r, _ := Score(f, s, other, Standard)
		assert.LessOrEqual(t, r.Score, tot+1e-12)
	}
}

func TestErrors(t *testing.T) {
	f := synthetic()
	_, err := Score(f, make([]float64, 3), 0.5, Standard)
	assert.Error(t, err)
	f.Windows = []Window{{time.Unix(1, 0), time.Unix(2, 0)}}
	_, err = Score(f, make([]float64, 1000), 0.5, Standard)
	assert.ErrorContains(t, err, "nab:")
	_, _, err = ReadCSV(strings.NewReader("timestamp,value\n2015-01-01 00:00:00,x\n"))
	assert.Error(t, err)
	_, _, err = ReadCSV(strings.NewReader("timestamp,value\nnot a time,1\n"))
	assert.Error(t, err)
}

// TestRealTweets checks the scorer on the shared data: perfect and null
// detectors, and a detector that fires at every label scores the published
// "label at window centre" value.
func TestRealTweets(t *testing.T) {
	files, err := Load(shared.Path(t, "nab/realTweets"))
	require.NoError(t, err)
	var raw, null, perfect float64
	scores := make([][]float64, len(files))
	for i, f := range files {
		r, err := Score(f, Perfect(f), 0.5, Standard)
		require.NoError(t, err)
		raw, null, perfect = raw+r.Score, null+r.Null, perfect+r.Perfect
		scores[i] = make([]float64, len(f.Times))
	}
	assert.Equal(t, -14.0, null)
	assert.Equal(t, 14.0, perfect)
	assert.InDelta(t, 100, Normalize(raw, null, perfect), 1e-9)
	th, tot, err := Sweep(files, scores, Standard)
	require.NoError(t, err)
	assert.True(t, math.IsInf(th, 1))
	assert.InDelta(t, 0, Normalize(tot, null, perfect), 1e-9)
}

func FuzzReadCSV(f *testing.F) {
	f.Add("timestamp,value\n2015-02-26 21:42:53,104\n2015-02-26 21:47:53,100\n")
	f.Add("timestamp,value\n2015-02-26 21:42:53.000000,1e3\n\n")
	f.Add("timestamp,value\n2015-02-26 21:42:53,NaN\n")
	f.Add(",\n,\n")
	f.Fuzz(func(t *testing.T, in string) {
		times, values, err := ReadCSV(strings.NewReader(in))
		if err == nil {
			assert.Equal(t, len(times), len(values))
		}
	})
}

// TestLabelDetector reasons about a known quantity: a detector that fires
// exactly at each labelled anomaly (the centre of its window) earns
// about σs(-0.5)/σs(-1) = 0.86 per window, so about 93 normalised; where
// NAB merged two labels into one window (GOOG), the first label fires
// earlier and earns more.
func TestLabelDetector(t *testing.T) {
	dir := shared.Path(t, "nab/realTweets")
	files, err := Load(dir)
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dir, "combined_labels.json"))
	require.NoError(t, err)
	var labels map[string][]string
	require.NoError(t, json.Unmarshal(b, &labels))
	var raw, null, perfect float64
	for _, f := range files {
		s := make([]float64, len(f.Times))
		for _, l := range labels["realTweets/"+f.Name] {
			at, err := ParseTime(l)
			require.NoError(t, err)
			for i, ts := range f.Times {
				if ts.Equal(at) {
					s[i] = 1
				}
			}
		}
		r, err := Score(f, s, 1, Standard)
		require.NoError(t, err)
		assert.Equal(t, r.Windows, r.TP)
		assert.Zero(t, r.FP)
		t.Logf("label detector %s: %.1f", f.Name, r.Normalized())
		raw, null, perfect = raw+r.Score, null+r.Null, perfect+r.Perfect
	}
	norm := Normalize(raw, null, perfect)
	t.Logf("label detector total: %.1f", norm)
	assert.InDelta(t, 100*(0.86+1)/2, norm, 2.5)
}
