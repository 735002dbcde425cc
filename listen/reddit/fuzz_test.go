package reddit

import (
	"os"
	"testing"
	"unicode/utf8"
)

func FuzzDecodeListing(f *testing.F) {
	for _, n := range []string{"testdata/new.json", "testdata/comments.json"} {
		b, _ := os.ReadFile(n)
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"Listing","data":{"children":[{"kind":"t1","data":{"id":"a","edited":1.5e300,"score":"-1e400","replies":{"kind":"Listing"}}}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		posts, _, _, err := decodeListing(b)
		if err != nil {
			return
		}
		for _, p := range posts {
			if p.ID == "" || p.Platform != Platform || !utf8.ValidString(p.Text) {
				t.Fatalf("bad post %+v", p)
			}
		}
	})
}
