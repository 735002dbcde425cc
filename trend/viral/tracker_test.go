package viral

import (
	"math"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func sharedCascades(t *testing.T) []Cascade {
	t.Helper()
	cs, err := ReadDir(shared.Path(t, "cascades"))
	require.NoError(t, err)
	return cs
}

// replay feeds c's reshares up to age obs into a tracker with model m.
func replay(c *Cascade, obs time.Duration, m Model) *Tracker {
	tr := &Tracker{Posted: c.Posted, Followers: c.Followers, Model: &m}
	for _, r := range c.Reshares {
		if r.Age > obs {
			break
		}
		tr.Observe(c.Posted.Add(r.Age), r.Followers)
	}
	return tr
}

// exact recomputes a tracker's prediction reshare by reshare, with no
// bins, as a reference for the binned one: the same window, p̂ and cells,
// with each reshare at its own age.
func exact(c *Cascade, obs time.Duration, m Model) (phat, final float64) {
	k := m.Kernel.norm()
	u := obs.Seconds()
	var ages, fol []float64
	for _, r := range c.Reshares {
		if r.Age > obs {
			break
		}
		ages = append(ages, r.Age.Seconds())
		fol = append(fol, clampFollowers(r.Followers, m.defaultFollowers()))
	}
	n := float64(len(ages))
	w := math.Min(math.Max(u/2, minWindow), maxWindow)
	if len(ages) >= minCount && u-ages[len(ages)-minCount] > w {
		w = u - ages[len(ages)-minCount]
	}
	f0 := clampFollowers(c.Followers, m.defaultFollowers())
	num, den, sumN := 0.0, f0*k.windowed(u, w), 0.0
	for i, a := range ages {
		if u-a <= w {
			num += 1 - (u-a)/w
		}
		den += fol[i] * k.windowed(u-a, w)
		sumN += fol[i]
	}
	phat = math.Min(num/den, n/sumN)
	kappa := math.Min(phat*sumN/n, MaxBranching)
	hz := m.horizon()
	var edge [cells + 1]float64
	for j := range edge {
		edge[j] = u * math.Pow(hz/u, float64(j)/cells)
	}
	var mass [cells]float64
	total := 0.0
	for j := 0; j < cells; j++ {
		d := f0 * (k.cdf(edge[j+1]) - k.cdf(edge[j]))
		for i, a := range ages {
			d += fol[i] * (k.cdf(edge[j+1]-a) - k.cdf(edge[j]-a))
		}
		ind := 0.0
		for i := 0; i < j; i++ {
			mid := math.Sqrt(edge[i] * edge[i+1])
			ind += mass[i] * (k.cdf(edge[j+1]-mid) - k.cdf(edge[j]-mid))
		}
		self := kappa * k.cdf(edge[j+1]-math.Sqrt(edge[j]*edge[j+1]))
		mass[j] = (phat*d + kappa*ind) / (1 - self)
		total += mass[j]
	}
	g := math.Max(1-1/(9*num), 0)
	return phat, n + total*g*g*g
}

// TestBinnedMatchesExact: on the shared cascades, the binned tracker's p̂
// and forecast agree with the reshare-by-reshare computation (every fifth
// cascade under -short or the race detector).
func TestBinnedMatchesExact(t *testing.T) {
	worst := 0.0
	for i, c := range sharedCascades(t) {
		if (testing.Short() || raceEnabled) && i%5 != 0 {
			continue
		}
		for _, obs := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour} {
			p := replay(&c, obs, Model{}).Predict(c.Posted.Add(obs))
			phat, final := exact(&c, obs, Model{})
			assert.Equal(t, float64(c.ObservedBy(obs)), p.Observed)
			e := math.Max(math.Abs(p.Infectiousness/phat-1), math.Abs(p.Final/final-1))
			worst = math.Max(worst, e)
			assert.Less(t, e, 0.035, "%s at %v", c.ID, obs)
		}
	}
	t.Logf("binned vs exact: largest relative difference %.4f", worst) // measured 0.032 (at 24 h)
}

// TestCausal: a cascade cut after 2 hours gets the same 1 h and 2 h
// predictions as the whole cascade: nothing after the moment of a
// prediction is used.
func TestCausal(t *testing.T) {
	rs := synthetic(3000, 4)
	sortReshares(rs)
	full := Cascade{Posted: t0, Followers: 5000, Reshares: rs}
	cut := full
	cut.Reshares = rs[:full.ObservedBy(2*time.Hour)]
	require.Less(t, len(cut.Reshares), len(rs))
	for _, m := range []Model{{}, {Rhythm: TwitterRhythm()}} {
		for _, obs := range []time.Duration{time.Hour, 2 * time.Hour} {
			a := replay(&full, obs, m).Predict(t0.Add(obs))
			b := replay(&cut, obs, m).Predict(t0.Add(obs))
			assert.Equal(t, a, b, "at %v", obs)
		}
	}
}

func synthetic(n int, seed int64) []Reshare {
	r := rand.New(rand.NewSource(seed))
	rs := make([]Reshare, n)
	for i := range rs {
		// heavy-tailed delays, front-loaded
		age := time.Duration(60*math.Exp(r.Float64()*6)) * time.Second
		rs[i] = Reshare{Age: age, Followers: int(math.Exp(r.Float64() * 10))}
	}
	return rs
}

func checkFinite(t *testing.T, p Prediction) {
	t.Helper()
	for name, v := range map[string]float64{"Final": p.Final, "Low": p.Low, "High": p.High, "Observed": p.Observed, "Infectiousness": p.Infectiousness, "Branching": p.Branching} {
		require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%s = %v", name, v)
		require.GreaterOrEqual(t, v, 0.0, name)
	}
	require.LessOrEqual(t, p.Observed, p.Low)
	require.LessOrEqual(t, p.Low, p.Final)
	require.LessOrEqual(t, p.Final, p.High)
	require.LessOrEqual(t, p.Branching, MaxBranching)
}

func TestTrackerOutOfOrder(t *testing.T) {
	rs := synthetic(500, 1)
	sorted := &Tracker{Posted: t0, Followers: 5000}
	shuffled := &Tracker{Posted: t0, Followers: 5000}
	ordered := append([]Reshare(nil), rs...)
	sortReshares(ordered)
	for _, r := range ordered {
		sorted.Observe(t0.Add(r.Age), r.Followers)
	}
	for _, r := range rs {
		shuffled.Observe(t0.Add(r.Age), r.Followers)
	}
	at := t0.Add(8 * time.Hour)
	a, b := sorted.Predict(at), shuffled.Predict(at)
	assert.InEpsilon(t, a.Final, b.Final, 1e-9)
	assert.InEpsilon(t, a.Infectiousness, b.Infectiousness, 1e-9)
	assert.Equal(t, 500, shuffled.Count())
	checkFinite(t, b)
}

func sortReshares(rs []Reshare) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Age < rs[j-1].Age; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

func TestTrackerBadInput(t *testing.T) {
	at := t0.Add(time.Hour)
	for _, tc := range []struct {
		name  string
		feed  func(tr *Tracker)
		check func(t *testing.T, tr *Tracker, p Prediction)
	}{
		{"no reshares", func(tr *Tracker) {}, func(t *testing.T, tr *Tracker, p Prediction) {
			assert.Zero(t, p.Final)
			assert.Zero(t, p.High)
		}},
		{"duplicates count", func(tr *Tracker) {
			for i := 0; i < 20; i++ {
				tr.Observe(t0.Add(time.Minute), 100)
			}
		}, func(t *testing.T, tr *Tracker, p Prediction) {
			assert.Equal(t, 20.0, p.Observed)
			assert.Greater(t, tr.Predict(t0.Add(2*time.Minute)).Final, 20.0)
		}},
		{"zero followers", func(tr *Tracker) {
			tr.Followers = 0
			for i := 0; i < 30; i++ {
				tr.Observe(t0.Add(time.Duration(i)*time.Minute), 0)
			}
		}, func(t *testing.T, tr *Tracker, p Prediction) { assert.Equal(t, 30.0, p.Observed) }},
		{"absurd followers", func(tr *Tracker) {
			tr.Followers = math.MaxInt
			for i := 0; i < 30; i++ {
				tr.Observe(t0.Add(time.Duration(i)*time.Minute), math.MaxInt)
			}
		}, func(t *testing.T, tr *Tracker, p Prediction) { assert.Equal(t, 30.0, p.Observed) }},
		{"negative followers mean unknown", func(tr *Tracker) {
			for i := 0; i < 30; i++ {
				tr.Observe(t0.Add(time.Duration(i)*time.Minute), -1)
			}
		}, func(t *testing.T, tr *Tracker, p Prediction) { assert.Greater(t, p.Final, 30.0) }},
		{"reshare before the post counts at the post time", func(tr *Tracker) {
			tr.Observe(t0.Add(-time.Hour), 10)
			tr.Observe(t0.Add(-time.Second), 10)
		}, func(t *testing.T, tr *Tracker, p Prediction) { assert.Equal(t, 2.0, p.Observed) }},
		{"predict before the post", func(tr *Tracker) {
			tr.Observe(t0.Add(time.Minute), 10)
		}, func(t *testing.T, tr *Tracker, p Prediction) {
			q := tr.Predict(t0.Add(-time.Hour))
			checkFinite(t, q)
			assert.Equal(t, t0.Add(time.Minute), q.At, "clamped to the latest reshare")
		}},
		{"far future reshare", func(tr *Tracker) {
			tr.Observe(t0.Add(100*365*24*time.Hour), 10)
			tr.Observe(t0.Add(time.Minute), 10)
		}, func(t *testing.T, tr *Tracker, p Prediction) { assert.Equal(t, 2.0, p.Observed) }},
		{"counts out of order and decreasing", func(tr *Tracker) {
			tr.ObserveCount(t0.Add(10*time.Minute), 50)
			tr.ObserveCount(t0.Add(5*time.Minute), 80)  // older poll: ignored
			tr.ObserveCount(t0.Add(20*time.Minute), 40) // lower total: kept at 50
			tr.ObserveCount(t0.Add(30*time.Minute), 90)
			tr.ObserveCount(t0.Add(30*time.Minute), 90) // duplicate poll
		}, func(t *testing.T, tr *Tracker, p Prediction) { assert.Equal(t, 90.0, p.Observed) }},
		{"negative and huge totals", func(tr *Tracker) {
			tr.ObserveCount(t0.Add(10*time.Minute), -5)
			tr.ObserveCount(t0.Add(20*time.Minute), math.MaxInt)
		}, func(t *testing.T, tr *Tracker, p Prediction) {
			assert.Equal(t, float64(math.MaxInt), p.Observed)
			assert.Equal(t, math.MaxInt/2, tr.Count())
		}},
		{"modes do not mix", func(tr *Tracker) {
			tr.Observe(t0.Add(time.Minute), 10)
			tr.ObserveCount(t0.Add(2*time.Minute), 500)
		}, func(t *testing.T, tr *Tracker, p Prediction) { assert.Equal(t, 1.0, p.Observed) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &Tracker{Posted: t0, Followers: 1000}
			tc.feed(tr)
			for _, m := range []*Model{nil, {Rhythm: TwitterRhythm()}} {
				tr.Model = m
				p := tr.Predict(at)
				checkFinite(t, p)
				tc.check(t, tr, p)
			}
		})
	}
}

func TestTrackerZeroValue(t *testing.T) {
	var tr Tracker
	p := tr.Predict(t0)
	checkFinite(t, p)
	assert.Equal(t, t0, p.At)
	tr.Observe(t0.Add(time.Hour), 10) // first observation sets the post time
	assert.Equal(t, t0.Add(time.Hour), tr.Posted)
	checkFinite(t, tr.Predict(t0.Add(2*time.Hour)))
}

// TestTrackerGrowth: more reshares now means a larger forecast, and the
// forecast never drops below what was seen.
func TestTrackerGrowth(t *testing.T) {
	small, big := &Tracker{Posted: t0, Followers: 1000}, &Tracker{Posted: t0, Followers: 1000}
	for i := 0; i < 3600; i += 30 {
		small.Observe(t0.Add(time.Duration(i)*time.Second), 500)
		for j := 0; j < 4; j++ {
			big.Observe(t0.Add(time.Duration(i)*time.Second), 500)
		}
	}
	at := t0.Add(time.Hour)
	ps, pb := small.Predict(at), big.Predict(at)
	assert.Greater(t, pb.Final, ps.Final)
	assert.Greater(t, ps.Final, ps.Observed)
	// a week later nothing more is expected
	late := small.Predict(t0.Add(8 * 24 * time.Hour))
	assert.Equal(t, late.Observed, late.Final)
}

// TestFewReshares: with few reshares to go on, the forecast stays near
// what was seen (the count still to come is a skewed guess on little
// evidence: its median, not its mean, is reported).
func TestFewReshares(t *testing.T) {
	tr := &Tracker{Posted: t0, Followers: 2700}
	tr.Observe(t0.Add(53*time.Minute), 67)
	p := tr.Predict(t0.Add(time.Hour))
	assert.Less(t, p.Final, 10.0)
	assert.Greater(t, p.High, p.Final)
}

// TestRhythm: the same reshares seen in the audience's quietest hour
// mean a more infectious post than if seen in its busiest, and, with the
// busy hours ahead, a larger forecast.
func TestRhythm(t *testing.T) {
	m := Model{Rhythm: TwitterRhythm()}
	predict := func(posted time.Time) Prediction {
		tr := &Tracker{Posted: posted, Followers: 1_000_000, Model: &m}
		for i := 1; i <= 100; i++ {
			tr.Observe(posted.Add(time.Duration(i*i)*time.Hour/10000), 100)
		}
		return tr.Predict(posted.Add(time.Hour))
	}
	busy := predict(time.Date(2026, 3, 2, 13, 30, 0, 0, time.UTC))
	quiet := predict(time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC))
	require.Less(t, quiet.Branching, MaxBranching, "the cap does not bind")
	assert.Greater(t, quiet.Infectiousness, 2*busy.Infectiousness)
	assert.Greater(t, quiet.Final, busy.Final)
	// absurd rhythms are clamped
	tr := &Tracker{Posted: t0, Followers: 5000}
	tr.Observe(t0.Add(time.Minute), 500)
	for _, r := range []Rhythm{{Amplitude: 5, Peak: -time.Hour}, {Amplitude: math.NaN()}, {Amplitude: math.Inf(1), Peak: math.MaxInt64}} {
		m := Model{Rhythm: r}
		tr.Model = &m
		checkFinite(t, tr.Predict(t0.Add(time.Hour)))
	}
}

// TestCountModeTracksEvents: polling the totals every 5 minutes gives a
// forecast close to the event-mode one on the same cascade when the
// resharers' follower counts are not known anyway.
func TestCountModeTracksEvents(t *testing.T) {
	rs := synthetic(3000, 2)
	sortReshares(rs)
	ev := &Tracker{Posted: t0}
	ct := &Tracker{Posted: t0}
	for _, r := range rs {
		if r.Age <= 2*time.Hour {
			ev.Observe(t0.Add(r.Age), -1)
		}
	}
	c := Cascade{Reshares: rs}
	for at := 5 * time.Minute; at <= 2*time.Hour; at += 5 * time.Minute {
		ct.ObserveCount(t0.Add(at), c.ObservedBy(at))
	}
	at := t0.Add(2 * time.Hour)
	pe, pc := ev.Predict(at), ct.Predict(at)
	assert.Equal(t, pe.Observed, pc.Observed)
	assert.InEpsilon(t, pe.Infectiousness, pc.Infectiousness, 0.2)
	assert.InEpsilon(t, pe.Final, pc.Final, 0.1)
}

func TestKernel(t *testing.T) {
	k := Kernel{}.norm()
	assert.Equal(t, Kernel{S0: 300, Theta: 0.242}, k)
	// cdf and moment are integrals of φ and s·φ: check by quadrature
	phi := func(s float64) float64 {
		if s <= k.S0 {
			return 1 / k.mass()
		}
		return math.Pow(s/k.S0, -1-k.Theta) / k.mass()
	}
	for _, s := range []float64{100, 300, 1000, 86400} {
		c, mo, n := 0.0, 0.0, 200000
		for i := 0; i < n; i++ {
			x := (float64(i) + 0.5) * s / float64(n)
			c += phi(x) * s / float64(n)
			mo += x * phi(x) * s / float64(n)
		}
		gc, gm := k.both(s)
		assert.InEpsilon(t, c, gc, 1e-4)
		assert.InEpsilon(t, mo, gm, 1e-4)
	}
	assert.InDelta(t, 1, k.cdf(1e15), 1e-3, "a density")
	assert.Zero(t, k.windowed(0, 300))
	assert.Zero(t, k.windowed(100, 0))
	// a bad kernel falls back to the paper's
	assert.Equal(t, k, Kernel{S0: math.NaN(), Theta: 2}.norm())
}

// FuzzTracker drives a tracker with arbitrary times, follower counts and
// totals: no panic, and every prediction is finite and ordered.
func FuzzTracker(f *testing.F) {
	f.Add([]byte{0, 10, 20, 1, 30, 40, 2, 50, 60})
	f.Add([]byte{1, 255, 255, 1, 0, 0, 0, 128, 3})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 2, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		tr := &Tracker{Posted: t0, Followers: int(len(ops)) * 1000}
		for i := 0; i+2 < len(ops); i += 3 {
			at := t0.Add(time.Duration(int(ops[i+1])-64) * time.Duration(int(ops[i+1])+1) * time.Minute)
			v := int(ops[i+2])
			switch ops[i] % 4 {
			case 0:
				tr.Observe(at, v*v*v*v-1)
			case 1:
				tr.ObserveCount(at, v*v*v)
			case 2:
				checkFinite(t, tr.Predict(at))
			case 3:
				tr.Observe(at, math.MaxInt)
			}
		}
		checkFinite(t, tr.Predict(t0.Add(time.Hour)))
		tr.Model = &Model{Rhythm: TwitterRhythm()}
		checkFinite(t, tr.Predict(t0.Add(time.Hour)))
	})
}

// TestModelBadParameters: a model with broken numbers still gives finite,
// ordered predictions.
func TestModelBadParameters(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, m := range []*Model{
		{Kernel: Kernel{S0: -1, Theta: inf}, DefaultFollowers: inf, Horizon: -time.Hour},
		{Kernel: Kernel{S0: inf, Theta: nan}, DefaultFollowers: nan, Horizon: time.Nanosecond},
		{Kernel: Kernel{S0: 1e-300, Theta: 1e-300}, DefaultFollowers: 1e-300, Horizon: math.MaxInt64},
		{Rhythm: Rhythm{Amplitude: 0.9, Peak: math.MinInt64}},
	} {
		tr := &Tracker{Posted: t0, Followers: 100, Model: m}
		for i := 0; i < 100; i++ {
			tr.Observe(t0.Add(time.Duration(i)*20*time.Second), i*37)
		}
		p := tr.Predict(t0.Add(time.Hour))
		checkFinite(t, p)
		assert.Equal(t, 100.0, p.Observed)
		assert.LessOrEqual(t, p.Final, 100*math.Exp(maxLogGrowth)*1.0000001)
	}
}

func TestBins(t *testing.T) {
	assert.InDelta(t, math.Log(binRatio), logBinRatio, 1e-15)
	for _, u := range []float64{0, 29, 30, 1199, 1200, 1231, 86400, maxAge} {
		k := binIndex(u)
		assert.LessOrEqual(t, binStart(k), u*(1+1e-12), "bin of %v", u)
		assert.Greater(t, binStart(k+1), u, "bin of %v", u)
	}
}
