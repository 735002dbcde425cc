package story_test

import (
	"context"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/trend"
)

func ExampleXRules_Count() {
	var x story.XRules
	fmt.Println(x.Count("Hi http://test.co"))
	fmt.Println(x.Count("我们的鸡"))  // CJK weighs 2
	fmt.Println(x.Count("🙋🏽👨‍🎤")) // each emoji sequence weighs 2
	// Output:
	// 26
	// 8
	// 4
}

func ExampleMastodonRules_Count() {
	m := story.MastodonRules{MaxCharacters: 500}
	fmt.Println(m.Count("Thanks @vet_anna@mastodon.social! https://hillside-eggs.example.com/diary/2026/11/day-12"))
	// Output:
	// 41
}

func ExampleSplit() {
	text := "Day 12 of the hen diary. Clementine laid her first egg this morning and told the whole yard. " +
		"Mabel was not impressed and kept scratching for worms. More tomorrow! #hendiary"
	parts, err := story.Split(text, story.MastodonRules{MaxCharacters: 100}, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range parts {
		fmt.Println(p)
	}
	// Output:
	// 1/2 Day 12 of the hen diary. Clementine laid her first egg this morning and told the whole yard.
	// 2/2 Mabel was not impressed and kept scratching for worms. More tomorrow! #hendiary
}

func ExampleFacets() {
	text := "🥚 Hi @alice.test, see https://example.com/diary #hens"
	dids := map[string]string{"alice.test": "did:plc:alice"}
	for _, f := range story.Facets(text, func(h string) (string, bool) { d, ok := dids[h]; return d, ok }) {
		fmt.Printf("%d-%d %q link=%s did=%s tag=%s\n", f.Start, f.End, text[f.Start:f.End], f.Link, f.DID, f.Tag)
	}
	// Output:
	// 8-19 "@alice.test" link= did=did:plc:alice tag=
	// 25-50 "https://example.com/diary" link=https://example.com/diary did= tag=
	// 51-56 "#hens" link= did= tag=hens
}

func ExampleSeries() {
	ctx := context.Background()
	daily, err := story.ParseDaily("07:30", "Europe/Berlin")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := &story.Series{
		Name:     "hen-diary",
		Template: template.Must(template.New("").Parse("Day {{.N}} of the hen diary: {{.Data}}")),
		Schedule: daily,
		Start:    time.Date(2026, 3, 28, 0, 0, 0, 0, time.UTC),
		Store:    &story.MemoryStore{}, // use story.OpenFileStore to survive restarts
	}
	now := s.Start
	for range 3 {
		ep, err := s.Next(ctx, now)
		if err != nil {
			fmt.Println(err)
			return
		}
		text, _ := s.Render(ep, "all hens well")
		// ... wait until ep.At, publish with Thread.ID = ep.Key() ...
		fmt.Println(ep.At.Format("Mon 15:04 MST"), ep.Key(), text)
		if err := s.Done(ctx, ep); err != nil {
			fmt.Println(err)
			return
		}
		now = ep.At
	}
	// Output:
	// Sat 07:30 CET series/hen-diary/1 Day 1 of the hen diary: all hens well
	// Sun 07:30 CEST series/hen-diary/2 Day 2 of the hen diary: all hens well
	// Mon 07:30 CEST series/hen-diary/3 Day 3 of the hen diary: all hens well
}

func ExampleQueue() {
	ctx := context.Background()
	r := &story.Replier{Templates: map[story.Need]*template.Template{
		story.NeedComplaint: template.Must(template.New("").Parse("So sorry! We'll replace your eggs today.")),
	}}
	p := listen.Post{Platform: "mastodon", ID: "1093", Author: listen.Author{Handle: "alice@mastodon.social"}, Text: "All my eggs arrived cracked, again. Not happy."}
	d, ok, err := r.Draft(p, sentiment.Score{Compound: -0.6})
	if err != nil || !ok {
		fmt.Println(ok, err)
		return
	}
	var q story.Queue
	q.Add(d)
	pub := story.PublisherFunc(func(_ context.Context, t story.Thread) ([]story.Sent, error) {
		fmt.Printf("posting %q in reply to %s\n", t.Parts[0].Text, t.ReplyTo.ID)
		return []story.Sent{{ID: "1094"}}, nil
	})
	_, err = q.Send(ctx, d.ID, pub)
	fmt.Println(err)
	q.Approve(d.ID, "maria", time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC))
	s, err := q.Send(ctx, d.ID, pub)
	fmt.Println(s.ID, err)
	// Output:
	// story: queue: "reply/mastodon:1093" is pending: story: draft not approved
	// posting "@alice@mastodon.social So sorry! We'll replace your eggs today." in reply to 1093
	// 1094 <nil>
}

func ExampleDigest() {
	a := trend.Alert{
		Kind:    trend.AlertTrending,
		Key:     "hendiary",
		Start:   time.Date(2026, 11, 22, 9, 15, 0, 0, time.UTC),
		Summary: "Customers retell the surprise upgrade story.",
	}
	fmt.Println(story.Digest(a, sentiment.Score{Compound: 0.61}))
	fmt.Println(strings.HasPrefix(story.DigestDraft(a, sentiment.Score{}, "x").ID, "digest/trending/hendiary/"))
	// Output:
	// #hendiary is trending since 09:15 UTC. Customers retell the surprise upgrade story. The mood is warm (+0.61).
	// true
}
