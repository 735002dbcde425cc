package mastodon_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/mastodon"
)

func Example() {
	// A stand-in for https://mastodon.social serving one hashtag page.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[{"id":"109348677773283528","created_at":"2022-11-15T16:07:00.000Z","content":"<p>Second &amp; last</p>","account":{"acct":"bob@other.example"},"tags":[]},
		 {"id":"109348677773283527","created_at":"2022-11-15T16:06:48.410Z","content":"<p>Hello <a href=\"https://m.example/tags/golang\" class=\"mention hashtag\" rel=\"tag\">#<span>golang</span></a></p>","account":{"acct":"alice"},"tags":[{"name":"golang"}]}]`)
	}))
	defer srv.Close()

	store := &listen.MemoryStore{}
	src, err := mastodon.New(srv.URL, mastodon.Hashtag("golang"), listen.WithCursorStore(store, "mastodon:golang"))
	if err != nil {
		panic(err)
	}
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %s: %q %v\n", p.ID, p.Author.Handle, p.Text, p.Tags)
	}
	cursor, _ := store.Load(context.Background(), "mastodon:golang")
	fmt.Println("cursor:", cursor)
	// Output:
	// 109348677773283527 alice@127.0.0.1: "Hello #golang" [golang]
	// 109348677773283528 bob@other.example: "Second & last" []
	// cursor: 109348677773283528
}
