package replay_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
	"github.com/earshot-dev/earshot/listen/replay"
)

// Record what a source delivers, then replay it through the same loop.
func Example() {
	at := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	live := listentest.Static(
		listen.Post{Platform: "mastodon", ID: "1", Text: "Larkspur Plus? No thanks", Created: at},
		listen.Post{Platform: "bluesky", ID: "at://did:plc:a/app.bsky.feed.post/3k", Text: "#BringBackStamps", Created: at.Add(time.Minute)},
	)
	var file bytes.Buffer
	for _, err := range replay.Record(live, replay.NewWriter(&file)).Posts(context.Background()) {
		if err != nil {
			panic(err)
		}
	}

	// A corrupt line is skipped and counted; the replay goes on.
	file.WriteString("{not json\n")
	src := replay.New(&file, replay.WithSpeed(0))
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Created.Format("15:04"), p.Key(), p.Text)
	}
	fmt.Println("skipped:", src.Stats().Skipped)
	// Output:
	// 10:00 mastodon:1 Larkspur Plus? No thanks
	// 10:01 bluesky:at://did:plc:a/app.bsky.feed.post/3k #BringBackStamps
	// skipped: 1
}

func ExampleWithOnError() {
	input := strings.NewReader(`{"platform":"x","id":"1","text":"ok"}
{"platform":"x","text":"no id"}
`)
	src := replay.New(input, replay.WithOnError(func(e *replay.LineError) { fmt.Println(e) }))
	for p, err := range src.Posts(context.Background()) {
		if err == nil {
			fmt.Println("post", p.Key())
		}
	}
	// Output:
	// post x:1
	// replay: line 2: post has no platform or id
}
