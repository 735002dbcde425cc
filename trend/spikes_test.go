package trend_test

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

// feed posts events for key at a Poisson-like rate per 5 minutes.
func feed(d *trend.Spikes, r *rand.Rand, key string, from, to int, rate float64) {
	for i := from; i < to; i++ {
		n := int(daily(r, i, rate))
		for j := 0; j < n; j++ {
			d.Observe(key, t0.Add(time.Duration(i)*5*time.Minute+time.Duration(j)*time.Second), 1)
		}
	}
}

func TestSpikesKeyed(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	var alerts []trend.Alert
	d := trend.Spikes{OnAlert: func(a trend.Alert) { alerts = append(alerts, a) }}
	for day := 0; day < 6; day++ {
		from, to := day*288, (day+1)*288
		feed(&d, r, "quiet", from, to, 20)
		if day == 5 {
			feed(&d, r, "bursty", from, from+150, 20)
			feed(&d, r, "bursty", from+150, from+170, 200)
			feed(&d, r, "bursty", from+170, to, 20)
		} else {
			feed(&d, r, "bursty", from, to, 20)
		}
	}
	d.Flush(t0.Add(6 * 24 * time.Hour))
	require.NotEmpty(t, alerts)
	for _, a := range alerts {
		assert.Equal(t, "bursty", a.Key)
	}
	assert.True(t, alerts[0].Open())
	// A tenfold burst opens its episode within its first two buckets.
	burst := t0.Add((5*288 + 150) * 5 * time.Minute)
	assert.False(t, alerts[0].Start.Before(burst), "no alert before the burst")
	assert.False(t, alerts[0].Start.After(burst.Add(5*time.Minute)), "alert within ten minutes of the burst")
	assert.Equal(t, 2, d.Len())
	assert.Zero(t, d.Late())
}

func TestSpikesBadInput(t *testing.T) {
	var d trend.Spikes
	d.Observe("k", t0, 1)
	d.Observe("k", t0.Add(10*time.Minute), 1)
	d.Observe("k", t0, 1) // bucket already closed
	assert.Equal(t, int64(1), d.Late())
	for _, w := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1} {
		d.Observe("k", t0.Add(10*time.Minute), w) // ignored
	}
	d.Observe("k", t0.Add(365*24*time.Hour), 1) // clock jump: restart, no year of zeros
	d.Observe("k", time.Time{}, 1)              // the zero time is just a very early time
	d.Observe("k", time.Unix(-1e9, 0), 1)
	d.Flush(t0.Add(366 * 24 * time.Hour))
	s := d.Score("k")
	assert.True(t, s >= 0 && s <= 1)
	assert.Zero(t, d.Score("unknown"))
}

func TestSpikesMaxKeys(t *testing.T) {
	d := trend.Spikes{MaxKeys: 100}
	for i := 0; i < 10_000; i++ {
		d.Observe(fmt.Sprint("key", i), t0.Add(time.Duration(i)*time.Second), 1)
	}
	assert.LessOrEqual(t, d.Len(), 100)
}

func ExampleSpikes() {
	det := trend.Spikes{OnAlert: func(a trend.Alert) {
		fmt.Printf("%s %s open=%v at %s\n", a.Kind, a.Key, a.Open(), a.Start.Format("Mon 15:04"))
	}}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 4*288; i++ { // four days of 5-minute buckets
		at := start.Add(time.Duration(i) * 5 * time.Minute)
		n := 10 + i%3 // steady mentions
		if i >= 3*288+120 && i < 3*288+132 {
			n = 150 // one hour of uproar on Thursday at 10:00
		}
		for j := 0; j < n; j++ {
			det.Observe("acme", at, 1)
		}
	}
	det.Flush(start.Add(4 * 24 * time.Hour))
	// Output:
	// spike acme open=true at Thu 10:00
	// spike acme open=false at Thu 10:00
}

func TestSpikesDSTLocalTimes(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	// Events stamped in local time across the November fall-back, when
	// 01:00-02:00 happens twice. Buckets are instants, so the repeated hour
	// is simply two more hours of buckets: nothing is late or lost.
	r := rand.New(rand.NewSource(11))
	var d trend.Spikes
	start := time.Date(2025, 10, 25, 0, 0, 0, 0, ny)
	n := 0
	for i := 0; i < 14*288; i++ {
		at := start.Add(time.Duration(i) * 5 * time.Minute)
		for j := 0; j < int(daily(r, i, 10)); j++ {
			d.Observe("k", at, 1)
			n++
		}
	}
	assert.Zero(t, d.Late())
	// A source that re-sends the repeated hour with naive local times maps
	// it to the earlier instants: those events are late and counted.
	d.Observe("k", time.Date(2025, 11, 2, 1, 30, 0, 0, ny), 1)
	assert.Equal(t, int64(1), d.Late())
	assert.Greater(t, n, 0)
}

// TestSpikesKeyBornInWave: a key first seen during a wave (a brand's
// negative posts, first heard in a complaint storm) alerts on the wave:
// the detector has been listening, so the key's past is zeros, not a
// warm-up. A key born while the detector itself is young still waits.
func TestSpikesKeyBornInWave(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	var alerts []trend.Alert
	d := trend.Spikes{OnAlert: func(a trend.Alert) { alerts = append(alerts, a) }}
	feed(&d, r, "acme", 0, 3*288, 20) // three days of ordinary mentions
	wave := 3*288 + 120
	for i := wave; i < wave+24; i++ {
		at := t0.Add(time.Duration(i) * 5 * time.Minute)
		for j := 0; j < 30; j++ {
			d.Observe("acme/negative", at.Add(time.Duration(j)*time.Second), 1)
		}
	}
	d.Flush(t0.Add(4 * 24 * time.Hour))
	require.NotEmpty(t, alerts, "the key born in the wave alerts")
	assert.Equal(t, "acme/negative", alerts[0].Key)
	assert.True(t, alerts[0].Open())
	start := t0.Add(time.Duration(wave) * 5 * time.Minute)
	assert.False(t, alerts[0].Start.Before(start))
	assert.False(t, alerts[0].Start.After(start.Add(10*time.Minute)), "within three buckets of the wave")

	// The same wave two hours after the detector's first event: no alert,
	// since the detector has no day of history to judge it by.
	alerts = nil
	var young trend.Spikes
	young.OnAlert = func(a trend.Alert) { alerts = append(alerts, a) }
	feed(&young, r, "acme", 0, 24, 20)
	for i := 24; i < 48; i++ {
		for j := 0; j < 30; j++ {
			young.Observe("acme/negative", t0.Add(time.Duration(i)*5*time.Minute), 1)
		}
	}
	young.Flush(t0.Add(24 * time.Hour))
	assert.Empty(t, alerts)
}

type event struct {
	key string
	at  time.Time
}

// TestSpikesArrivalOrder: the same events give the same alerts in any
// arrival order within Lateness, and none is dropped; an event later than
// that is dropped and counted.
func TestSpikesArrivalOrder(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	var events []event
	for i := 0; i < 4*288; i++ {
		for _, key := range []string{"acme", "globex"} {
			n := int(daily(r, i, 15))
			if key == "globex" && i >= 3*288+50 && i < 3*288+62 {
				n *= 8 // an hour of uproar
			}
			for j := 0; j < n; j++ {
				at := t0.Add(time.Duration(i)*5*time.Minute + time.Duration(r.Int63n(int64(5*time.Minute))))
				events = append(events, event{key, at})
			}
		}
	}
	end := t0.Add(4*24*time.Hour + time.Hour)
	run := func(order []event) ([]string, int64) {
		var got []string
		d := trend.Spikes{Lateness: 3 * time.Minute, OnAlert: func(a trend.Alert) { got = append(got, a.String()) }}
		for _, e := range order {
			d.Observe(e.key, e.at, 1)
		}
		d.Flush(end)
		sort.Strings(got)
		return got, d.Late()
	}
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, func(a, b event) int { return a.at.Compare(b.at) })
	want, late := run(sorted)
	require.NotEmpty(t, want, "the uproar alerts")
	assert.Zero(t, late)
	for seed := int64(0); seed < 4; seed++ {
		// Each event arrives up to 3 minutes after its time: any event is
		// at most that much older than one that came before it.
		rr := rand.New(rand.NewSource(seed))
		type arrival struct {
			e  event
			by time.Time
		}
		var as []arrival
		for _, e := range events {
			as = append(as, arrival{e, e.at.Add(time.Duration(rr.Int63n(int64(3 * time.Minute))))})
		}
		slices.SortStableFunc(as, func(a, b arrival) int { return a.by.Compare(b.by) })
		order := make([]event, len(as))
		for i, a := range as {
			order[i] = a.e
		}
		got, late := run(order)
		assert.Equal(t, want, got, "arrival order %d", seed)
		assert.Zero(t, late, "arrival order %d", seed)
	}
	// One event 20 minutes late: its bucket has closed; it is counted.
	order := slices.Clone(sorted)
	i := len(order) / 2
	e := order[i]
	order = slices.Delete(order, i, i+1)
	j, _ := slices.BinarySearchFunc(order, e.at.Add(20*time.Minute), func(a event, at time.Time) int { return a.at.Compare(at) })
	order = slices.Insert(order, j, e)
	_, late = run(order)
	assert.Equal(t, int64(1), late)
}

// TestSpikesMemory measures the heap a key costs, map and key bytes
// included, and checks it against the figure the documentation states.
func TestSpikesMemory(t *testing.T) {
	const n = 2000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("brand-%06d", i) // 12 bytes
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	d := &trend.Spikes{MaxKeys: n}
	for i := 0; i < 3; i++ {
		for _, k := range keys {
			d.Observe(k, t0.Add(time.Duration(i)*10*time.Minute), 1)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	per := float64(ms.HeapAlloc-before) / n
	runtime.KeepAlive(d)
	t.Logf("Spikes: %.0f bytes a key (12-byte keys, map included)", per)
	assert.Equal(t, n, d.Len())
	assert.Less(t, per, 1.1*1850, "the documented 1,850 bytes a key")
	assert.Greater(t, per, 0.9*1850, "the documented figure is not stale")
}
