package rss_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/earshot-dev/earshot/listen/rss"
)

const exampleFeed = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Example</title><link>https://example.com/</link><description>d</description>
<item><title>Second</title><guid>https://example.com/2</guid><pubDate>Tue, 10 Feb 2026 18:00:00 GMT</pubDate>
 <description><![CDATA[<p>Now with <b>HTML</b> &amp; a <a href="https://go.dev/">link</a>.</p>]]></description></item>
<item><title>First</title><guid>https://example.com/1</guid><pubDate>Mon, 09 Feb 2026 18:00:00 GMT</pubDate>
 <description>Hello, feeds.</description></item>
</channel></rss>`

func ExampleNew() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, exampleFeed)
	}))
	defer srv.Close()

	src, err := rss.New(rss.URLs(srv.URL + "/feed.xml")) // one pass; listen.Follow() keeps polling
	if err != nil {
		panic(err)
	}
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %s %q %v\n", p.Created.Format("2006-01-02"), p.ID, p.Text, p.Links)
	}
	// Output:
	// 2026-02-09 https://example.com/1 "First\n\nHello, feeds." []
	// 2026-02-10 https://example.com/2 "Second\n\nNow with HTML & a link." [https://go.dev/]
}
