package natsjs

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzDecode feeds arbitrary message bodies to the consumer's decoder:
// no panic, and what it accepts is a well-formed post that encodes and
// decodes to itself.
func FuzzDecode(f *testing.F) {
	for _, p := range testPosts(3) {
		b, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"platform":"x","id":"1","text":"\xff\xfe bad","created":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"platform":"x","id":"1","kind":"nope"}`))
	f.Add([]byte(`{"platform":"","id":"1"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`not json`))
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
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, ok := decode(b)
		if !ok || q.Key() != p.Key() || q.Text != p.Text || !q.Created.Equal(p.Created) {
			t.Fatalf("round trip changed the post: %+v -> %+v", p, q)
		}
	})
}
