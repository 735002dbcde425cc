package natsjs

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/listen"
)

// decodeSeeds are message bodies of both formats, good and bad.
func decodeSeeds(f *testing.F) {
	for _, p := range append(testPosts(3), fullPost(), listen.Post{Platform: "x", ID: "1"}) {
		b, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(AppendPost(nil, &p))
	}
	f.Add([]byte(`{"platform":"x","id":"1","text":"\xff\xfe bad","created":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"platform":"x","id":"1","kind":"nope"}`))
	f.Add([]byte(`{"platform":"","id":"1"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`not json`))
	f.Add([]byte{codecV1, 0, 1, 1, 'x', 1, '1', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0x00})
}

// FuzzDecode feeds arbitrary message bodies to the consumer's decoder:
// no panic, and what it accepts is a well-formed post that encodes and
// decodes to itself.
func FuzzDecode(f *testing.F) {
	decodeSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ok := decode(data)
		if !ok {
			return
		}
		if p.Platform == "" || p.ID == "" {
			t.Fatalf("accepted a post without platform or ID: %q", data)
		}
		if !utf8.ValidString(p.Text) || !utf8.ValidString(p.Author.Handle) {
			t.Fatalf("invalid UTF-8 after decode: %q", data)
		}
		q, ok := decode(AppendPost(nil, &p))
		if !ok || q.Key() != p.Key() || q.Text != p.Text || !q.Created.Equal(p.Created) {
			t.Fatalf("round trip changed the post: %+v -> %+v", p, q)
		}
	})
}

// FuzzDecodePost checks the codec on arbitrary input: no panic, a
// rejection is a DecodeError, and an accepted post survives AppendPost and
// DecodePost unchanged (bytes kept as they are).
func FuzzDecodePost(f *testing.F) {
	decodeSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePost(data)
		if err != nil {
			if _, ok := err.(*DecodeError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		b := AppendPost(nil, &p)
		if len(b) > postSize(&p) {
			t.Fatalf("postSize %d < %d", postSize(&p), len(b))
		}
		q, err := DecodePost(b)
		if err != nil {
			t.Fatalf("re-encoded post rejected: %v", err)
		}
		samePost(t, p, q)
		if len(data) > 0 && data[0] == codecV1 && p.Created.Location() != time.UTC && !p.Created.IsZero() {
			if _, off := p.Created.Zone(); off == 0 {
				t.Fatalf("binary time with offset 0 not in UTC: %v", p.Created)
			}
		}
	})
}

// FuzzParseAck compares the allocation-free ack subject parser with a
// plain one built on strings.Split and strconv.
func FuzzParseAck(f *testing.F) {
	for _, s := range []string{
		"$JS.ACK.EARSHOT_POSTS.workers.3.120.118.1763800000000000000.5",
		"$JS.ACK._.ABCDEF.EARSHOT_POSTS.workers.1.120.118.1763800000000000000.5.tok",
		"$JS.ACK.S.c.1.1.1", "$JS.ACK.S.c.01.2.3.4.5", "$JS.ACK...........", "_INBOX.x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reply string) {
		got, ok := parseAck(reply)
		want, wantOK := ackMeta{}, false
		if tok := strings.Split(reply, "."); len(tok) >= 9 && tok[0] == "$JS" && tok[1] == "ACK" && len(tok) != 10 {
			at := 4
			if len(tok) >= 11 {
				at = 6
			}
			var n [3]uint64
			wantOK = true
			for i := range n {
				s := tok[at+i]
				v, err := strconv.ParseUint(s, 10, 64)
				if err != nil || len(s) > 19 || strings.ContainsAny(s, "+-") {
					wantOK = false
					break
				}
				n[i] = v
			}
			if wantOK {
				want = ackMeta{n[0], n[1], n[2]}
			}
		}
		if ok != wantOK || got != want {
			t.Fatalf("parseAck(%q) = %v, %v; want %v, %v", reply, got, ok, want, wantOK)
		}
	})
}
