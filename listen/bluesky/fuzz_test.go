package bluesky

import (
	"bufio"
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
