package trend_test

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

// post draws a compound score: negative with probability pNeg.
func post(r *rand.Rand, pNeg float64) float64 {
	if r.Float64() < pNeg {
		return -0.2 - 0.7*r.Float64()
	}
	return 0.8*r.Float64() - 0.04
}

func TestShiftStable(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var alerts []trend.Alert
	d := trend.Shift{OnAlert: func(a trend.Alert) { alerts = append(alerts, a) }}
	for i := 0; i < 20_000; i++ {
		for _, key := range []string{"calm", "grumpy"} {
			p := 0.1
			if key == "grumpy" {
				p = 0.6 // always negative: its own baseline, not a shift
			}
			d.Observe(key, t0.Add(time.Duration(i)*time.Second), post(r, p), fmt.Sprint(i), "")
		}
	}
	assert.LessOrEqual(t, len(alerts), 2, "about one false alarm per 20,000 posts at most: %v", alerts)
}

func TestShiftDetectsRise(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	var alerts []trend.Alert
	d := trend.Shift{OnAlert: func(a trend.Alert) { alerts = append(alerts, a) }, MaxEvidence: 3}
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	i := 0
	for ; i < 2000; i++ {
		d.Observe("acme", at(i), post(r, 0.1), fmt.Sprint("p", i), "fine")
	}
	riseAt := i
	for ; i < 2300; i++ {
		c := post(r, 0.5)
		text := "meh"
		if c < -0.85 {
			text = "acme lost my data, furious"
		}
		d.Observe("acme", at(i), c, fmt.Sprint("p", i), text)
	}
	for ; i < 6000; i++ {
		d.Observe("acme", at(i), post(r, 0.1), fmt.Sprint("p", i), "fine")
	}
	require.NotEmpty(t, alerts)
	a := alerts[0]
	assert.Equal(t, trend.AlertSentiment, a.Kind)
	assert.Equal(t, "acme", a.Key)
	assert.True(t, a.Open())
	assert.False(t, a.Start.Before(at(riseAt-60)), "the run starts near the rise")
	assert.True(t, a.Peak.Before(at(riseAt+100)), "detected within 100 posts")
	require.Len(t, a.Evidence, 3)
	for _, e := range a.Evidence {
		assert.True(t, strings.HasPrefix(e.ID, "p"))
	}
	last := alerts[len(alerts)-1]
	assert.False(t, last.Open(), "the episode ends after sentiment recovers")
	assert.Equal(t, a.Start, last.Start)
	opens := 0
	for _, x := range alerts {
		if x.Open() {
			opens++
		}
	}
	assert.Equal(t, 1, opens, "one episode")
}

func TestShiftMinVolume(t *testing.T) {
	var alerts int
	d := trend.Shift{OnAlert: func(trend.Alert) { alerts++ }}
	for i := 0; i < 99; i++ { // below the warm-up volume
		d.Observe("tiny", t0, -0.9, "x", "")
	}
	assert.Zero(t, alerts)
	assert.False(t, d.Open("tiny"))
}

func TestShiftBadInput(t *testing.T) {
	var d trend.Shift
	for i, c := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 5, -5, 0} {
		d.Observe("k", t0.Add(-time.Duration(i)*time.Hour), c, "", strings.Repeat("é", 1000))
	}
	assert.False(t, d.Open("k"))
	assert.False(t, d.Open("absent"))
	d2 := trend.Shift{MaxKeys: 10}
	for i := 0; i < 1000; i++ {
		d2.Observe(fmt.Sprint(i), t0, -1, "", "")
	}
}

func ExampleShift() {
	d := trend.Shift{OnAlert: func(a trend.Alert) {
		if a.Open() {
			fmt.Printf("%s %s: %d posts as evidence, worst %q\n", a.Kind, a.Key, len(a.Evidence), a.Evidence[0].Text)
		}
	}, MaxEvidence: 2}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 600; i++ {
		compound, text := 0.5, "love it"
		if i%10 == 0 {
			compound, text = -0.3, "meh"
		}
		if i >= 500 && i%2 == 0 {
			compound, text = -0.9, "the update broke everything"
		}
		d.Observe("acme", start.Add(time.Duration(i)*time.Minute), compound, fmt.Sprint(i), text)
	}
	// Output:
	// sentiment acme: 2 posts as evidence, worst "the update broke everything"
}
