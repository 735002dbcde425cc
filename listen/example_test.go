package listen_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func ExampleCompile() {
	q, err := listen.Compile(`(larkspur OR @larkspur) ("price hike" OR #larkspurplus) -giveaway lang:en`)
	if err != nil {
		panic(err)
	}
	for _, text := range []string{
		"Another PRICE HIKE at Larkspur?!",
		"@Larkspur #LarkspurPlus is a joke",
		"Larkspur giveaway: win a price hike",
		"an affordable price hike at lark spur",
	} {
		fmt.Println(q.Match(&listen.Post{Text: text, Lang: "en-GB"}), text)
	}
	// Output:
	// true Another PRICE HIKE at Larkspur?!
	// true @Larkspur #LarkspurPlus is a joke
	// false Larkspur giveaway: win a price hike
	// false an affordable price hike at lark spur
}

func ExampleCompile_syntaxError() {
	_, err := listen.Compile(`larkspur AND ("price hike" OR refund`)
	var qe *listen.QueryError
	if errors.As(err, &qe) {
		fmt.Println(qe.Pos, err)
	}
	// Output:
	// 13 listen: query: position 14: unbalanced '('
}

func ExampleMerge() {
	mastodon := listentest.Static(
		listen.Post{Platform: "mastodon", ID: "1"},
		listen.Post{Platform: "mastodon", ID: "2"},
	)
	bluesky := listentest.Static(listen.Post{Platform: "bluesky", ID: "at://did:plc:a/app.bsky.feed.post/3k"})
	var keys []string
	for p, err := range listen.Merge(mastodon, bluesky).Posts(context.Background()) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		keys = append(keys, p.Key())
	}
	sort.Strings(keys) // posts arrive as the sources yield them
	fmt.Println(keys)
	// Output:
	// [bluesky:at://did:plc:a/app.bsky.feed.post/3k mastodon:1 mastodon:2]
}

func ExampleDedupe() {
	p := listen.Post{Platform: "mastodon", ID: "1", Text: "hello"}
	edit := p
	edit.Kind = listen.KindUpdate
	src := listentest.Static(p, p, edit, p)
	for p, err := range listen.Dedupe(src, 1000).Posts(context.Background()) {
		if err == nil {
			fmt.Println(p.Key(), p.Kind)
		}
	}
	// Output:
	// mastodon:1 post
	// mastodon:1 update
}

func ExampleFileStore() {
	dir, _ := os.MkdirTemp("", "cursors")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cursors.json")
	ctx := context.Background()

	store, err := listen.OpenFileStore(path)
	if err != nil {
		panic(err)
	}
	_ = store.Save(ctx, "mastodon:tag:coffee", "109348677773283527")

	// After a restart, the cursor is still there.
	again, _ := listen.OpenFileStore(path)
	cursor, _ := again.Load(ctx, "mastodon:tag:coffee")
	fmt.Println(cursor)
	// Output:
	// 109348677773283527
}
