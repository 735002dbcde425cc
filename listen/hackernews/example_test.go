package hackernews_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/earshot-dev/earshot/listen/hackernews"
)

func Example() {
	// A stand-in for https://hn.algolia.com/api/v1 (newest first).
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"hits":[
		 {"objectID":"42001377","created_at_i":1795343724,"author":"gopher42","comment_text":"Use <i>x/time/rate</i> &gt; hand-rolled.","parent_id":42001300,"story_id":42001234},
		 {"objectID":"42001234","created_at_i":1795343000,"author":"alice","title":"Ask HN: Rate limiting in Go?","story_text":"","num_comments":1,"points":12}],
		 "nbHits":2,"page":0,"nbPages":1,"hitsPerPage":1000}`)
	}))
	defer srv.Close()

	src, err := hackernews.New("rate limiting", hackernews.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s by %s: %q\n", p.ID, p.Author.Handle, p.Text)
	}
	// Output:
	// 42001234 by alice: "Ask HN: Rate limiting in Go?"
	// 42001377 by gopher42: "Use x/time/rate > hand-rolled."
}
