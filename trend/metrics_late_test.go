package trend_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

// TestMetricsLateBruteForce holds Metrics to the exact count where the
// authors' arena works hardest: mentions up to 30 hours late into 24
// hourly buckets (older buckets gain authors while newer ones fill, and
// some mentions are dropped), jumps forward past everything kept, and
// fewer than 128 authors a bucket, so that every figure is exact. Each
// bucket and the whole window must match the brute-force count, as must
// the merge of two halves of the stream and a marshalled copy.
func TestMetricsLateBruteForce(t *testing.T) {
	const buckets = 24
	r := rand.New(rand.NewPCG(24, 30))
	keys := []string{"acme", "rival"}
	var ms []trend.Mention
	at := mt0
	for i := range 30_000 {
		at = at.Add(10 * time.Second)
		if r.IntN(5000) == 0 {
			at = at.Add(30 * time.Hour) // a jump past every bucket kept
		}
		m := trend.Mention{
			Key: keys[r.IntN(len(keys))], ID: fmt.Sprint(i),
			At:        at.Add(-time.Duration(r.IntN(30*3600)) * time.Second),
			Author:    fmt.Sprint("u", r.IntN(90)),
			Followers: r.IntN(1000),
			Sentiment: float64(r.IntN(3) - 1),
		}
		if r.IntN(20) == 0 {
			m.Author = ""
		}
		ms = append(ms, m)
	}
	whole, a, b := &trend.Metrics{Buckets: buckets}, &trend.Metrics{Buckets: buckets}, &trend.Metrics{Buckets: buckets}
	for i, m := range ms {
		whole.Add(m)
		if i%2 == 0 {
			a.Add(m)
		} else {
			b.Add(m)
		}
	}
	require.Positive(t, whole.Late(), "some mentions came later than the buckets kept")
	require.NoError(t, a.Merge(b))
	data, err := whole.MarshalBinary()
	require.NoError(t, err)
	copied := &trend.Metrics{}
	require.NoError(t, copied.UnmarshalBinary(data))

	for _, key := range keys {
		var newest time.Time
		for _, m := range ms {
			if m.Key == key && m.At.After(newest) {
				newest = m.At
			}
		}
		end := newest.Truncate(time.Hour).Add(time.Hour)
		from := end.Add(-buckets * time.Hour)
		for h := from; h.Before(end); h = h.Add(time.Hour) {
			want := bruteStats(ms, key, h, h.Add(time.Hour), buckets)
			require.Equal(t, want, whole.Stats(key, h), "%s at %s", key, h)
		}
		want := bruteStats(ms, key, from, end, buckets)
		for name, m := range map[string]*trend.Metrics{"whole": whole, "merged halves": a, "unmarshalled": copied} {
			got := m.Sum(key, from, end)
			assert.False(t, got.Estimated, name)
			assert.Equal(t, want, got, "%s: %s", name, key)
		}
	}
}
