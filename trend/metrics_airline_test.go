package trend_test

import (
	"encoding/csv"
	"math"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/trend"
)

// airlineTweet is a row of ../shared/data/airline/tweets.csv.
type airlineTweet struct {
	ID, Sentiment, Reason, Airline, Text string
	At                                   time.Time
}

// airlineTweets reads the airline tweets (in file order, which is not time
// order), skipping the test when the shared data is absent. The file's
// times have no zone; they are read as UTC.
func airlineTweets(tb testing.TB) []airlineTweet {
	tb.Helper()
	f, err := os.Open(shared.Path(tb, "airline/tweets.csv"))
	require.NoError(tb, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(tb, err)
	require.Equal(tb, []string{"tweet_id", "airline_sentiment", "negativereason", "airline", "text", "tweet_created"}, rows[0])
	out := make([]airlineTweet, 0, len(rows)-1)
	for _, r := range rows[1:] {
		at, err := time.Parse("1/2/2006 15:04", r[5])
		require.NoError(tb, err, r[5])
		out = append(out, airlineTweet{ID: r[0], Sentiment: r[1], Reason: r[2], Airline: r[3], Text: r[4], At: at})
	}
	return out
}

var airlineCompound = map[string]float64{"negative": -1, "neutral": 0, "positive": 1}

// TestMetricsAirline checks per-airline, per-hour mentions, sentiment
// counts and share of voice against a brute-force count of the airline
// tweets, fed in file order (not time order). The file has no author
// column: each tweet's ID stands in for its author, so the 155 rows that
// repeat an ID are one author mentioning twice.
func TestMetricsAirline(t *testing.T) {
	tweets := airlineTweets(t)
	m := trend.Metrics{Buckets: 10 * 24} // the file spans 178 hours
	type cellKey struct {
		airline string
		hour    time.Time
	}
	type count struct {
		mentions, neg, neu, pos int64
		authors                 map[string]bool
	}
	brute := map[cellKey]*count{}
	perHour := map[time.Time]int64{}
	airlines := map[string]bool{}
	for _, tw := range tweets {
		m.Add(trend.Mention{Key: tw.Airline, At: tw.At, Author: tw.ID, Sentiment: airlineCompound[tw.Sentiment]})
		k := cellKey{tw.Airline, tw.At.Truncate(time.Hour)}
		c := brute[k]
		if c == nil {
			c = &count{authors: map[string]bool{}}
			brute[k] = c
		}
		c.mentions++
		switch tw.Sentiment {
		case "negative":
			c.neg++
		case "neutral":
			c.neu++
		case "positive":
			c.pos++
		}
		c.authors[tw.ID] = true
		perHour[k.hour]++
		airlines[tw.Airline] = true
	}
	require.Zero(t, m.Late())
	names := sortedKeys(airlines)
	assert.Equal(t, names, m.Keys())

	hours := make([]time.Time, 0, len(perHour))
	for h := range perHour {
		hours = append(hours, h)
	}
	sort.Slice(hours, func(i, j int) bool { return hours[i].Before(hours[j]) })
	var cells, exactAuthors int
	worst := 0.0
	for _, h := range hours {
		stats := make([]trend.Stats, len(names))
		for i, a := range names {
			stats[i] = m.Stats(a, h)
		}
		shares := trend.ShareOfVoice(stats)
		for i, a := range names {
			want := brute[cellKey{a, h}]
			if want == nil {
				want = &count{}
			}
			got := stats[i]
			require.Equal(t, want.mentions, got.Mentions, "%s %s", a, h)
			require.Equal(t, [3]int64{want.neg, want.neu, want.pos}, [3]int64{got.Negative, got.Neutral, got.Positive})
			require.Equal(t, float64(want.mentions)/float64(perHour[h]), shares[i], "share %s %s", a, h)
			if want.mentions > 0 {
				cells++
				e := math.Abs(float64(got.Authors)/float64(len(want.authors)) - 1)
				worst = max(worst, e)
				if got.Authors == int64(len(want.authors)) {
					exactAuthors++
				}
			}
		}
	}
	t.Logf("%d airline-hours: mentions, sentiment and share exact; authors exact in %d, worst relative error %.4f", cells, exactAuthors, worst)
	assert.LessOrEqual(t, worst, 0.02)

	// Over the whole file, each airline's distinct authors (IDs).
	for _, a := range names {
		ids := map[string]bool{}
		for _, tw := range tweets {
			if tw.Airline == a {
				ids[tw.ID] = true
			}
		}
		s := m.Sum(a, hours[0], hours[len(hours)-1].Add(time.Hour))
		assert.InEpsilon(t, float64(len(ids)), float64(s.Authors), 0.02, a)
		t.Logf("%s: %d mentions, %d authors (exact %d, estimated %v)", a, s.Mentions, s.Authors, len(ids), s.Estimated)
	}
}
