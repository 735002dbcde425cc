package viral

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

// feed gives post a reshare every gap from its post time until until.
func feed(d *Detector, post string, posted time.Time, gap, until time.Duration) {
	for a := gap; a <= until; a += gap {
		d.Observe(post, posted, posted.Add(a), 2000)
	}
}

func TestDetectorThreshold(t *testing.T) {
	d := &Detector{Threshold: 500}
	feed(d, "hot", t0, 5*time.Second, 30*time.Minute)   // 360 reshares and going
	feed(d, "cold", t0, 2*time.Minute, 30*time.Minute)  // 15
	feed(d, "tiny", t0, 10*time.Minute, 30*time.Minute) // 3 < MinCount
	at := t0.Add(30 * time.Minute)
	as := d.Check(at)
	require.Len(t, as, 1)
	a := as[0]
	assert.Equal(t, trend.AlertViral, a.Kind)
	assert.Equal(t, "hot", a.Key)
	assert.True(t, a.Open())
	assert.Equal(t, at, a.Start)
	assert.GreaterOrEqual(t, a.Score, 500.0)
	assert.Contains(t, a.Summary, "360 reshares after 30m0s")
	assert.Equal(t, []trend.Evidence{{ID: "hot", At: t0}}, a.Evidence)

	// nothing changed: nothing to report
	assert.Empty(t, d.Check(at))

	top := d.Top(at, 2)
	require.Len(t, top, 2)
	assert.Equal(t, "hot", top[0].Key)
	assert.Equal(t, "cold", top[1].Key)
	assert.Greater(t, top[0].Final, top[1].Final)
}

func TestDetectorTopK(t *testing.T) {
	d := &Detector{TopK: 1}
	feed(d, "a", t0, 20*time.Second, 20*time.Minute)
	feed(d, "b", t0, 60*time.Second, 20*time.Minute)
	as := d.Check(t0.Add(20 * time.Minute))
	require.Len(t, as, 1)
	assert.Equal(t, "a", as[0].Key)
	assert.Equal(t, trend.Warning, as[0].Severity)

	// b overtakes a: a's episode closes, b's opens
	feed(d, "b", t0.Add(-20*time.Minute), time.Second, 40*time.Minute)
	as = d.Check(t0.Add(20 * time.Minute))
	require.Len(t, as, 2)
	assert.Equal(t, "b", as[0].Key)
	assert.True(t, as[0].Open())
	assert.Equal(t, "a", as[1].Key)
	assert.False(t, as[1].Open())
}

func TestDetectorGrowthAndAgeOut(t *testing.T) {
	d := &Detector{Threshold: 35, MaxAge: 24 * time.Hour}
	feed(d, "p", t0, time.Minute, 20*time.Minute)
	first := d.Check(t0.Add(20 * time.Minute))
	require.Len(t, first, 1)
	// the post speeds up: the episode is reported again, same Start
	for a := 20 * time.Minute; a < 60*time.Minute; a += 2 * time.Second {
		d.Observe("p", t0, t0.Add(a), 2000)
	}
	again := d.Check(t0.Add(time.Hour))
	require.Len(t, again, 1)
	assert.Equal(t, first[0].Start, again[0].Start)
	assert.Equal(t, t0.Add(time.Hour), again[0].Peak)
	assert.Greater(t, again[0].Score, first[0].Score)
	assert.True(t, again[0].Open())
	// past MaxAge: closed and forgotten; late reshares are ignored
	end := t0.Add(25 * time.Hour)
	closed := d.Check(end)
	require.Len(t, closed, 1)
	assert.Equal(t, end, closed[0].End)
	assert.Zero(t, d.Len())
	d.Observe("p", t0, end, 10)
	assert.Zero(t, d.Len())
}

func TestDetectorBounded(t *testing.T) {
	d := &Detector{Threshold: 1, MinCount: 1, MaxPosts: 100}
	for i := 0; i < 1000; i++ {
		post := fmt.Sprintf("p%d", i)
		d.Observe(post, t0, t0.Add(time.Duration(i)*time.Second), 10)
		d.Observe(post, t0, t0.Add(time.Duration(i)*time.Second), 10)
		require.LessOrEqual(t, d.Len(), 100)
		if i == 50 {
			require.Len(t, d.Check(t0.Add(time.Minute)), 51)
		}
	}
	// the 51 flagged posts were evicted: their episodes close
	as := d.Check(t0.Add(time.Hour))
	closed := 0
	for _, a := range as {
		if !a.Open() {
			closed++
		}
	}
	assert.Equal(t, 51, closed)
	_, ok := d.posts["p999"]
	assert.True(t, ok, "the most recent posts stay")
}

func TestDetectorZeroValue(t *testing.T) {
	var d Detector
	assert.Empty(t, d.Check(t0))
	assert.Empty(t, d.Top(t0, 3))
	d.ObserveCount("p", time.Time{}, t0, 10)
	d.ObserveCount("p", time.Time{}, t0.Add(5*time.Minute), 400)
	assert.Empty(t, d.Check(t0.Add(5*time.Minute)), "no threshold, no top-k")
	top := d.Top(t0.Add(5*time.Minute), -1)
	assert.Empty(t, top)
	top = d.Top(t0.Add(5*time.Minute), 1)
	require.Len(t, top, 1)
	assert.False(t, math.IsNaN(top[0].Final))
	assert.Equal(t, 400.0, top[0].Observed)
}

func TestDetectorTrack(t *testing.T) {
	d := &Detector{}
	d.Track("big", t0, 5_000_000)
	d.Track("small", t0, 50)
	d.Track("nowhen", time.Time{}, 10) // no post time: ignored
	assert.Equal(t, 2, d.Len())
	for a := 10 * time.Second; a <= 30*time.Minute; a += 10 * time.Second {
		d.Observe("big", t0, t0.Add(a), 300)
		d.Observe("small", t0, t0.Add(a), 300)
	}
	top := d.Top(t0.Add(30*time.Minute), 2)
	require.Len(t, top, 2)
	var big, small Prediction
	for _, r := range top {
		if r.Key == "big" {
			big = r.Prediction
		} else {
			small = r.Prediction
		}
	}
	assert.Equal(t, big.Observed, small.Observed)
	// the same reshares against a far larger exposure: lower infectiousness
	assert.Less(t, big.Infectiousness, small.Infectiousness)
	assert.Equal(t, 5_000_000, d.posts["big"].tr.Followers)
}
