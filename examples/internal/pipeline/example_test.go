package pipeline_test

import (
	"context"
	"fmt"
	"time"

	"github.com/earshot-dev/earshot/examples/internal/pipeline"
	"github.com/earshot-dev/earshot/examples/internal/sample"
)

// The loop the monitor, the dashboard and the desk share: observe every
// post, check the detectors every 15 minutes of data, and take a snapshot
// (what the dashboard sends to its page) at the end.
func Example() {
	p, err := pipeline.New(pipeline.Config{
		Keys: []pipeline.Key{{Name: "larkspur", Query: pipeline.DefaultQuery}},
		OnAlert: func(a pipeline.Alert) {
			fmt.Printf("ALERT %s\n  e.g. %.60q\n", a.Title, a.Examples[0].Text)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	var checked time.Time
	for post, err := range sample.Source().Posts(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		p.Observe(ctx, post)
		if at := post.Created.Truncate(15 * time.Minute); at.After(checked) {
			p.Check(at)
			checked = at
		}
	}
	st := p.Snapshot()
	k := st.Keys[0]
	fmt.Printf("%d posts about %s, %.0f%% negative, %d hourly chart points\n", k.Posts, k.Name, 100*k.Negative, len(k.Points))
	// Output:
	// ALERT post going viral (bluesky:at://did:plc:milopours/app.bsky.feed.post/3lark5viral22)
	//   e.g. "Eight years of Larkspur stamps and now they want $4.99 a mon"
	// ALERT negative shift for larkspur since Tue 10:30
	//   e.g. "Customer service at Larkspur just shrugged about the stamps."
	// ALERT volume spike in mentions since Tue 12:15
	//   e.g. "Larkspur Plus: pay monthly to get what we had for free. ridi"
	// ALERT volume spike in negative posts since Tue 12:15
	//   e.g. "Larkspur Plus: pay monthly to get what we had for free. ridi"
	// 2037 posts about larkspur, 53% negative, 71 hourly chart points
}
