package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDecodeStatus(f *testing.F) {
	raw, _ := os.ReadFile("testdata/status.json")
	f.Add(raw)
	f.Add([]byte(`{"id":"1","reblog":{"id":"2","content":"<p>x"}}`))
	f.Add([]byte(`{"id":"1","edited_at":false}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeStatus(b, "m.example")
		if err != nil {
			return
		}
		if p.ID == "" || p.Platform != Platform {
			t.Fatalf("post without id/platform: %+v", p)
		}
		if !utf8.ValidString(p.Text) || !utf8.ValidString(p.Author.Handle) {
			t.Fatalf("invalid UTF-8 in %+v", p)
		}
	})
}

func FuzzSSE(f *testing.F) {
	f.Add(":)\n:thump\nevent: update\ndata: {\"id\":\"1\"}\n\nevent: delete\ndata: 2\n\n")
	f.Add("data: a\ndata: b\n\n:\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		e := &sse{body: nopCloser{strings.NewReader(in)}}
		e.br = newBufReader(e.body)
		for i := 0; i < 1000; i++ {
			if _, _, err := e.next(context.Background()); err != nil {
				return
			}
		}
	})
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// FuzzFastDecode checks the hand-written decoder against encoding/json:
// whenever it succeeds, encoding/json must succeed with the same value.
func FuzzFastDecode(f *testing.F) {
	raw, _ := os.ReadFile("testdata/status.json")
	f.Add(raw)
	f.Add([]byte(`{"id":"1","ID":"2"}`))
	f.Add([]byte(`{"id":"1","content":"\u00e9\ud83d\ude00\n\"q\"","replies_count":null,"reblog":{"id":"2","tags":[null,{"name":"x"}]}}`))
	f.Add([]byte(`{"id":"1","created_at":"2022-11-15T16:06:48.410Z","mentions":null,"account":{"acct":"a","followers_count":-3}} `))
	f.Add([]byte(`{"id":"1","x":[1,2.5e-3,{"y":[true,false,null]}],"url":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast status
		if decodeStatusFast(b, &fast) != nil {
			return
		}
		var std status
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatalf("fast decoder accepted what encoding/json rejects (%v): %q", err, b)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("decoders differ on %q:\nfast %+v\nstd  %+v", b, fast, std)
		}
	})
}

func FuzzWSFrame(f *testing.F) {
	f.Add([]byte(`{"stream":["public"],"event":"update","payload":"{\"id\":\"108913983692647032\",\"created_at\":\"2022-08-30T21:38:22.000Z\"}"}`))
	f.Add([]byte(`{"stream":["public"],"event":"delete","payload":"106692867363994015"}`))
	f.Add([]byte(`{"stream":["user"],"event":"filters_changed"}`))
	f.Add([]byte(`{"error":"Unknown stream type","status":400}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		event, payload, err := decodeWSFrame(b)
		if err != nil {
			var fe *fatalError
			if !errors.As(err, &fe) {
				t.Fatalf("non-fatal error %v", err)
			}
			return
		}
		if event == "update" && payload != nil {
			DecodeStatus(payload, "m.example") // must not panic
		}
	})
}
