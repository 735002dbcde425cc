package trend_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday

// daily returns a Poisson-like count with a daily cycle around mean.
func daily(r *rand.Rand, i int, mean float64) float64 {
	lam := mean * (1 + 0.6*math.Sin(2*math.Pi*float64(i)/288))
	// normal approximation of a Poisson draw
	return math.Max(0, math.Round(lam+math.Sqrt(lam)*r.NormFloat64()))
}

func step(s *trend.Spike, i int, v float64) (float64, trend.Alert, bool) {
	return s.Step(t0.Add(time.Duration(i)*5*time.Minute), v)
}

func TestSpikeQuietSeries(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var s trend.Spike
	for i := 0; i < 14*288; i++ {
		score, a, ok := step(&s, i, daily(r, i, 50))
		require.False(t, ok, "no alert on a seasonal series, got %v at bucket %d", a, i)
		require.True(t, score >= 0 && score < 1)
	}
}

func TestSpikeEpisode(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	s := trend.Spike{Key: "acme"}
	var alerts []trend.Alert
	burst := 5*288 + 100
	for i := 0; i < 7*288; i++ {
		v := daily(r, i, 30)
		if i >= burst && i < burst+24 {
			v *= 8
		}
		score, a, ok := step(&s, i, v)
		if ok {
			alerts = append(alerts, a)
		}
		if i == burst {
			assert.GreaterOrEqual(t, score, trend.DefaultSpikeThreshold, "the first bucket of the burst opens the episode")
		} else {
			assert.Less(t, score, trend.DefaultSpikeThreshold, "only the opening bucket reaches the threshold (bucket %d)", i)
		}
	}
	require.Len(t, alerts, 2, "one alert when the episode opens, one when it ends")
	open, closed := alerts[0], alerts[1]
	assert.True(t, open.Open())
	assert.Equal(t, trend.AlertSpike, open.Kind)
	assert.Equal(t, "acme", open.Key)
	start := t0.Add(time.Duration(burst) * 5 * time.Minute)
	assert.Equal(t, start, open.Start)
	assert.Equal(t, start, closed.Start)
	assert.False(t, closed.Open())
	assert.True(t, closed.End.After(start.Add(2*time.Hour)), "ends after the burst and the quiet hour")
	assert.True(t, !closed.Peak.Before(start) && closed.Peak.Before(start.Add(2*time.Hour)))
	assert.GreaterOrEqual(t, closed.Score, open.Score)
	assert.GreaterOrEqual(t, closed.Severity, trend.Warning)
}

func TestSpikeLevelShiftAlertsOnce(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	s := trend.Spike{}
	opened := 0
	for i := 0; i < 12*288; i++ {
		mean := 20.0
		if i >= 4*288 {
			mean = 120 // a lasting level shift
		}
		if _, a, ok := step(&s, i, daily(r, i, mean)); ok && a.Open() {
			opened++
		}
	}
	assert.Equal(t, 1, opened, "a level shift is one episode, then the new normal")
}

// TestSpikeCalibratedPerSeries checks that a series which bursts every day
// needs a larger burst to score as high as a quiet one: the same final
// burst scores lower on the bursty series.
func TestSpikeCalibratedPerSeries(t *testing.T) {
	peak := func(bursty bool) float64 {
		r := rand.New(rand.NewSource(6))
		var s trend.Spike
		final := 20*288 + 150
		best := 0.0
		for i := 0; i < 21*288; i++ {
			v := daily(r, i, 40)
			day, slot := i/288, i%288
			if bursty && day >= 1 && day < 20 && slot >= (day*37)%240 && slot < (day*37)%240+6 {
				v *= 6 // a half-hour burst at a different time each day
			}
			if i >= final && i < final+6 {
				v *= 6
			}
			step(&s, i, v)
			if i >= final && i < final+12 && s.Raw() > best {
				best = s.Raw()
			}
		}
		return best
	}
	quiet, bursty := peak(false), peak(true)
	t.Logf("peak score of the same burst: quiet series %.3f, bursty series %.3f", quiet, bursty)
	assert.GreaterOrEqual(t, quiet, trend.DefaultSpikeThreshold, "the burst alerts on the quiet series")
	// Without the calibration (model.go) the gap is about 0.07, from the
	// spreads' 3-day memory alone; with it, about 0.23.
	assert.Less(t, bursty, quiet-0.15, "the same burst scores clearly lower on the bursty series")
}

// TestSpikeYoungSeries checks that the calibration does not damp the first
// burst of a young series: the surprises of the cold model in its first
// hours must not count as the series' own history of bursts. The setting
// is the examples' (15-minute buckets, 12 hours of warm-up, a small
// brand's mentions with quiet nights).
func TestSpikeYoungSeries(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	s := trend.Spike{MinCount: 10, Warmup: 12 * time.Hour}
	const perHour = 4
	start := 35 * perHour // Tuesday 11:00
	best := 0.0
	opened := false
	for i := 0; i < start+3*perHour; i++ {
		at := t0.Add(time.Duration(i) * 15 * time.Minute)
		h := float64(i%(24*perHour)) / perHour
		lam := 3 * math.Max(0.1, math.Sin(math.Pi*(h-6)/15)) // 06:00 to 21:00
		if i >= start {
			lam *= 10 // a three-hour burst
		}
		v := math.Max(0, math.Round(lam+math.Sqrt(lam)*r.NormFloat64()))
		_, _, ok := s.Step(at, v)
		opened = opened || ok
		if i >= start && s.Raw() > best {
			best = s.Raw()
		}
	}
	t.Logf("peak score of a burst 35 hours into a series: %.3f", best)
	assert.True(t, opened, "the burst opens an episode")
	assert.GreaterOrEqual(t, best, trend.DefaultSpikeThreshold+0.05, "the burst clears the threshold with room")
}

func TestSpikeLowVolume(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	s := trend.Spike{MinCount: 5}
	for i := 0; i < 10*288; i++ {
		// about one mention an hour, with an occasional 3
		v := 0.0
		if r.Intn(12) == 0 {
			v = 1 + float64(r.Intn(3))
		}
		_, _, ok := step(&s, i, v)
		require.False(t, ok, "sparse counts below MinCount never alert")
	}
}

func TestSpikeBadInput(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	var s trend.Spike
	for i := 0; i < 3*288; i++ {
		step(&s, i, daily(r, i, 40))
	}
	at := t0.Add(3 * 288 * 5 * time.Minute)
	cases := []struct {
		name string
		at   time.Time
		v    float64
	}{
		{"NaN", at, math.NaN()},
		{"+Inf", at, math.Inf(1)},
		{"-Inf", at, math.Inf(-1)},
		{"repeat of the last bucket", at.Add(-5 * time.Minute), 1e6},
		{"out of order", at.Add(-time.Hour), 1e6},
		{"zero time", time.Time{}, 1e6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			score, _, ok := s.Step(tc.at, tc.v)
			assert.Zero(t, score)
			assert.False(t, ok)
		})
	}
	score, _, _ := s.Step(at, -10) // not a count: the model restarts on measurements
	assert.True(t, score >= 0 && score < 1)
	// A missing day, then normal data: defined and no panic.
	for i := 0; i < 288; i++ {
		score, _, _ := s.Step(at.Add(24*time.Hour+time.Duration(i)*5*time.Minute), daily(r, i, 40))
		assert.True(t, score >= 0 && score <= 1)
	}
}

func TestSpikeClockJumpRestarts(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	s := trend.Spike{}
	for i := 0; i < 3*288; i++ {
		step(&s, i, daily(r, i, 10))
	}
	// A jump of a month with a much higher level: cold start, so no alert
	// during the warm-up day.
	later := t0.Add(30 * 24 * time.Hour)
	for i := 0; i < 288; i++ {
		_, a, ok := s.Step(later.Add(time.Duration(i)*5*time.Minute), 500)
		assert.False(t, ok && a.Open(), "no alert during warm-up after a clock jump")
	}
}

func TestSpikeDSTRepeat(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	// Local wall-clock times through the November fall-back: 01:00-02:00
	// occurs twice. The detector compares instants, so the repeated hour is
	// simply the next buckets, and nothing panics.
	start := time.Date(2025, 10, 20, 0, 0, 0, 0, ny)
	r := rand.New(rand.NewSource(7))
	var s trend.Spike
	n := 0
	for i := 0; i < 20*288; i++ {
		at := start.Add(time.Duration(i) * 5 * time.Minute)
		score, _, _ := s.Step(at, daily(r, i, 30))
		assert.True(t, score >= 0 && score <= 1)
		n++
	}
	// Replaying the repeated hour as parsed from naive local timestamps
	// (an earlier instant) is ignored.
	score, _, ok := s.Step(time.Date(2025, 11, 2, 1, 30, 0, 0, ny), 1e6)
	assert.Zero(t, score)
	assert.False(t, ok)
}

func FuzzSpikeStep(f *testing.F) {
	f.Add(int64(0), 1.0, int64(300), 2.0)
	f.Add(int64(1e18), math.NaN(), int64(-5), -1.0)
	f.Fuzz(func(t *testing.T, a int64, v float64, b int64, w float64) {
		var s trend.Spike
		for i, x := range []struct {
			at int64
			v  float64
		}{{a, v}, {b, w}, {a + b, v + w}, {b - a, w}} {
			score, _, _ := s.Step(time.Unix(x.at, 0), x.v)
			if !(score >= 0 && score <= 1) {
				t.Fatalf("step %d: score %v", i, score)
			}
		}
	})
}

// TestSpikeAbsurdBucket: one absurd bucket (a count of 1e30) opens an
// episode that ends within hours, and a real 50x spike two days later
// (after the holdoff) alerts as soon as it has lasted three buckets (it
// is no longer a record: the absurd bucket is the series' maximum).
func TestSpikeAbsurdBucket(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	s := trend.Spike{Key: "acme"}
	absurd := 3*288 + 100
	real := absurd + 2*288
	var alerts []trend.Alert
	for i := 0; i < 7*288; i++ {
		v := daily(r, i, 40)
		if i == absurd {
			v = 1e30
		}
		if i >= real && i < real+6 {
			v *= 50
		}
		if _, a, ok := step(&s, i, v); ok {
			alerts = append(alerts, a)
		}
	}
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * 5 * time.Minute) }
	require.Len(t, alerts, 4, "the absurd bucket's episode and the real spike's, each opened and closed")
	assert.Equal(t, at(absurd), alerts[0].Start)
	assert.Contains(t, alerts[0].Summary, "the most since", "the absurd bucket is a record")
	assert.False(t, alerts[1].Open())
	assert.True(t, alerts[1].End.Before(at(absurd).Add(6*time.Hour)), "the absurd episode ends within hours, not days: %v", alerts[1].End)
	assert.Equal(t, at(real+2), alerts[2].Start, "the real spike opens an episode at its third bucket")
	assert.Contains(t, alerts[2].Summary, "above")
}

// TestSpikeNoiseAlerts measures how often pure noise alerts: 20 series
// of 14 days each of Poisson counts and of Gaussian measurements, with and
// without a daily cycle. Only records can alert on noise (see recordGate);
// about one alert in 400 series-days was measured.
func TestSpikeNoiseAlerts(t *testing.T) {
	kinds := []string{"poisson", "poisson, daily cycle", "gauss", "gauss, daily cycle"}
	total := 0
	for _, kind := range kinds {
		alerts := 0
		for seed := int64(0); seed < 20; seed++ {
			r := rand.New(rand.NewSource(seed))
			var s trend.Spike
			for i := 0; i < 14*288; i++ {
				cycle := 0.0
				if strings.HasSuffix(kind, "cycle") {
					cycle = 0.6 * math.Sin(2*math.Pi*float64(i)/288)
				}
				v := 10*(1+cycle) + r.NormFloat64() + 0.001 // measurements
				if strings.HasPrefix(kind, "poisson") {
					lam := 50 * (1 + cycle)
					v = math.Max(0, math.Round(lam+math.Sqrt(lam)*r.NormFloat64()))
				}
				if _, a, ok := step(&s, i, v); ok && a.Open() {
					alerts++
				}
			}
		}
		t.Logf("%-22s %d alerts in 20 series of 14 days", kind, alerts)
		total += alerts
	}
	assert.LessOrEqual(t, total, 8, "about one alert in 400 series-days of noise, not one a month")
}

// TestSpikeRecord: a one-bucket jump to a level never seen alerts at
// once, as a record; the same jump within the series' range does not.
func TestSpikeRecord(t *testing.T) {
	run := func(seen float64) (opened int, summary string) {
		r := rand.New(rand.NewSource(14))
		var s trend.Spike
		opened = -1
		jump := 4*288 + 100
		for i := 0; i < 5*288; i++ {
			v := 20 + r.NormFloat64() + 0.5 // a measurement near 20
			if i == 2*288 {
				v = seen // one reading long ago
			}
			if i == jump {
				v = 60
			}
			if _, a, ok := step(&s, i, v); ok && a.Open() && i >= jump && opened < 0 {
				opened, summary = i-jump, a.Summary
			}
		}
		return opened, summary
	}
	at, summary := run(21)
	assert.Equal(t, 0, at, "a new high alerts at its own bucket")
	assert.Contains(t, summary, "the most since 2026-03-02 00:00:00")
	at, _ = run(80) // 60 was exceeded two days before: not a record
	assert.Equal(t, -1, at, "a single bucket within the range seen does not alert")
}

// TestSpikeHourlyBuckets: the model's memories are set in time, so hourly
// buckets with a strong daily cycle are learnt within days (with memories
// counted in buckets a day's profile took 36 days), the cycle does not
// alert, and a three-hour burst does.
func TestSpikeHourlyBuckets(t *testing.T) {
	r := rand.New(rand.NewSource(15))
	var s trend.Spike
	burst := 20*24 + 14
	var opened []int
	for i := 0; i < 30*24; i++ {
		lam := 200 * (1 + 0.8*math.Sin(2*math.Pi*float64(i)/24))
		if i >= burst && i < burst+3 {
			lam *= 3
		}
		v := math.Max(0, math.Round(lam+math.Sqrt(lam)*r.NormFloat64()))
		if _, a, ok := s.Step(t0.Add(time.Duration(i)*time.Hour), v); ok && a.Open() {
			opened = append(opened, i)
		}
	}
	require.NotEmpty(t, opened)
	assert.Equal(t, []int{burst}, opened, "only the burst alerts, at its first hour (a record)")
}

// TestSpikeDrop: a series that goes quiet is an episode too.
func TestSpikeDrop(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	var s trend.Spike
	quiet := 4*288 + 130
	var alerts []trend.Alert
	for i := 0; i < 5*288; i++ {
		v := daily(r, i, 60)
		if i >= quiet && i < quiet+36 {
			v = 0 // the source went silent for three hours
		}
		if _, a, ok := step(&s, i, v); ok {
			alerts = append(alerts, a)
		}
	}
	require.NotEmpty(t, alerts)
	assert.False(t, alerts[0].Start.Before(t0.Add(time.Duration(quiet)*5*time.Minute)))
	assert.Equal(t, trend.AlertDrop, alerts[0].Kind)
	assert.Contains(t, alerts[0].Summary, "below")
}

// TestSpikeMeasurements: a series of measurements (fractions, negative
// values) is scored on its own scale: a jump of a few of its own
// deviations alerts, however small the units.
func TestSpikeMeasurements(t *testing.T) {
	for _, unit := range []float64{1e-6, 1, 1e6} {
		r := rand.New(rand.NewSource(11))
		var s trend.Spike
		jump := 5*288 + 40
		opened := -1
		for i := 0; i < 6*288; i++ {
			v := unit * (math.Sin(2*math.Pi*float64(i)/288) + 0.1*r.NormFloat64() - 0.5)
			if i >= jump {
				v += unit * 1.5
			}
			if _, a, ok := step(&s, i, v); ok && a.Open() && opened < 0 {
				opened = i
			}
		}
		assert.True(t, opened >= jump && opened < jump+6, "unit %g: the jump alerts within half an hour (at %d, jump at %d)", unit, opened, jump)
	}
}

// TestSpikeHugeValues: values near the largest float64 neither overflow
// the model into NaN scores nor stop it: in a series of measurements, an
// absurd value in the middle leaves a later jump to alert.
func TestSpikeHugeValues(t *testing.T) {
	var s trend.Spike
	var vals []float64
	for k := 0; k < 2*288; k++ {
		vals = append(vals, 0.5+float64(k%7))
	}
	vals = append(vals, math.MaxFloat64)
	for k := 0; k < 2*288; k++ {
		vals = append(vals, 0.5+float64(k%7))
	}
	jump := len(vals)
	for k := 0; k < 36; k++ {
		vals = append(vals, 60)
	}
	opened := false
	for i, v := range vals {
		score, a, ok := step(&s, i, v)
		require.True(t, score >= 0 && score <= 1, "row %d: score %v", i, score)
		if ok && a.Open() && i >= jump && i < jump+6 {
			opened = true
		}
	}
	assert.True(t, opened, "a jump two days after the absurd value alerts")

	// Absurd values first: scores stay defined.
	s = trend.Spike{}
	for i, v := range []float64{0.5, -math.MaxFloat64, math.MaxFloat64, 1e308, 3, 4, 5} {
		score, _, _ := step(&s, i, v)
		require.True(t, score >= 0 && score <= 1, "row %d: score %v", i, score)
	}
}
