package listen_test

import (
	"context"
	"fmt"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func ExampleNearDedupe() {
	posts := []listen.Post{
		{Platform: "x", ID: "1", Text: "WIN a free trip!!! Follow @promo and retweet https://t.co/a1"},
		{Platform: "x", ID: "2", Text: "@ana win a free trip!!! Follow @promo and retweet https://t.co/b2"},
		{Platform: "x", ID: "3", Text: "My flight was delayed three hours, again."},
		{Platform: "x", ID: "4", Text: "@ben WIN a free trip!!!  Follow @promo and retweet"},
	}
	src := listen.NearDedupe(listentest.Static(posts...), 0)
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(p.ID, p.Text)
	}
	fmt.Println("dropped:", src.(listen.StatsReporter).Stats().Duplicates)
	// Output:
	// 1 WIN a free trip!!! Follow @promo and retweet https://t.co/a1
	// 3 My flight was delayed three hours, again.
	// dropped: 2
}
