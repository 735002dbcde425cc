package reddit_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/earshot-dev/earshot/listen/reddit"
)

func Example() {
	// A stand-in for www.reddit.com (token) and oauth.reddit.com (listings).
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/access_token", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"access_token":"tok","token_type":"bearer","expires_in":86400,"scope":"*"}`)
	})
	mux.HandleFunc("/r/golang/new", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "596.0")
		w.Header().Set("X-Ratelimit-Reset", "300")
		io.WriteString(w, `{"kind":"Listing","data":{"after":null,"children":[
		 {"kind":"t3","data":{"id":"b2","name":"t3_b2","title":"Second","selftext":"","author":"bob","created_utc":1547618300.0,"score":null,"edited":1547619000.5,"is_self":true}},
		 {"kind":"t3","data":{"id":"a1","name":"t3_a1","title":"First","selftext":"hello & welcome","author":"alice","created_utc":1547618271.0,"score":5,"edited":false,"is_self":true}}]}}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	src, err := reddit.New("client-id", "client-secret", "linux:com.example.listener:v1.0.0 (by /u/example)",
		reddit.Posts("golang"), reddit.WithBaseURLs(srv.URL, srv.URL))
	if err != nil {
		panic(err)
	}
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %s: %q (%d)\n", p.ID, p.Author.Handle, p.Text, p.Likes)
	}
	// Output:
	// t3_a1 u/alice: "First\n\nhello & welcome" (5)
	// t3_b2 u/bob: "Second" (0)
}
