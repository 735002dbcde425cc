package hackernews

import (
	"os"
	"testing"
	"unicode/utf8"
)

func FuzzDecodeHit(f *testing.F) {
	for _, n := range []string{"testdata/hit_story.json", "testdata/hit_comment.json"} {
		b, _ := os.ReadFile(n)
		f.Add(b)
	}
	f.Add([]byte(`{"objectID":"1","points":null,"created_at_i":-5}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeHit(b)
		if err == nil && (p.ID == "" || !utf8.ValidString(p.Text)) {
			t.Fatalf("bad post %+v", p)
		}
	})
}

func FuzzDecodeItem(f *testing.F) {
	for _, n := range []string{"testdata/item_story.json", "testdata/item_comment.json"} {
		b, _ := os.ReadFile(n)
		f.Add(b)
	}
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ok, err := decodeItem(b)
		if err == nil && ok && (p.ID == "" || !utf8.ValidString(p.Text)) {
			t.Fatalf("bad post %+v", p)
		}
	})
}
