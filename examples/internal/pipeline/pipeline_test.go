package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/examples/sample"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/trend"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func post(id, text string, at time.Time) listen.Post {
	return listen.Post{Platform: "mastodon", ID: id, Text: text, Lang: "en", Created: at, Author: listen.Author{Handle: "a" + id}}
}

func TestNewValidates(t *testing.T) {
	_, err := New(Config{})
	assert.ErrorContains(t, err, "pipeline: no keys")
	_, err = New(Config{Keys: []Key{{Name: "a", Query: "x"}, {Name: "a", Query: "y"}}})
	assert.ErrorContains(t, err, `key "a" named twice`)
	_, err = New(Config{Keys: []Key{{Name: "a", Query: `"open`}}})
	assert.ErrorContains(t, err, `pipeline: key "a"`)
	p, err := New(Config{Keys: []Key{{Query: "coffee"}}})
	require.NoError(t, err)
	assert.Equal(t, []Key{{Name: "coffee", Query: "coffee"}}, p.Keys(), "a key without a name is named by its query")
}

func TestDurationJSON(t *testing.T) {
	var th Thresholds
	require.NoError(t, json.Unmarshal([]byte(`{"spike_bucket":"5m","spike_warmup":"2h30m"}`), &th))
	assert.Equal(t, Duration(5*time.Minute), th.SpikeBucket)
	assert.Equal(t, Duration(150*time.Minute), th.SpikeWarmup)
	b, err := json.Marshal(th)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"spike_bucket":"5m0s"`)
	assert.Error(t, json.Unmarshal([]byte(`{"spike_bucket":"soon"}`), &th))
	assert.Error(t, json.Unmarshal([]byte(`{"spike_bucket":300}`), &th))
}

func TestObserveMatchesKeysAndFillsPoints(t *testing.T) {
	p, err := New(Config{Keys: []Key{{Name: "brand", Query: "larkspur"}, {Name: "plus", Query: `"larkspur plus"`}}, ChartPoints: 5})
	require.NoError(t, err)
	ctx := context.Background()
	r := p.Observe(ctx, post("1", "I love Larkspur, wonderful coffee", t0))
	assert.Equal(t, []string{"brand"}, r.Matched)
	assert.True(t, r.Scored)
	assert.Greater(t, r.Score.Compound, 0.5)
	r = p.Observe(ctx, post("2", "Larkspur Plus is awful and greedy", t0.Add(10*time.Minute)))
	assert.Equal(t, []string{"brand", "plus"}, r.Matched)
	assert.Less(t, r.Score.Compound, -0.5)
	r = p.Observe(ctx, post("3", "tea is nice", t0.Add(20*time.Minute)))
	assert.Empty(t, r.Matched)
	// Three hours later: two empty points fill the gap.
	p.Observe(ctx, post("4", "larkspur opens at 8", t0.Add(3*time.Hour)))
	// A late post goes to the last point, never back in time.
	p.Observe(ctx, post("5", "larkspur again", t0.Add(time.Hour)))

	st := p.Snapshot()
	require.Len(t, st.Keys, 2)
	brand := st.Keys[0]
	assert.Equal(t, 4, brand.Posts)
	require.Len(t, brand.Points, 4)
	for i, pt := range brand.Points {
		assert.Equal(t, t0.Add(time.Duration(i)*time.Hour), pt.At)
	}
	assert.Equal(t, Point{At: t0, Posts: 2, Scored: 2, Negative: 1, Positive: 1, Compound: brand.Points[0].Compound}, brand.Points[0])
	assert.Zero(t, brand.Points[1].Posts)
	assert.Equal(t, 2, brand.Points[3].Posts)
	assert.Equal(t, 1, st.Keys[1].Posts)
	assert.Equal(t, 5, st.Heard)
	assert.Equal(t, 4, st.Matched)
	assert.Equal(t, t0.Add(3*time.Hour), st.At)

	// ChartPoints bounds the history.
	for h := 4; h < 12; h++ {
		p.Observe(ctx, post(fmt.Sprint("h", h), "larkspur", t0.Add(time.Duration(h)*time.Hour)))
	}
	pts := p.Snapshot().Keys[0].Points
	require.Len(t, pts, 5)
	assert.Equal(t, t0.Add(11*time.Hour), pts[4].At)
	// A gap longer than the chart starts afresh.
	p.Observe(ctx, post("far", "larkspur", t0.Add(48*time.Hour)))
	assert.Len(t, p.Snapshot().Keys[0].Points, 1)

	// A snapshot shares nothing with the pipeline.
	st = p.Snapshot()
	st.Keys[0].Points[0].Posts = 999
	assert.NotEqual(t, 999, p.Snapshot().Keys[0].Points[0].Posts)
}

// On the sample data with two keys, each key gets its own alerts, titled
// with the key, with example posts, each episode reported once.
func TestSampleTwoKeys(t *testing.T) {
	var got []Alert
	p, err := New(Config{
		Keys: []Key{
			{Name: "larkspur", Query: DefaultQuery},
			{Name: "stamps", Query: "stamps OR #bringbackstamps OR #larkspurplus"},
		},
		OnAlert: func(a Alert) { got = append(got, a) },
	})
	require.NoError(t, err)
	ctx := context.Background()
	last := time.Time{}
	for post, err := range sample.Source().Posts(ctx) {
		require.NoError(t, err)
		p.Observe(ctx, post)
		if at := post.Created.Truncate(15 * time.Minute); at.After(last) {
			p.Check(at)
			last = at
		}
	}
	p.Check(p.Now())
	require.NotEmpty(t, got)
	assert.Equal(t, got, func() []Alert {
		all := p.Alerts()
		for i := range all {
			all[i].End, all[i].Peak, all[i].Severity, all[i].Score = got[i].End, got[i].Peak, got[i].Severity, got[i].Score
		}
		return all
	}(), "OnAlert saw every episode once, in order")
	seen := map[string]bool{}
	var titles []string
	for _, a := range got {
		titles = append(titles, a.Title)
		ep := fmt.Sprint(a.Kind, a.Tracked, a.Key, a.Start)
		assert.False(t, seen[ep], "episode reported twice: %s", a.Title)
		seen[ep] = true
		assert.NotEmpty(t, a.Examples, a.Title)
		assert.LessOrEqual(t, len(a.Examples), 2)
		assert.True(t, a.Open(), "only openings are reported")
		if a.Kind == trend.AlertSpike {
			assert.True(t, strings.HasPrefix(a.Title, a.Tracked+": volume spike in "+a.Series), a.Title)
		}
	}
	joined := strings.Join(titles, "\n")
	t.Log("\n" + joined)
	assert.Contains(t, joined, "negative shift for larkspur since Tue")
	assert.Contains(t, joined, "larkspur: volume spike in negative posts since Tue")
	// The stamps key starts with the wave: no baseline, so no alert (its
	// detectors are still warming up), but its chart shows the wave.
	st := p.Snapshot()
	require.Len(t, st.Keys, 2)
	peak := 0
	for _, pt := range st.Keys[1].Points {
		peak = max(peak, pt.Posts)
	}
	assert.Greater(t, peak, 30)
	assert.Less(t, st.Keys[1].Posts, st.Keys[0].Posts)
	assert.Contains(t, joined, "post going viral")

	ended := 0
	for _, a := range p.Alerts() {
		if !a.End.IsZero() {
			ended++
		}
	}
	assert.Positive(t, ended, "episodes that ended are updated in Alerts")

	v := p.Viral(p.Now(), 3)
	require.NotEmpty(t, v)
	assert.Equal(t, sample.ViralID, strings.TrimPrefix(v[0].Key, "bluesky:"))
	assert.Equal(t, "larkspur", v[0].Tracked)
	assert.GreaterOrEqual(t, v[0].Final, v[0].Observed)
	assert.True(t, v[0].Flagged)
}
