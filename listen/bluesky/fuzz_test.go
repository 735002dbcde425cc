package bluesky

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/listen"
)

func seedJetstream(f *testing.F) {
	fh, err := os.Open("testdata/jetstream.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f.Add(append([]byte(nil), sc.Bytes()...))
	}
	f.Add([]byte(`{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"a","record":{"text":"\xff","facets":[{"index":{"byteStart":-3,"byteEnd":99},"features":[{"$type":"app.bsky.richtext.facet#mention","did":"d"}]}]}}}`))
	f.Add([]byte(`{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like","rkey":"a","record":{"subject":"did:plc:y"}}}`))
	f.Add([]byte(`{"did":1}`))
	f.Add([]byte(`null`))
}

// FuzzDecodeEvent checks that any frame decodes or fails without panic,
// and that a delivered post is well formed.
func FuzzDecodeEvent(f *testing.F) {
	seedJetstream(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var ev event
		if decodeEvent(b, &ev) != nil {
			return
		}
		p, ok := toPost(&ev)
		if !ok {
			return
		}
		if p.Platform != Platform || !strings.HasPrefix(p.ID, "at://") {
			t.Fatalf("bad identity %q %q", p.Platform, p.ID)
		}
		for _, s := range append(append([]string{p.Text, p.ID, p.Author.ID, p.URL, p.Lang, p.ReplyTo, p.Thread, p.Subject}, p.Mentions...), append(p.Tags, p.Links...)...) {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
		}
		if (p.Kind == listen.KindLike || p.Kind == listen.KindRepost) && p.Subject == "" {
			t.Fatal("like or repost without subject")
		}
		_ = keyHash(&ev)
	})
}

// FuzzCursor checks that any saved cursor restores or fails cleanly, and
// that a restored state marshals to a cursor that restores again.
func FuzzCursor(f *testing.F) {
	st := newStreamState(10)
	st.add(1, 5)
	st.maxTimeUS, st.maxSeq = 5, 9
	f.Add(st.marshal(100, 10))
	f.Add("1779719009157119")
	f.Add(`{"time_us":1,"keys":"AAAAAAAAAAE"}`)
	f.Add(`{"keys":"!!"}`)
	f.Fuzz(func(t *testing.T, c string) {
		s := newStreamState(16)
		if s.restore(c) != nil {
			return
		}
		again := newStreamState(16)
		if err := again.restore(s.marshal(1<<40, 16)); err != nil {
			t.Fatalf("round trip of %q: %v", c, err)
		}
		if again.maxTimeUS != s.maxTimeUS || again.maxSeq != s.maxSeq {
			t.Fatal("round trip changed the cursor")
		}
	})
}

// FuzzSearchPage decodes arbitrary searchPosts responses: no panic, and
// mapped posts carry an at:// ID and valid UTF-8.
func FuzzSearchPage(f *testing.F) {
	f.Add([]byte(`{"cursor":"25","posts":[{"uri":"at://did:plc:abc/app.bsky.feed.post/3lq7example","cid":"bafyreiexample","author":{"did":"did:plc:abc","handle":"alice.example","displayName":"Alice"},"record":{"$type":"app.bsky.feed.post","text":"Read this post","createdAt":"2026-08-07T17:00:00Z","langs":["en"]},"replyCount":2,"repostCount":3,"likeCount":4,"quoteCount":1,"indexedAt":"2026-08-07T17:01:00Z"}]}`))
	f.Add([]byte(`{"posts":[{"uri":"at://x/app.bsky.feed.like/y","record":{"text":"\xff"}}]}`))
	f.Add([]byte(`{"posts":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var pg searchPage
		if json.Unmarshal(b, &pg) != nil {
			return
		}
		for _, raw := range pg.Posts {
			var v postView
			if json.Unmarshal(raw, &v) != nil {
				continue
			}
			p, _, ok := viewPost(&v)
			if !ok {
				continue
			}
			if !strings.HasPrefix(p.ID, "at://") || p.URL == "" {
				t.Fatalf("bad post %q %q", p.ID, p.URL)
			}
			for _, s := range []string{p.Text, p.Author.Handle, p.Author.Name, p.URL} {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 %q", s)
				}
			}
		}
	})
}
