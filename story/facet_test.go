package story_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
)

func resolver(m map[string]string) story.Resolver {
	return func(h string) (string, bool) { d, ok := m[h]; return d, ok }
}

// The example from the Bluesky docs (wire-formats.md §2.5): the emoji
// before the URL push its byte offsets far past its character index.
func TestFacetsDocsExample(t *testing.T) {
	text := "\u2728 example mentioning @atproto.com to share the URL \U0001F468\u200D\u2764\uFE0F\u200D\U0001F468 https://en.wikipedia.org/wiki/CBOR."
	got := story.Facets(text, resolver(map[string]string{"atproto.com": "did:plc:ewvi7nxzyoun6zhxrhs64oiz"}))
	want := []story.Facet{
		{Start: 23, End: 35, DID: "did:plc:ewvi7nxzyoun6zhxrhs64oiz"},
		{Start: 74, End: 108, Link: "https://en.wikipedia.org/wiki/CBOR"},
	}
	assert.Equal(t, want, got)
	b, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"index":{"byteStart":23,"byteEnd":35},"features":[{"$type":"app.bsky.richtext.facet#mention","did":"did:plc:ewvi7nxzyoun6zhxrhs64oiz"}]},
	{"index":{"byteStart":74,"byteEnd":108},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://en.wikipedia.org/wiki/CBOR"}]}]`, string(b))
	var back []story.Facet
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, want, back)
}

func TestFacetsEntities(t *testing.T) {
	text := "Hi @alice.test and @nobody.test (@bob.example)! #golang, #2026 #café… see https://x.example/#frag and mail@host.example #"
	got := story.Facets(text, resolver(map[string]string{"alice.test": "did:plc:alice", "bob.example": "did:web:bob.example"}))
	var kinds []string
	for _, f := range got {
		s := text[f.Start:f.End]
		switch {
		case f.DID != "":
			kinds = append(kinds, "mention "+s)
		case f.Link != "":
			kinds = append(kinds, "link "+s)
		default:
			kinds = append(kinds, "tag "+f.Tag+" "+s)
		}
	}
	assert.Equal(t, []string{
		"mention @alice.test",
		"mention @bob.example",
		"tag golang #golang",
		"tag café #café",
		"link https://x.example/#frag",
	}, kinds)
	assert.Equal(t, []string{"alice.test", "nobody.test", "bob.example"}, story.Handles(text))
	assert.Empty(t, facetsOf(story.Facets("@alice.test", nil), "did"), "nil resolver skips mentions")
}

func facetsOf(fs []story.Facet, kind string) []story.Facet {
	var out []story.Facet
	for _, f := range fs {
		if (kind == "did" && f.DID != "") || (kind == "link" && f.Link != "") {
			out = append(out, f)
		}
	}
	return out
}

func TestShortenLinks(t *testing.T) {
	text := "🥚 Diary: https://en.wikipedia.org/wiki/Chicken_(food)_and_more_things and #hens @alice.test"
	short, fs := story.ShortenLinks(text, 30, resolver(map[string]string{"alice.test": "did:plc:a"}))
	assert.Equal(t, "🥚 Diary: en.wikipedia.org/wiki/Chick... and #hens @alice.test", short)
	require.Len(t, fs, 3)
	assert.Equal(t, "https://en.wikipedia.org/wiki/Chicken_(food)_and_more_things", fs[0].Link)
	assert.Equal(t, "en.wikipedia.org/wiki/Chick...", short[fs[0].Start:fs[0].End])
	assert.Equal(t, "#hens", short[fs[1].Start:fs[1].End])
	assert.Equal(t, "@alice.test", short[fs[2].Start:fs[2].End])
}

func TestFacetsGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/split/*.txt")
	require.NoError(t, err)
	for _, in := range inputs {
		text, err := os.ReadFile(in)
		require.NoError(t, err)
		fs := story.Facets(string(text), resolver(map[string]string{"helpdesk.bsky.social": "did:plc:helpdesk"}))
		checkFacets(t, string(text), fs)
		b, err := json.MarshalIndent(fs, "", "  ")
		require.NoError(t, err)
		golden(t, "facets/"+strings.TrimSuffix(filepath.Base(in), ".txt")+".golden", string(b)+"\n")
	}
}

func checkFacets(t testing.TB, text string, fs []story.Facet) {
	prev := 0
	for _, f := range fs {
		if f.Start < prev || f.End <= f.Start || f.End > len(text) {
			t.Fatalf("facet %+v out of order or bounds (prev end %d, len %d)", f, prev, len(text))
		}
		if !utf8.ValidString(text[f.Start:f.End]) {
			t.Fatalf("facet %+v cuts a character", f)
		}
		if f.Tag != "" && "#"+f.Tag != text[f.Start:f.End] {
			t.Fatalf("tag facet %+v does not match %q", f, text[f.Start:f.End])
		}
		prev = f.End
	}
}

func FuzzFacets(f *testing.F) {
	f.Add("Hi @a.test #tag https://x.y/z. #1 ##x @@b.c")
	f.Add("#\u00ad @a..b https://(x).y")
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		all := func(string) (string, bool) { return "did:plc:x", true }
		checkFacets(t, text, story.Facets(text, all))
		short, fs := story.ShortenLinks(text, 12, all)
		checkFacets(t, short, fs)
	})
}
