package x_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/earshot-dev/earshot/listen/x"
)

func ExampleNewSearch() {
	// A stand-in for https://api.x.com answering one recent search page.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-rate-limit-limit", "450")
		w.Header().Set("x-rate-limit-remaining", "449")
		w.Header().Set("x-rate-limit-reset", "1795344000")
		fmt.Fprint(w, `{"data":[
 {"id":"1279990139888918528","text":"Python now online for you !!","author_id":"2244994945","created_at":"2020-07-06T04:13:43.000Z","lang":"en"},
 {"id":"1279990133463429120","text":"RT @McQubit: Building Neural Networks","author_id":"2244994945","created_at":"2020-07-06T04:13:41.000Z","lang":"en","referenced_tweets":[{"type":"retweeted","id":"1279940000000000000"}]}],
 "includes":{"users":[{"id":"2244994945","name":"Dev","username":"dev"}]},
 "meta":{"newest_id":"1279990139888918528","oldest_id":"1279990133463429120","result_count":2}}`)
	}))
	defer srv.Close()

	src, err := x.NewSearch("my-bearer-token", "python", x.WithBaseURL(srv.URL)) // one poll; listen.Follow() keeps polling
	if err != nil {
		panic(err)
	}
	fmt.Println(src) // no token
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Kind, p.URL, p.Subject)
	}
	// Output:
	// x.Search("python")
	// repost https://x.com/dev/status/1279990133463429120 1279940000000000000
	// post https://x.com/dev/status/1279990139888918528
}

func ExampleNewStream() {
	// A stand-in for the filtered stream: two posts and a keep-alive,
	// each line ending in "\r\n".
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":{"id":"1","text":"hello #golang","author_id":"7","entities":{"hashtags":[{"start":6,"end":13,"tag":"golang"}]},"edit_history_tweet_ids":["1"]},"includes":{"users":[{"id":"7","name":"Gopher","username":"gopher"}]},"matching_rules":[{"id":"1273026480692322304","tag":"go"}]}`+"\r\n")
		fmt.Fprint(w, "\r\n")
		fmt.Fprint(w, `{"data":{"id":"2","text":"again","author_id":"7","edit_history_tweet_ids":["2"]},"includes":{"users":[{"id":"7","name":"Gopher","username":"gopher"}]}}`+"\r\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()

	src, err := x.NewStream("my-bearer-token", x.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	n := 0
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p.URL, p.Tags)
		if n++; n == 2 {
			break // the stream never ends by itself
		}
	}
	// Output:
	// https://x.com/gopher/status/1 [golang]
	// https://x.com/gopher/status/2 []
}
