package rss

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// FuzzParseFeed feeds arbitrary documents through gofeed and the mapping:
// no panic, and every post has an ID, valid UTF-8 and no markup left.
func FuzzParseFeed(f *testing.F) {
	for _, name := range []string{"rss.xml", "atom.xml", "feed.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
		f.Add(string(b[:len(b)/2]))
	}
	f.Add(`<rss version="2.0"><channel><item><title>&lt;b&gt;x</title><guid></guid></item></channel></rss>`)
	f.Add(`{"version":"https://jsonfeed.org/version/1","items":[{"id":1}]}`)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, doc string) {
		feed, err := gofeed.NewParser().Parse(strings.NewReader(doc))
		if err != nil {
			return
		}
		for _, it := range mapFeed("https://example.com/feed", feed, at) {
			p := it.post
			if p.ID == "" || it.key == "" {
				t.Fatalf("post without ID: %+v", p)
			}
			if !utf8.ValidString(p.Text) {
				t.Fatalf("invalid UTF-8: %q", p.Text)
			}
		}
	})
}

// FuzzHTMLText checks the HTML-to-text conversion: no panic, valid UTF-8
// for valid input, no tags left, and converting the output again changes
// nothing but entity decoding.
