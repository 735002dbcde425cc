package story_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
)

// The twitter-text v3 conformance cases listed in wire-formats.md §6.6.
func TestXConformance(t *testing.T) {
	cjk := strings.Repeat("我", 160)
	family := "👨‍👩‍👧‍👦"
	longLabel := strings.Repeat("a", 64) + ".com" // 68 chars, label > 63: not a URL
	cases := []struct {
		name  string
		text  string
		want  int
		valid bool
	}{
		{"url after text", "Hi http://test.co", 26, true},
		{"url alone", "http://test.co", 23, true},
		{"ten urls", strings.Repeat("https://www.twitter.com/aloha ", 10), 240, true},
		{"160 cjk", cjk, 320, false},
		{"the + 160 cjk", "the" + cjk, 323, false},
		{"mixed emoji", "H🐱☺" + family, 7, true},
		{"five emoji", "😷👾😡🔥💩", 10, true},
		{"skin tone and zwj", "🙋🏽👨‍🎤", 4, true},
		{"140 families", strings.Repeat(family, 140), 280, true},
		{"keycap", "1⃣", 2, true},
		{"long label not a url", longLabel, 68, true},
		{"invalid chars", "ABC\u202A\uFFFFABC\uFFFE", 12, false},
		// beyond the listed vectors
		{"bare gTLD domain", "see example.com now", 4 + 23 + 4, true},
		{"ccTLD without path is text", "example.de", 10, true},
		{"ccTLD with path", "t.co/abc", 23, true},
		{"nfc", "e\u0301", 1, true},
		{"latin punctuation", "\u2014\u201C\u2033", 3, true},
		{"hangul", "한국", 4, true},
		{"flag", "🇩🇪", 2, true},
		{"281 latin", strings.Repeat("a", 281), 281, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, story.XRules{}.Count(tc.text))
			err := story.XRules{}.Check(tc.text)
			switch {
			case tc.valid:
				assert.NoError(t, err)
			case strings.ContainsAny(tc.text, "\uFFFE\uFEFF\uFFFF"):
				assert.ErrorIs(t, err, story.ErrInvalidChar)
				assert.ErrorContains(t, err, "U+FFFF at byte 6")
			default:
				assert.ErrorIs(t, err, story.ErrTooLong)
			}
		})
	}
}

func TestMastodonCount(t *testing.T) {
	cases := []struct {
		name string
		m    story.MastodonRules
		text string
		want int
	}{
		{"plain", story.MastodonRules{}, "hello", 5},
		{"url counts 23", story.MastodonRules{}, "a https://example.com/a/very/long/path/that/goes/on", 2 + 23},
		{"http url", story.MastodonRules{}, "http://x.io", 23},
		{"bare domain literal", story.MastodonRules{}, "example.com", 11},
		{"trailing dot not in url", story.MastodonRules{}, "see https://example.com.", 4 + 23 + 1},
		{"remote mention", story.MastodonRules{}, "hi @alice@mastodon.social!", 3 + 6 + 1},
		{"local mention", story.MastodonRules{}, "hi @alice", 9},
		{"graphemes", story.MastodonRules{}, "👨‍👩‍👧‍👦 café", 1 + 5},
		{"spoiler counted", story.MastodonRules{Spoiler: "cw: "}, "hens", 8},
		{"custom url length", story.MastodonRules{URLLength: 30}, "https://a.b", 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.m.Count(tc.text))
		})
	}
	assert.NoError(t, story.MastodonRules{}.Check(strings.Repeat("a", 500)))
	assert.ErrorIs(t, story.MastodonRules{}.Check(strings.Repeat("a", 501)), story.ErrTooLong)
	assert.NoError(t, story.MastodonRules{MaxCharacters: 5000}.Check(strings.Repeat("a", 501)))
	var le *story.LengthError
	require.ErrorAs(t, story.MastodonRules{Spoiler: "x"}.Check(strings.Repeat("a", 500)), &le)
	assert.Equal(t, 501, le.Length)
	assert.Equal(t, 500, le.Limit)
	assert.Contains(t, le.Error(), "story: mastodon")
}

func TestBlueskyCheck(t *testing.T) {
	assert.NoError(t, story.BlueskyRules{}.Check(strings.Repeat("👍🏽", 300)))
	assert.ErrorIs(t, story.BlueskyRules{}.Check(strings.Repeat("a", 301)), story.ErrTooLong)
	// 300 graphemes but more than 3,000 bytes
	heavy := strings.Repeat("👨‍👩‍👧‍👦", 121) // 25 bytes each: 3,025
	assert.Equal(t, 121, story.BlueskyRules{}.Count(heavy))
	var le *story.LengthError
	require.ErrorAs(t, story.BlueskyRules{}.Check(heavy), &le)
	assert.Equal(t, 3000, le.MaxBytes)
	assert.Contains(t, le.Error(), "bytes")
}

func TestCheckBadInput(t *testing.T) {
	for _, r := range []story.Rules{story.MastodonRules{}, story.BlueskyRules{}, story.XRules{}} {
		assert.ErrorIs(t, r.Check(""), story.ErrEmpty)
		assert.ErrorIs(t, r.Check(" \n\t "), story.ErrEmpty)
		assert.ErrorIs(t, r.Check("ok \xff"), story.ErrInvalidUTF8)
		assert.False(t, errors.Is(r.Check("ok"), story.ErrTooLong))
	}
}

func FuzzCount(f *testing.F) {
	for _, s := range []string{"Hi http://test.co", "🙋🏽👨‍🎤", "@a@b.c https://x.y/(z)", "1⃣ example.com/x", "\xff", "e\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range []story.Rules{story.MastodonRules{}, story.BlueskyRules{}, story.XRules{}} {
			n := r.Count(s)
			if n < 0 {
				t.Fatalf("negative count %d", n)
			}
			_ = r.Check(s)
		}
		// Appending plain text never shortens a post.
		var b story.BlueskyRules
		if b.Count(s+" a") < b.Count(s) {
			t.Fatal("bluesky count shrank")
		}
	})
}
