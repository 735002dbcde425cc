package bluesky_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/coder/websocket"

	"github.com/earshot-dev/earshot/listen/bluesky"
)

// jetstreamFrames are two commit events as Jetstream sends them, each
// one text frame: a post and a like of it.
var jetstreamFrames = []string{
	`{"did":"did:plc:q235v55g5unth4zjjdpacfdr","time_us":1779719009157119,"cursor":41,"kind":"commit","commit":{"rev":"3mmoojpaqkn2z","operation":"create","collection":"app.bsky.feed.post","rkey":"3mmoojp4cd223","record":{"$type":"app.bsky.feed.post","createdAt":"2026-05-25T14:23:28.757Z","langs":["en"],"facets":[{"index":{"byteStart":24,"byteEnd":30},"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"music"}]}],"text":"Try RSV for a good time #music"},"cid":"bafyreicl7rzkxdrm4zz2ehbx52kuk3mvfow6p3gzfys72r5grvskxoswy4"}}`,
	`{"did":"did:plc:g4ut2w5755qxi3fe7mfs72p4","time_us":1779719010267528,"cursor":42,"kind":"identity","identity":{"did":"did:plc:g4ut2w5755qxi3fe7mfs72p4","seq":30340180350,"time":"2026-05-25T14:23:29.950Z"}}`,
	`{"did":"did:plc:x5lqmwzhc5ufbyy6yj2ny7qa","time_us":1779719010301877,"cursor":43,"kind":"commit","commit":{"rev":"3mmoojqlq2k2y","operation":"create","collection":"app.bsky.feed.like","rkey":"3mmoojqlhvc2y","record":{"$type":"app.bsky.feed.like","createdAt":"2026-05-25T14:23:30.010Z","subject":{"cid":"bafyreicl7rzkxdrm4zz2ehbx52kuk3mvfow6p3gzfys72r5grvskxoswy4","uri":"at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223"}},"cid":"bafyreigcbr6a4ugzdqkj7ruavqs4kvqlo7sw5xh3bmqmotzbuzfyqfbi5i"}}`,
}

// A stand-in for wss://jetstream2.us-east.bsky.network/subscribe.
func fakeJetstream() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := c.CloseRead(r.Context())
		for _, f := range jetstreamFrames {
			if c.Write(ctx, websocket.MessageText, []byte(f)) != nil {
				return
			}
		}
		<-ctx.Done()
	}))
}

func ExampleNewJetstream() {
	srv := fakeJetstream()
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/subscribe"

	src, err := bluesky.NewJetstream(url,
		bluesky.WithCollections(bluesky.CollectionPost, bluesky.CollectionLike))
	if err != nil {
		panic(err)
	}
	n := 0
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Kind, p.ID, p.Tags)
		if p.Subject != "" {
			fmt.Println("  of", p.Subject)
		}
		if n++; n == 2 {
			break // Jetstream never ends by itself
		}
	}
	// Output:
	// post at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223 [music]
	// like at://did:plc:x5lqmwzhc5ufbyy6yj2ny7qa/app.bsky.feed.like/3mmoojqlhvc2y []
	//   of at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223
}

// A stand-in for a PDS: createSession, then searchPosts.
func fakePDS() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/xrpc/com.atproto.server.createSession", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"did":"did:plc:me","handle":"me.example","accessJwt":"eyJ.access.sig","refreshJwt":"eyJ.refresh.sig"}`)
	})
	mux.HandleFunc("/xrpc/app.bsky.feed.searchPosts", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer eyJ.access.sig" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"AuthenticationRequired","message":"Authentication Required"}`)
			return
		}
		w.Header().Set("RateLimit-Limit", "3000")
		w.Header().Set("RateLimit-Remaining", "2999")
		w.Header().Set("RateLimit-Reset", "1795344000")
		w.Header().Set("RateLimit-Policy", "3000;w=300")
		fmt.Fprint(w, `{"cursor":"25","posts":[{"uri":"at://did:plc:abc/app.bsky.feed.post/3lq7example","cid":"bafyreiexample",
 "author":{"did":"did:plc:abc","handle":"alice.example","displayName":"Alice"},
 "record":{"$type":"app.bsky.feed.post","text":"Read this post","createdAt":"2026-08-07T17:00:00Z","langs":["en"]},
 "replyCount":2,"repostCount":3,"likeCount":4,"quoteCount":1,"indexedAt":"2026-08-07T17:01:00Z"}]}`)
	})
	return httptest.NewServer(mux)
}

func ExampleNewSearch() {
	srv := fakePDS()
	defer srv.Close()

	src, err := bluesky.NewSearch(srv.URL, "read",
		bluesky.WithCredentials("me.example", "app-password-here")) // one pass; add listen.Follow() to keep polling
	if err != nil {
		panic(err)
	}
	fmt.Println("password in String:", strings.Contains(fmt.Sprint(src), "app-password-here"))
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p.URL, p.Likes, p.Text)
	}
	// Output:
	// password in String: false
	// https://bsky.app/profile/alice.example/post/3lq7example 4 Read this post
}
