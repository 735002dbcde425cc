package trend_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

// bruteVoices counts ms of key exactly.
func bruteVoices(ms []trend.Mention, key string, k int) trend.Drivers {
	type acc struct{ all, pos, neg, followers, posF, negF int }
	by := map[string]*acc{}
	for _, m := range ms {
		if m.Key != key || m.Author == "" {
			continue
		}
		a := by[m.Author]
		if a == nil {
			a = &acc{}
			by[m.Author] = a
		}
		a.all++
		a.followers = max(a.followers, m.Followers)
		switch {
		case m.Sentiment >= 0.05:
			a.pos++
			a.posF = max(a.posF, m.Followers)
		case m.Sentiment <= -0.05:
			a.neg++
			a.negF = max(a.negF, m.Followers)
		}
	}
	all := func(a *acc) (int, int) { return a.all, a.followers }
	list := func(count func(*acc) (int, int), least int, byFollowers bool) []trend.Voice {
		var out []trend.Voice
		for name, a := range by {
			if n, f := count(a); n >= least {
				out = append(out, trend.Voice{Author: name, Mentions: n, Followers: f})
			}
		}
		sort.Slice(out, func(i, j int) bool {
			x, y := out[i], out[j]
			if byFollowers && x.Followers != y.Followers {
				return x.Followers > y.Followers
			}
			if x.Mentions != y.Mentions {
				return x.Mentions > y.Mentions
			}
			return x.Author < y.Author
		})
		if len(out) > k {
			out = out[:k]
		}
		return out
	}
	return trend.Drivers{
		Key:        key,
		ByMentions: list(all, 1, false),
		ByReach:    list(all, 1, true),
		Advocates:  list(func(a *acc) (int, int) { return a.pos, a.posF }, 2, false),
		Detractors: list(func(a *acc) (int, int) { return a.neg, a.negF }, 2, false),
	}
}

// TestVoicesExact checks the lists against a brute-force count when a key
// has fewer authors than the summaries hold.
func TestVoicesExact(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var ms []trend.Mention
	for i := range 2000 {
		a := r.IntN(35)
		ms = append(ms, trend.Mention{
			Key: []string{"acme", "rival"}[i%2], At: mt0.Add(time.Duration(i) * time.Second),
			Author: fmt.Sprint("u", a), Followers: a*1000 + r.IntN(3), // distinct follower counts per author
			Sentiment: []float64{-0.6, 0, 0.7}[r.IntN(3)],
		})
	}
	var v trend.Voices
	for _, m := range ms {
		v.Add(m)
	}
	for _, key := range []string{"acme", "rival"} {
		got := v.Drivers(key, mt0)
		want := bruteVoices(ms, key, 10)
		want.Start, want.End = mt0, mt0.Add(24*time.Hour)
		assert.Equal(t, want, got, key)
	}
	assert.Zero(t, v.Late())
}

// TestVoicesHeavyHitters checks that with far more authors than the
// summaries hold, the authors with more than 1/40 of the mentions are
// found, and their counts are never overstated.
func TestVoicesHeavyHitters(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var ms []trend.Mention
	for i := range 50_000 {
		author := fmt.Sprint("crowd", r.IntN(20_000))
		if i%4 == 0 {
			author = fmt.Sprint("fan", r.IntN(5)) // five authors write a quarter of the posts
		}
		ms = append(ms, trend.Mention{Key: "acme", At: mt0.Add(time.Duration(i) * time.Second / 2), Author: author, Sentiment: 0.5})
	}
	var v trend.Voices
	for _, m := range ms {
		v.Add(m)
	}
	got := v.Drivers("acme", mt0)
	want := bruteVoices(ms, "acme", 10)
	counts := map[string]int{}
	for _, x := range want.ByMentions {
		counts[x.Author] = x.Mentions
	}
	var top5 []string
	for _, x := range got.ByMentions[:5] {
		top5 = append(top5, x.Author)
		assert.LessOrEqual(t, x.Mentions, counts[x.Author], "a lower bound")
		assert.Greater(t, x.Mentions, counts[x.Author]*8/10)
	}
	sort.Strings(top5)
	assert.Equal(t, []string{"fan0", "fan1", "fan2", "fan3", "fan4"}, top5)
	require.Len(t, got.Advocates, 5, "only the fans are surely positive twice")
}

func TestVoicesPeriods(t *testing.T) {
	var v trend.Voices
	v.Add(trend.Mention{Key: "acme", At: mt0.Add(time.Hour), Author: "ana", Followers: 10, Sentiment: -1})
	v.Add(trend.Mention{Key: "acme", At: mt0.Add(2 * time.Hour), Author: "ana", Followers: 12, Sentiment: -1})
	v.Add(trend.Mention{Key: "acme", At: mt0.Add(3 * time.Hour), Author: "ben", Followers: 500})
	v.Add(trend.Mention{Key: "acme", At: mt0.Add(25 * time.Hour), Author: "cy", Followers: 1})
	v.Add(trend.Mention{Key: "acme", At: mt0.Add(5 * time.Hour), Author: "dee"}) // yesterday: too late
	v.Add(trend.Mention{Key: "acme", At: mt0, Text: "no author"})
	assert.Equal(t, int64(1), v.Late())

	day1 := v.Drivers("acme", mt0.Add(12*time.Hour))
	assert.Equal(t, trend.Drivers{
		Key: "acme", Start: mt0, End: mt0.Add(24 * time.Hour),
		ByMentions: []trend.Voice{{"ana", 2, 12}, {"ben", 1, 500}},
		ByReach:    []trend.Voice{{"ben", 1, 500}, {"ana", 2, 12}},
		Detractors: []trend.Voice{{"ana", 2, 12}},
	}, day1)
	day2 := v.Drivers("acme", mt0.Add(30*time.Hour))
	assert.Equal(t, []trend.Voice{{"cy", 1, 1}}, day2.ByMentions)
	assert.Empty(t, v.Drivers("acme", mt0.Add(-time.Hour)).ByMentions)
	assert.Equal(t, mt0.Add(-24*time.Hour), v.Drivers("acme", mt0.Add(-time.Hour)).Start)
	assert.Empty(t, v.Drivers("nobody", mt0).ByMentions)

	// Two periods later, the first is gone.
	v.Add(trend.Mention{Key: "acme", At: mt0.Add(73 * time.Hour), Author: "eve"})
	assert.Empty(t, v.Drivers("acme", mt0.Add(50*time.Hour)).ByMentions)
}

func TestVoicesInfluencer(t *testing.T) {
	var alerts []trend.Alert
	v := trend.Voices{Influencer: 1000, OnAlert: func(a trend.Alert) { alerts = append(alerts, a) }}
	v.Add(trend.Mention{Key: "acme", At: mt0, ID: "1", Text: "acme is great", Author: "star", Followers: 250_000, Sentiment: 0.8})
	v.Add(trend.Mention{Key: "acme", At: mt0.Add(time.Minute), ID: "2", Author: "star", Followers: 250_000}) // once per period
	v.Add(trend.Mention{Key: "rival", At: mt0.Add(time.Minute), ID: "3", Author: "star", Followers: 250_000})
	v.Add(trend.Mention{Key: "acme", At: mt0.Add(time.Minute), ID: "4", Author: "small", Followers: 999})
	v.Add(trend.Mention{Key: "acme", At: mt0.Add(time.Minute), ID: "5", Author: "mid", Followers: 20_000, Sentiment: -0.5})
	v.Add(trend.Mention{Key: "acme", At: mt0.Add(25 * time.Hour), ID: "6", Author: "star", Followers: 1000})
	require.Len(t, alerts, 4)
	a := alerts[0]
	assert.Equal(t, trend.AlertInfluencer, a.Kind)
	assert.Equal(t, "acme", a.Key)
	assert.Equal(t, trend.Critical, a.Severity)
	assert.False(t, a.Open(), "a one-off episode")
	assert.Equal(t, "star (250000 followers) mentioned acme (positive)", a.Summary)
	assert.Equal(t, []trend.Evidence{{ID: "1", Text: "acme is great", At: mt0}}, a.Evidence)
	assert.Equal(t, "rival", alerts[1].Key)
	assert.Equal(t, trend.Warning, alerts[2].Severity)
	assert.Contains(t, alerts[2].Summary, "(negative)")
	assert.Equal(t, trend.Info, alerts[3].Severity)
	assert.InDelta(t, 0.5, alerts[3].Score, 1e-9)

	quiet := trend.Voices{Influencer: -1, OnAlert: func(a trend.Alert) { t.Fatal("alert with alerts off") }}
	quiet.Add(trend.Mention{Key: "acme", At: mt0, Author: "star", Followers: 1e9})

	flood := trend.Voices{OnAlert: func(trend.Alert) {}}
	for i := range 300 {
		flood.Add(trend.Mention{Key: "acme", At: mt0, Author: fmt.Sprint("star", i), Followers: 1e6})
	}
	assert.Equal(t, int64(44), flood.Suppressed())
}
