package trend_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

func ExampleMetrics() {
	var m trend.Metrics // hourly buckets, a week of them per key
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	posts := []trend.Mention{
		{Key: "acme", Author: "bluesky:ana", Followers: 1200, Likes: 4, Sentiment: 0.6},
		{Key: "acme", Author: "bluesky:ana", Followers: 1200, Sentiment: -0.4},
		{Key: "acme", Author: "mastodon:ben@example.social", Followers: 80, Sentiment: 0},
		{Key: "rival", Author: "bluesky:cy", Followers: 300, Sentiment: 0.7},
	}
	for i, p := range posts {
		p.At = day.Add(9*time.Hour + time.Duration(i)*time.Minute)
		m.Add(p)
	}
	acme, rival := m.Sum("acme", day, day.Add(24*time.Hour)), m.Sum("rival", day, day.Add(24*time.Hour))
	fmt.Printf("acme: %d mentions by %d authors, reach %d, engagement %d, net sentiment %.2f\n",
		acme.Mentions, acme.Authors, acme.Reach, acme.Engagement(), acme.NetSentiment())
	share := trend.ShareOfVoice([]trend.Stats{acme, rival})
	fmt.Printf("share of voice: acme %.0f%%, rival %.0f%%\n", 100*share[0], 100*share[1])
	// Output:
	// acme: 3 mentions by 2 authors, reach 1280, engagement 4, net sentiment 0.00
	// share of voice: acme 75%, rival 25%
}

func ExampleVoices() {
	v := trend.Voices{
		Influencer: 10_000,
		OnAlert:    func(a trend.Alert) { fmt.Println("alert:", a.Summary) },
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, p := range []trend.Mention{
		{Author: "ana", Followers: 150, Sentiment: 0.8},
		{Author: "ana", Followers: 150, Sentiment: 0.5},
		{Author: "ben", Followers: 90, Sentiment: -0.6},
		{Author: "ben", Followers: 90, Sentiment: -0.3},
		{Author: "star", Followers: 250_000, Sentiment: -0.2, Text: "acme, really?"},
	} {
		p.Key, p.At = "acme", at
		v.Add(p)
	}
	d := v.Drivers("acme", at)
	fmt.Println("by reach:", d.ByReach[0].Author)
	fmt.Println("advocates:", d.Advocates[0].Author, "detractors:", d.Detractors[0].Author)
	// Output:
	// alert: star (250000 followers) mentioned acme (negative)
	// by reach: star
	// advocates: ana detractors: ben
}

func ExampleReasons() {
	var reasons trend.Reasons
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	words := strings.Fields("the coffee is good this morning nice latte")
	// A day of ordinary posts, then an hour in which half the posts are
	// about a recall.
	for i := range 24 * 60 {
		at := start.Add(time.Duration(i) * time.Minute)
		text := fmt.Sprintf("acme %s %s", words[i%8], words[(i/8)%8])
		reasons.Add(trend.Mention{Key: "acme", At: at, Text: text, Author: fmt.Sprint("user", i%300)})
	}
	burst := start.Add(24 * time.Hour)
	for i := range 120 {
		text := "acme " + words[i%8]
		if i%2 == 0 {
			text += " the #AcmeRecall is a mess"
		}
		reasons.Add(trend.Mention{Key: "acme", At: burst.Add(time.Duration(i) * 30 * time.Second), Text: text, Author: fmt.Sprint("user", i)})
	}
	// An alert from a spike detector about that hour:
	a := trend.Alert{Kind: trend.AlertSpike, Key: "acme", Start: burst, End: burst.Add(time.Hour)}
	a.Reasons = reasons.Explain(a)
	for _, r := range a.Reasons[:2] { // the two that stand out most
		fmt.Printf("%s %q, in about %d0%% of the posts\n", r.Kind, r.Value, int(r.Share*10+0.5))
	}
	// Output:
	// hashtag "acmerecall", in about 50% of the posts
	// term "mess", in about 50% of the posts
}

func ExampleThemes() {
	themes := trend.Themes{List: []trend.Theme{
		{Name: "price", Match: func(text string) bool { return strings.Contains(strings.ToLower(text), "price") }},
		{Name: "staff", Match: func(text string) bool { return strings.Contains(strings.ToLower(text), "barista") }},
	}}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	themes.Add(trend.Mention{Key: "acme", At: at, Text: "Price went up again", Sentiment: -0.5})
	themes.Add(trend.Mention{Key: "acme", At: at, Text: "the barista was lovely", Sentiment: 0.7})
	themes.Add(trend.Mention{Key: "acme", At: at, Text: "what a price, what a barista", Sentiment: 0})
	for _, s := range themes.Sum("acme", at.Truncate(24*time.Hour), at.Add(24*time.Hour)) {
		fmt.Printf("%s: %d mentions, %d negative, %d positive\n", s.Key, s.Mentions, s.Negative, s.Positive)
	}
	// Output:
	// price: 2 mentions, 1 negative, 0 positive
	// staff: 2 mentions, 0 negative, 1 positive
}
