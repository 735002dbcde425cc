package trend_test

import (
	"fmt"
	"math"
	"math/rand"
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
