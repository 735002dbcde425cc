package watch_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/watch"
)

// burst is two days of chatter about "acme" in words drawn from a
// vocabulary, by a thousand authors on two platforms, then a two-hour
// burst of negative posts that carry term among other such words.
func burst(seed uint64, term string) []event {
	r := rand.New(rand.NewPCG(seed, 7))
	vocab := strings.Fields("coffee latte beans roast cup morning barista shop queue price menu milk " +
		"sugar table music wifi pastry cake oat flat white cold brew espresso good fine nice slow busy")
	n := 0
	text := func(extra string) string {
		words := []string{"acme"}
		for range 5 + r.IntN(4) {
			words = append(words, vocab[r.IntN(len(vocab))])
		}
		if extra != "" {
			words = append(words, extra)
		}
		r.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
		return strings.Join(words, " ")
	}
	var evs []event
	add := func(at time.Time, compound float64, s string) {
		n++
		evs = append(evs, event{m: trend.Mention{Key: "acme", ID: fmt.Sprintf("x:%d", n), Text: s, At: at,
			Sentiment: compound, Author: fmt.Sprintf("x:user%d", r.IntN(1000)), Source: []string{"x", "y"}[r.IntN(2)]}})
	}
	start := t0.Add(50 * time.Hour)
	for at := t0; at.Before(start.Add(3 * time.Hour)); at = at.Add(time.Duration(r.ExpFloat64() * float64(4*time.Minute))) {
		add(at, 0.6*r.Float64()-0.1, text(""))
	}
	for at := start; at.Before(start.Add(2 * time.Hour)); at = at.Add(time.Duration(r.ExpFloat64() * float64(30*time.Second))) {
		add(at, -0.6, text(term))
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].m.At.Before(evs[j].m.At) })
	return evs
}

// The term a burst carries leads the reasons of every spike and shift
// alert the burst raises, with a lift above 3; without Reasons,
// alerts carry none.
func TestReasonsLeadWithTheBurstsTerm(t *testing.T) {
	for seed := range uint64(8) {
		term := []string{"recall", "refund", "mould", "outage"}[seed%4]
		evs := burst(seed, term)
		var got []watch.Alert
		w := newWatch(&got)
		w.Reasons = &trend.Reasons{}
		run(w, evs)
		kinds := map[trend.AlertKind]bool{}
		for _, a := range w.Alerts() {
			kinds[a.Kind] = true
			require.NotEmpty(t, a.Reasons, "seed %d: %s", seed, a.Title)
			assert.Equal(t, trend.Reason{Kind: trend.ReasonTerm, Value: term}, trend.Reason{Kind: a.Reasons[0].Kind, Value: a.Reasons[0].Value},
				"seed %d: %s: %+v", seed, a.Title, a.Reasons)
			assert.Greater(t, a.Reasons[0].Lift, 3.0, "seed %d", seed)
		}
		assert.True(t, kinds[trend.AlertSpike] && kinds[trend.AlertSentiment], "seed %d: %v", seed, kinds)
		for _, a := range got {
			if a.Open() {
				require.NotEmpty(t, a.Reasons, "seed %d: reasons when the alert opens: %s", seed, a.Title)
			}
		}

		var plain []watch.Alert
		w = newWatch(&plain)
		run(w, evs)
		require.NotEmpty(t, plain)
		for _, a := range w.Alerts() {
			assert.Nil(t, a.Reasons, "no Reasons, no reasons")
		}
	}
}

// A viral post is its own reason: the viral alert of acme's story has
// none, its spike and shift alerts do.
func TestReasonsNotForViral(t *testing.T) {
	var got []watch.Alert
	w := newWatch(&got)
	w.Reasons = &trend.Reasons{}
	run(w, story(1))
	seen := map[trend.AlertKind]bool{}
	for _, a := range w.Alerts() {
		seen[a.Kind] = true
		if a.Kind == trend.AlertViral {
			assert.Nil(t, a.Reasons)
			continue
		}
		require.NotEmpty(t, a.Reasons, a.Title)
		terms := map[string]bool{}
		for _, r := range a.Reasons {
			terms[r.Value] = true
		}
		assert.True(t, terms["prices"] || terms["rip"], "%s: %+v", a.Title, a.Reasons)
	}
	assert.True(t, seen[trend.AlertViral])
}

func Example_reasons() {
	w := &watch.Watch{
		Spikes:  trend.Spikes{Bucket: 15 * time.Minute, Spike: trend.Spike{MinCount: 10, Warmup: 12 * time.Hour}},
		Reasons: &trend.Reasons{Max: 3}, // explain spike and shift alerts
		OnAlert: func(a watch.Alert) {
			if !a.Open() {
				return
			}
			fmt.Println(a.Title)
			for _, r := range a.Reasons {
				fmt.Printf("  %s %q in %.0f%% of the posts, %.0fx as often as before\n", r.Kind, r.Value, 100*r.Share, r.Lift)
			}
		},
	}
	// burst feeds two days of chatter about acme, then on Wednesday at
	// 02:00 two hours of complaints that mention a recall (see
	// reasons_test.go).
	run(w, burst(1, "recall"))
	// Output:
	// negative shift about acme since Wed 01:21
	//   term "recall" in 43% of the posts, 353x as often as before
	// spike in mentions of acme since Wed 02:00
	//   term "recall" in 81% of the posts, 683x as often as before
	// spike in negative posts about acme since Wed 02:00
	//   term "recall" in 81% of the posts, 683x as often as before
}
