package trend_test

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/earshot-dev/earshot/trend"
)

// injection is a burst of posts carrying a new term, added to one
// airline's tweets.
type injection struct {
	airline    string
	term       string
	start, end time.Time
	posts      []trend.Mention
}

// inject makes a burst for a random airline at a random time: for two
// hours, as many extra posts as the airline had in the 24 hours before,
// per two hours (so the burst doubles its volume), each a copy of a random
// tweet about it from elsewhere in the file with a new random word
// inserted at a random place. The airline must have a baseline: at least
// 24 tweets in each of the two days before (American's tweets start on 22
// February); other draws are rejected, and counted.
func inject(r *rand.Rand, tweets []airlineTweet, first, last time.Time, factor int) (in injection, rejected int) {
	airlines := []string{"American", "Delta", "Southwest", "US Airways", "United", "Virgin America"}
	for {
		in = injection{airline: airlines[r.IntN(len(airlines))]}
		span := last.Add(-2*time.Hour).Sub(first.Add(48*time.Hour)) / time.Minute
		in.start = first.Add(48*time.Hour + time.Duration(r.Int64N(int64(span)))*time.Minute)
		in.end = in.start.Add(2 * time.Hour)
		var days [2]int
		for _, tw := range tweets {
			if tw.Airline == in.airline && tw.At.Before(in.start) && tw.At.After(in.start.Add(-48*time.Hour)) {
				days[in.start.Sub(tw.At)/(24*time.Hour)]++
			}
		}
		if days[0] >= 24 && days[1] >= 24 {
			break
		}
		rejected++
	}
	letters := "abcdefghijklmnopqrstuvwxyz"
	var word strings.Builder
	for range 7 {
		word.WriteByte(letters[r.IntN(len(letters))])
	}
	in.term = word.String()
	var pool []airlineTweet
	before := 0
	for _, tw := range tweets {
		if tw.Airline != in.airline {
			continue
		}
		if tw.At.Before(in.start.Add(-24*time.Hour)) || !tw.At.Before(in.end) {
			pool = append(pool, tw)
		} else if tw.At.Before(in.start) {
			before++
		}
	}
	n := max(1, (factor-1)*(before+6)/12) // the airline's tweets per two hours over the day before
	for range n {
		src := pool[r.IntN(len(pool))]
		words := strings.Fields(src.Text)
		at := r.IntN(len(words) + 1)
		t := in.term
		if r.IntN(3) == 0 {
			t = strings.ToUpper(t[:1]) + t[1:]
		}
		words = append(words[:at], append([]string{t}, words[at:]...)...)
		in.posts = append(in.posts, trend.Mention{
			Key: in.airline, Text: strings.Join(words, " "), Source: "twitter",
			At: in.start.Add(time.Duration(r.Int64N(int64(2 * time.Hour)))),
		})
	}
	return in, rejected
}

// termRank returns the place of term among the reasons (0 first), or -1.
func termRank(reasons []trend.Reason, term string) int {
	for i, x := range reasons {
		if x.Kind == trend.ReasonTerm && x.Value == term {
			return i
		}
	}
	return -1
}

// injectionRuns injects runs random bursts of factor times the
// airline's volume for two hours, each post carrying a new term T, into
// the airline tweets, one at a time; feeds the two days before the burst
// and the burst to a Reasons and a Spikes (15-minute buckets); and counts
// the bursts whose window (the episode as injected) has T as its first
// reason, the bursts during which Spikes raised an alert for the airline,
// and those alerts whose first reason, explained when they were raised,
// is T.
func injectionRuns(t *testing.T, runs, factor int, seed uint64) (firstInWindow, alerted, firstInAlert int) {
	tweets := airlineTweets(t)
	sort.SliceStable(tweets, func(i, j int) bool { return tweets[i].At.Before(tweets[j].At) })
	first, last := tweets[0].At, tweets[len(tweets)-1].At
	r := rand.New(rand.NewPCG(seed, seed))
	rejected := 0
	for run := range runs {
		in, rej := inject(r, tweets, first, last, factor)
		rejected += rej
		var stream []trend.Mention
		for _, tw := range tweets {
			if !tw.At.Before(in.start.Add(-48*time.Hour)) && tw.At.Before(in.end) {
				stream = append(stream, trend.Mention{Key: tw.Airline, At: tw.At, Text: tw.Text, Source: "twitter"})
			}
		}
		stream = append(stream, in.posts...)
		sort.SliceStable(stream, func(i, j int) bool { return stream[i].At.Before(stream[j].At) })

		var reasons trend.Reasons
		alertRank := -2 // no alert during the burst
		spikes := trend.Spikes{Bucket: 15 * time.Minute, OnAlert: func(a trend.Alert) {
			if a.Key == in.airline && alertRank == -2 && a.Open() && !a.Start.Before(in.start.Add(-15*time.Minute)) {
				alertRank = termRank(reasons.Explain(a), in.term)
			}
		}}
		for _, m := range stream {
			reasons.Add(m)
			spikes.Observe(m.Key, m.At, 1)
		}
		spikes.Flush(in.end)
		window := reasons.Explain(trend.Alert{Kind: trend.AlertSpike, Key: in.airline, Start: in.start, End: in.end})
		if rank := termRank(window, in.term); rank == 0 {
			firstInWindow++
		} else {
			t.Logf("%dx run %d: %s +%d posts with %q at %s: rank %d in %v", factor, run, in.airline, len(in.posts), in.term, in.start.Format(time.RFC3339), rank, window)
		}
		if alertRank > -2 {
			alerted++
			if alertRank == 0 {
				firstInAlert++
			}
		}
	}
	t.Logf("%dx bursts, %d injections (%d draws rejected for want of a baseline): T first in the burst window's reasons in %d; Spikes alerted in %d, T first in %d of those alerts' reasons",
		factor, runs, rejected, firstInWindow, alerted, firstInAlert)
	return firstInWindow, alerted, firstInAlert
}

// TestReasonsInjected checks that T ranks first in the reasons of >= 95%
// of 100 bursts of twice the airline's volume, and of the alerts Spikes
// raises on bursts of five times (2x bursts of these sparse series raise
// none). An accuracy evaluation that starts no goroutine: skipped under
// -short and the race detector.
func TestReasonsInjected(t *testing.T) {
	if testing.Short() || reasonsRace {
		t.Skip("an accuracy evaluation: skipped under -short and -race")
	}
	const runs = 100
	first, _, _ := injectionRuns(t, runs, 2, 31337)
	assert.GreaterOrEqual(t, first, runs*95/100)
	_, alerted, firstInAlert := injectionRuns(t, runs, 5, 31338)
	assert.GreaterOrEqual(t, firstInAlert, alerted*95/100)
}
