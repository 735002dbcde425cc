package trend_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

// mt0 is a Monday midnight, UTC.
var mt0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func TestMetricsCounts(t *testing.T) {
	var m trend.Metrics
	at := mt0.Add(10*time.Hour + 5*time.Minute)
	m.Add(trend.Mention{Key: "acme", At: at, Author: "x:ana", Followers: 100, Likes: 3, Reposts: 1, Sentiment: 0.6})
	m.Add(trend.Mention{Key: "acme", At: at.Add(time.Minute), Author: "x:ana", Followers: 120, Replies: 2, Sentiment: -0.4})
	m.Add(trend.Mention{Key: "acme", At: at.Add(2 * time.Minute), Author: "x:ben", Followers: 5, Quotes: 4, Sentiment: 0.01})
	m.Add(trend.Mention{Key: "acme", At: at.Add(3 * time.Minute), Sentiment: math.NaN()}) // no author, not scored
	m.Add(trend.Mention{Key: "acme", At: at.Add(time.Hour), Author: "x:ana", Followers: 90, Sentiment: -0.05})
	m.Add(trend.Mention{Key: "rival", At: at, Author: "x:cy", Followers: 7, Sentiment: 0.05, Likes: -5})

	s := m.Stats("acme", at)
	assert.Equal(t, trend.Stats{
		Key: "acme", Start: mt0.Add(10 * time.Hour), End: mt0.Add(11 * time.Hour),
		Mentions: 4, Authors: 2, Reach: 125, // ana once, with the most followers seen
		Likes: 3, Reposts: 1, Replies: 2, Quotes: 4,
		Negative: 1, Neutral: 1, Positive: 1,
	}, s)
	assert.Equal(t, int64(10), s.Engagement())
	assert.Equal(t, 0.0, s.NetSentiment())

	day := m.Sum("acme", mt0, mt0.Add(24*time.Hour))
	assert.Equal(t, int64(5), day.Mentions)
	assert.Equal(t, int64(2), day.Authors, "ana in two buckets counts once")
	assert.Equal(t, int64(125), day.Reach)
	assert.Equal(t, int64(2), day.Negative)
	assert.InDelta(t, -1.0/3, day.NetSentiment(), 1e-12)
	assert.False(t, day.Estimated)

	r := m.Stats("rival", at)
	assert.Equal(t, int64(1), r.Positive)
	assert.Equal(t, int64(0), r.Likes, "negative engagement counts as 0")

	series := m.Series("acme", mt0.Add(9*time.Hour), mt0.Add(13*time.Hour))
	require.Len(t, series, 4)
	assert.Equal(t, []int64{0, 4, 1, 0}, []int64{series[0].Mentions, series[1].Mentions, series[2].Mentions, series[3].Mentions})
	assert.Equal(t, mt0.Add(12*time.Hour), series[3].Start)

	cur, prev := m.Period("acme", mt0.Add(12*time.Hour), time.Hour)
	assert.Equal(t, int64(1), cur.Mentions)
	assert.Equal(t, int64(4), prev.Mentions)
	assert.Equal(t, -0.75, trend.Change(cur.Mentions, prev.Mentions))

	assert.Equal(t, []float64{5.0 / 6, 1.0 / 6}, trend.ShareOfVoice([]trend.Stats{day, m.Sum("rival", mt0, mt0.Add(24*time.Hour))}))
	assert.Equal(t, []float64{0, 0}, trend.ShareOfVoice([]trend.Stats{{}, {}}))
	assert.Equal(t, []string{"acme", "rival"}, m.Keys())
	assert.Equal(t, trend.Stats{Key: "nobody", Start: mt0.Add(10 * time.Hour), End: mt0.Add(11 * time.Hour)}, m.Stats("nobody", at))
}

func TestChange(t *testing.T) {
	assert.Equal(t, 0.25, trend.Change(5, 4))
	assert.Equal(t, 0.0, trend.Change(0, 0))
	assert.True(t, math.IsInf(trend.Change(3, 0), 1))
}

// TestMetricsWindow checks which buckets are kept: a week of hours by
// default, late mentions within it count (even when the key's ring has not
// grown that far yet), older ones are dropped and counted, and a jump
// forward starts afresh.
func TestMetricsWindow(t *testing.T) {
	var m trend.Metrics
	m.Add(trend.Mention{Key: "k", At: mt0})
	m.Add(trend.Mention{Key: "k", At: mt0.Add(100 * time.Hour)})
	m.Add(trend.Mention{Key: "k", At: mt0.Add(3 * time.Hour)})    // late but kept
	m.Add(trend.Mention{Key: "k", At: mt0.Add(-100 * time.Hour)}) // older than a week before the newest
	assert.Equal(t, int64(3), m.Sum("k", mt0.Add(-200*time.Hour), mt0.Add(200*time.Hour)).Mentions)
	assert.Equal(t, int64(1), m.Stats("k", mt0.Add(3*time.Hour)).Mentions)
	assert.Equal(t, int64(1), m.Late())

	m.Add(trend.Mention{Key: "k", At: mt0.Add(168 * time.Hour)}) // the first hour falls out
	assert.Equal(t, int64(0), m.Stats("k", mt0).Mentions)
	assert.Equal(t, int64(3), m.Sum("k", mt0, mt0.Add(200*time.Hour)).Mentions)

	m.Add(trend.Mention{Key: "k", At: mt0.Add(1000 * time.Hour)})
	assert.Equal(t, int64(1), m.Sum("k", mt0, mt0.Add(2000*time.Hour)).Mentions)

	small := trend.Metrics{Bucket: 24 * time.Hour, Buckets: 2}
	small.Add(trend.Mention{Key: "k", At: mt0.Add(-time.Nanosecond)})
	small.Add(trend.Mention{Key: "k", At: mt0.Add(47 * time.Hour)})
	assert.Equal(t, int64(1), small.Sum("k", mt0.Add(-24*time.Hour), mt0.Add(48*time.Hour)).Mentions, "the day before mt0 fell out")
	assert.Equal(t, mt0.Add(24*time.Hour), small.Stats("k", mt0.Add(47*time.Hour)).Start)
}

func TestMetricsMaxKeys(t *testing.T) {
	m := trend.Metrics{MaxKeys: 3}
	for i := range 10 {
		m.Add(trend.Mention{Key: fmt.Sprint("k", i), At: mt0})
	}
	assert.Equal(t, 3, m.Len())
	assert.Equal(t, int64(7), m.Evicted())
	assert.Contains(t, m.Keys(), "k9", "the key just added is kept")
}

// mention is a random mention of one of keys over days days, with authors
// from a population of pop (followers heavy-tailed) and arrival slightly
// out of order.
func randomMentions(r *rand.Rand, n int, keys []string, days, pop int) []trend.Mention {
	out := make([]trend.Mention, n)
	span := time.Duration(days) * 24 * time.Hour
	for i := range out {
		at := mt0.Add(span / time.Duration(n) * time.Duration(i))
		at = at.Add(-time.Duration(r.IntN(int(3 * time.Hour)))) // up to 3 hours late
		a := r.IntN(pop)
		m := trend.Mention{
			Key:       keys[r.IntN(len(keys))],
			At:        at,
			Author:    fmt.Sprint("u", a),
			Followers: int(math.Exp(float64(a%97) / 10)),
			Likes:     r.IntN(3), Reposts: r.IntN(2), Replies: r.IntN(2), Quotes: r.IntN(2),
			Sentiment: []float64{-0.5, 0, 0.5, math.NaN()}[r.IntN(4)],
		}
		if r.IntN(20) == 0 {
			m.Author = ""
		}
		if r.IntN(10) == 0 {
			m.Followers += 1000 // the same author seen with more followers
		}
		out[i] = m
	}
	return out
}

// bruteStats counts ms exactly for key over [from, to), keeping only what
// m keeps: the Buckets hours up to the key's newest mention.
func bruteStats(ms []trend.Mention, key string, from, to time.Time, buckets int) trend.Stats {
	var newest time.Time
	for _, x := range ms {
		if x.Key == key && x.At.After(newest) {
			newest = x.At
		}
	}
	keepFrom := newest.Truncate(time.Hour).Add(-time.Duration(buckets-1) * time.Hour)
	st := trend.Stats{Key: key, Start: from, End: to}
	followers := map[string]int{}
	for _, x := range ms {
		if x.Key != key || x.At.Before(from) || !x.At.Before(to) || x.At.Before(keepFrom) {
			continue
		}
		st.Mentions++
		st.Likes += int64(x.Likes)
		st.Reposts += int64(x.Reposts)
		st.Replies += int64(x.Replies)
		st.Quotes += int64(x.Quotes)
		switch {
		case x.Sentiment < 0:
			st.Negative++
		case x.Sentiment > 0:
			st.Positive++
		case x.Sentiment == 0:
			st.Neutral++
		}
		if x.Author != "" {
			followers[x.Author] = max(followers[x.Author], x.Followers)
		}
	}
	st.Authors = int64(len(followers))
	for _, f := range followers {
		st.Reach += int64(f)
	}
	return st
}

func TestMetricsBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := []string{"acme", "rival", "other"}
	ms := randomMentions(r, 20_000, keys, 10, 3000)
	var m trend.Metrics
	for _, x := range ms {
		m.Add(x)
	}
	assert.Zero(t, m.Late())
	for _, key := range keys {
		for _, span := range [][2]time.Duration{{0, 240 * time.Hour}, {50 * time.Hour, 51 * time.Hour}, {200 * time.Hour, 236 * time.Hour}, {239 * time.Hour, 240 * time.Hour}} {
			from, to := mt0.Add(span[0]), mt0.Add(span[1])
			got := m.Sum(key, from, to)
			want := bruteStats(ms, key, from, to, trend.DefaultMetricsBuckets)
			assert.False(t, got.Estimated)
			assert.Equal(t, want, got, "%s %v", key, span)
		}
	}
}

// TestMetricsEstimate checks the estimates of a bucket with far more than
// 128 authors: over many trials the relative error is unbiased and its
// spread near the 1/sqrt(126) of a bottom-128 sample.
func TestMetricsEstimate(t *testing.T) {
	const trials, authors = 80, 2000
	var sumErr, sumSq, sumReachErr float64
	for trial := range trials {
		var m trend.Metrics
		reach := 0
		for i := range authors {
			f := 10 + i%50
			reach += f
			a := fmt.Sprintf("t%d-a%d", trial, i)
			m.Add(trend.Mention{Key: "k", At: mt0, Author: a, Followers: f})
			m.Add(trend.Mention{Key: "k", At: mt0, Author: a, Followers: f})
		}
		s := m.Stats("k", mt0)
		require.True(t, s.Estimated)
		require.Equal(t, int64(2*authors), s.Mentions)
		e := float64(s.Authors)/authors - 1
		sumErr += e
		sumSq += e * e
		sumReachErr += float64(s.Reach)/float64(reach) - 1
	}
	mean, sd := sumErr/trials, math.Sqrt(sumSq/trials)
	t.Logf("authors: mean relative error %.4f, rms %.4f; reach mean error %.4f", mean, sd, sumReachErr/trials)
	assert.Less(t, math.Abs(mean), 0.035) // 3.5 standard errors of the mean
	assert.Less(t, sd, 0.12)
	assert.Greater(t, sd, 0.06)
	assert.Less(t, math.Abs(sumReachErr/trials), 0.035)
}

// TestMetricsSumOfFullBuckets checks a sum over buckets that each hold
// more than 128 authors, many shared: the union is estimated, not added.
func TestMetricsSumOfFullBuckets(t *testing.T) {
	var m trend.Metrics
	for h := range 24 {
		for i := range 1000 {
			m.Add(trend.Mention{Key: "k", At: mt0.Add(time.Duration(h) * time.Hour), Author: fmt.Sprint("a", (h*300+i)%8000)})
		}
	}
	s := m.Sum("k", mt0, mt0.Add(24*time.Hour))
	assert.True(t, s.Estimated)
	assert.InEpsilon(t, 7900.0, float64(s.Authors), 0.3) // hours overlap: 7,900 distinct
}

func split3(ms []trend.Mention, r *rand.Rand) [3]*trend.Metrics {
	var parts [3]*trend.Metrics
	for i := range parts {
		parts[i] = &trend.Metrics{}
	}
	for _, x := range ms {
		parts[r.IntN(3)].Add(x)
	}
	return parts
}

func encode(t *testing.T, m *trend.Metrics) []byte {
	t.Helper()
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	return b
}

func decodeMetrics(t *testing.T, b []byte) *trend.Metrics {
	t.Helper()
	var m trend.Metrics
	require.NoError(t, m.UnmarshalBinary(b))
	return &m
}

// TestMetricsMerge checks that merging the metrics of workers that split a
// stream gives what one Metrics fed everything holds, byte for byte,
// whatever the order and grouping of the merges, also through the binary
// form; buckets with more than 128 authors included.
func TestMetricsMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ms := randomMentions(r, 30_000, []string{"a", "b", "c", "d"}, 9, 200_000)
	var whole trend.Metrics
	for _, x := range ms {
		whole.Add(x)
	}
	want := encode(t, &whole)
	parts := split3(ms, r)

	for _, order := range [][3]int{{0, 1, 2}, {2, 1, 0}, {1, 0, 2}} {
		acc := decodeMetrics(t, encode(t, parts[order[0]]))
		require.NoError(t, acc.Merge(decodeMetrics(t, encode(t, parts[order[1]]))))
		require.NoError(t, acc.Merge(parts[order[2]]))
		assert.True(t, bytes.Equal(want, encode(t, acc)), "order %v", order)
	}
	// (a+b)+c == a+(b+c)
	bc := decodeMetrics(t, encode(t, parts[1]))
	require.NoError(t, bc.Merge(parts[2]))
	a := decodeMetrics(t, encode(t, parts[0]))
	require.NoError(t, a.Merge(bc))
	assert.True(t, bytes.Equal(want, encode(t, a)))
	assert.Equal(t, whole.Sum("a", mt0, mt0.Add(300*time.Hour)), a.Sum("a", mt0, mt0.Add(300*time.Hour)))

	assert.ErrorIs(t, a.Merge(&trend.Metrics{Bucket: time.Minute}), trend.ErrIncompatible)
	require.NoError(t, a.Merge(nil))
	require.NoError(t, a.Merge(&trend.Metrics{}))
	assert.True(t, bytes.Equal(want, encode(t, a)))
}

// TestMetricsMergeLate checks that buckets of a worker that the merged
// metrics no longer keep age out, as in one Metrics.
func TestMetricsMergeLate(t *testing.T) {
	var a, b trend.Metrics
	a.Add(trend.Mention{Key: "k", At: mt0.Add(500 * time.Hour)})
	b.Add(trend.Mention{Key: "k", At: mt0})
	b.Add(trend.Mention{Key: "k", At: mt0})
	require.NoError(t, a.Merge(&b))
	assert.Equal(t, int64(0), a.Late())
	assert.Equal(t, int64(1), a.Sum("k", mt0, mt0.Add(1000*time.Hour)).Mentions)
}

func TestMetricsUnmarshalBad(t *testing.T) {
	var m trend.Metrics
	m.Add(trend.Mention{Key: "k", At: mt0, Author: "a"})
	good := encode(t, &m)
	keep := trend.Metrics{MaxKeys: 5}
	keep.Add(trend.Mention{Key: "mine", At: mt0})
	before := encode(t, &keep)
	for name, b := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("XXXX"), good[4:]...),
		"version":   append(append([]byte("ETMX"), 9), good[5:]...),
		"checksum":  append(append([]byte(nil), good[:len(good)-1]...), good[len(good)-1]^1),
		"truncated": good[:len(good)-6],
		"sketch":    encode(t, &trend.Metrics{})[:5],
	} {
		err := keep.UnmarshalBinary(b)
		assert.ErrorIs(t, err, trend.ErrCorrupt, name)
	}
	assert.Equal(t, before, encode(t, &keep), "a failed decode leaves the metrics alone")
	require.NoError(t, keep.UnmarshalBinary(good))
	assert.Equal(t, 5, keep.MaxKeys)
	assert.Equal(t, []string{"k"}, keep.Keys())
}

func FuzzMetricsUnmarshal(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 3, 40} {
		var m trend.Metrics
		for _, x := range randomMentions(r, n, []string{"a", "b"}, 2, 50) {
			m.Add(x)
		}
		b, _ := m.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m trend.Metrics
		if m.UnmarshalBinary(data) != nil {
			return
		}
		// What decodes re-encodes to the same bytes and answers queries.
		again, err := m.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, data, again)
		for _, k := range m.Keys() {
			s := m.Sum(k, time.Unix(0, math.MinInt64/2), time.Unix(0, math.MaxInt64/2))
			require.GreaterOrEqual(t, s.Mentions, s.Negative+s.Neutral+s.Positive)
		}
	})
}

// sortedKeys is a helper for stable assertions on maps.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
