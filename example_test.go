package earshot_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/trend"
)

// The wiring of a listening program: a source (here a static one standing
// in for mastodon.New or bluesky.NewJetstream), a query, a scorer and a
// detector, connected by an ordinary for loop.
func Example() {
	ctx := context.Background()
	at := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	post := func(id, text string, min int) listen.Post {
		return listen.Post{Platform: "mastodon", ID: id, Text: text, Created: at.Add(time.Duration(min) * time.Minute)}
	}
	src := listentest.Static(
		post("1", "Larkspur wants $4.99 a month for stamps now? Ridiculous. #LarkspurPlus", 1),
		post("2", "Cancelling. Larkspur Plus is greedy #LarkspurPlus", 2),
		post("2", "Cancelling. Larkspur Plus is greedy #LarkspurPlus", 2), // a duplicate delivery
		post("3", "Lovely flat white at Larkspur today", 3),
		post("4", "Nobody asked for this #LarkspurPlus @larkspur", 4),
		post("5", "Tea is nice too", 5),
	)

	q := listen.MustCompile(`larkspur OR @larkspur`)
	scorer := sentiment.Cached(vader.New(), 10_000)
	det := &trend.Sketch{Size: 15 * time.Minute, MinCount: 2}
	var mood sentiment.Mean
	for p, err := range listen.Dedupe(listen.Filter(src, q.Keep), 50_000).Posts(ctx) {
		if err != nil {
			log.Fatal(err) // final: transient failures were retried inside
		}
		if s, err := scorer.Score(ctx, p.Text); err == nil {
			mood.Add(s)
		}
		for _, tag := range trend.Hashtags(p.Text) {
			det.Observe(tag, p.Created, 1)
		}
	}
	neg, _, _ := mood.Shares()
	fmt.Printf("%d posts, %.0f%% negative\n", mood.N(), 100*neg)
	for _, t := range det.Top(at.Add(10*time.Minute), 3) {
		fmt.Printf("trending: #%s (%.0f posts)\n", t.Key, t.Count)
		alert := trend.Alert{Kind: trend.AlertTrending, Key: t.Key, Start: at}
		fmt.Println(story.Digest(alert, mood.Score())) // a post a person can approve
	}
	// Output:
	// 4 posts, 50% negative
	// trending: #larkspurplus (3 posts)
	// #larkspurplus is trending since 12:00 UTC. The mood is mostly negative (-0.06).
}
