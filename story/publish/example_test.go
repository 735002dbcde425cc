package publish_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/story/publish"
)

func ExampleDryRun() {
	parts, _ := story.Split("Day 12 of the hen diary. Clementine laid her first egg! Mabel was not impressed at all.", story.XRules{}, false)
	th := story.Thread{ID: "hen-diary/12"}
	for _, p := range parts {
		th.Parts = append(th.Parts, story.Part{Text: p, Images: []story.Image{{MIME: "image/jpeg", Alt: "A brown hen beside a small egg"}}})
	}
	d := &publish.DryRun{Rules: story.XRules{}}
	sent, err := d.Publish(context.Background(), th)
	fmt.Println(sent, err)
	for _, t := range d.Threads() {
		fmt.Printf("%s: %q (alt: %q)\n", t.ID, t.Parts[0].Text, t.Parts[0].Images[0].Alt)
	}
	// Output:
	// [{dry-1  }] <nil>
	// hen-diary/12: "Day 12 of the hen diary. Clementine laid her first egg! Mabel was not impressed at all." (alt: "A brown hen beside a small egg")
}

// A thread on a Mastodon server (here a fake one), journaled in a file so
// that a restarted host resumes instead of posting twice.
func ExampleNewMastodon() {
	fake := newFakeMastodon(false)
	srv := httptest.NewServer(fake)
	defer srv.Close()

	pub, err := publish.NewMastodon(srv.URL, fake.Token,
		publish.WithLimiter(rate.NewLimiter(rate.Every(time.Second), 3)),
		publish.WithStore(&story.MemoryStore{}), // story.OpenFileStore(path) in production
		publish.WithVisibility("unlisted"))
	if err != nil {
		fmt.Println(err)
		return
	}
	th := story.Thread{ID: "upgrade-story", Parts: []story.Part{
		{Text: "1/2 A customer ordered a dozen eggs and got a surprise upgrade."},
		{Text: "2/2 Six of them were double-yolked. She told everyone at the market."},
	}}
	sent, err := pub.Publish(context.Background(), th)
	fmt.Println(len(sent), err)
	again, _ := pub.Publish(context.Background(), th) // nothing posted twice
	fmt.Println(again[1] == sent[1], len(fake.posted()))
	fmt.Println(strings.Contains(fmt.Sprint(pub), fake.Token)) // secrets never printed
	// Output:
	// 2 <nil>
	// true 2
	// false
}

// A two-part thread on a Bluesky PDS (here a fake one): the mention gets a
// facet with the resolved DID, part 2 replies to part 1 with root and
// parent references, and record keys are chosen before sending.
func ExampleNewBluesky() {
	fake := newFakeBluesky()
	srv := httptest.NewServer(fake)
	defer srv.Close()

	pub, err := publish.NewBluesky(srv.URL, fake.Handle, fake.Password, publish.WithShortLinks(30))
	if err != nil {
		fmt.Println(err)
		return
	}
	th, err := story.NewThread("diary/12",
		"Day 12: Clementine laid her first egg, and @alice.test says it is the finest she has seen. "+
			"Photos: https://hillside-eggs.example.com/diary/2026/11/day-12-clementine "+strings.Repeat("The hens are well. ", 12)+"#hendiary",
		story.BlueskyRules{}, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	sent, err := pub.Publish(context.Background(), th)
	fmt.Println(len(sent), err)
	for _, p := range fake.posted() {
		fmt.Printf("%.40q root=%t parent=%t\n", p.Text, p.Root != "", p.Parent != "")
	}
	fmt.Println(len(fake.Records[0].Record["facets"].([]any)), "facets in part 1")
	// Output:
	// 2 <nil>
	// "1/2 Day 12: Clementine laid her first eg" root=false parent=false
	// "2/2 The hens are well. The hens are well" root=true parent=true
	// 2 facets in part 1
}
