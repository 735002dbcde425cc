package pipeline_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/examples/internal/pipeline"
	"github.com/earshot-dev/earshot/examples/sample"
)

// The loop the monitor, the dashboard and the desk share: observe every
// post, check the detectors every 15 minutes of data, and take a snapshot
// (what the dashboard sends to its page) at the end.
func Example() {
	var alerts []string
	p, err := pipeline.New(pipeline.Config{
		Keys: []pipeline.Key{{Name: "larkspur", Query: pipeline.DefaultQuery}},
		OnAlert: func(a pipeline.Alert) {
			// a.Title reads "negative shift for larkspur since Tue 10:30";
			// the exact minute depends on the detectors' tuning.
			what := a.Tracked
			if a.Series != "" {
				what = a.Series
			}
			alerts = append(alerts, fmt.Sprintf("%s alert on %s (%s), with %d example posts",
				a.Kind, a.Start.Format("Monday"), what, len(a.Examples)))
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
	sort.Strings(alerts)
	fmt.Println(strings.Join(alerts, "\n"))
	st := p.Snapshot()
	k := st.Keys[0]
	fmt.Printf("%d posts about %s, %.0f%% negative, %d hourly chart points\n", k.Posts, k.Name, 100*k.Negative, len(k.Points))
	// Output:
	// sentiment alert on Tuesday (larkspur), with 2 example posts
	// spike alert on Tuesday (mentions), with 2 example posts
	// spike alert on Tuesday (negative posts), with 2 example posts
	// viral alert on Tuesday (larkspur), with 1 example posts
	// 2037 posts about larkspur, 53% negative, 71 hourly chart points
}
