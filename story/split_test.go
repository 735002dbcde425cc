package story_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

type splitConfig struct {
	name     string
	rules    story.Rules
	numbered bool
}

var splitConfigs = []splitConfig{
	{"mastodon-500", story.Mastodon{}, false},
	{"mastodon-120-numbered", story.Mastodon{MaxCharacters: 120}, true},
	{"mastodon-120-cw-numbered", story.Mastodon{MaxCharacters: 120, Spoiler: "hens "}, true},
	{"bluesky", story.Bluesky{}, false},
	{"bluesky-numbered", story.Bluesky{}, true},
	{"x", story.X{}, false},
	{"x-numbered", story.X{}, true},
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got)
}

func TestSplitGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/split/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		text, err := os.ReadFile(in)
		require.NoError(t, err)
		name := strings.TrimSuffix(filepath.Base(in), ".txt")
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			for _, c := range splitConfigs {
				parts, err := story.Split(string(text), c.rules, c.numbered)
				require.NoError(t, err, c.name)
				fmt.Fprintf(&b, "== %s: %d parts\n", c.name, len(parts))
				for i, p := range parts {
					fmt.Fprintf(&b, "-- part %d, length %d, %d bytes\n%s\n", i+1, c.rules.Count(p), len(p), p)
				}
				checkSplit(t, string(text), parts, c.rules, c.numbered)
			}
			golden(t, "split/"+name+".golden", b.String())
		})
	}
}

var labelRe = regexp.MustCompile(`^([0-9]+)/([0-9]+) `)

// checkSplit asserts the splitting properties: every part passes the
// rules, labels count 1..n, and the parts, without labels, are the
// original text in order with only whitespace between them.
func checkSplit(t *testing.T, text string, parts []string, r story.Rules, numbered bool) {
	t.Helper()
	require.NotEmpty(t, parts)
	rest := text
	for i, p := range parts {
		require.NoError(t, r.Check(p), "part %d", i+1)
		if numbered && len(parts) > 1 {
			m := labelRe.FindStringSubmatch(p)
			require.NotNil(t, m, "part %d has no label: %q", i+1, p)
			assert.Equal(t, fmt.Sprint(i+1), m[1])
			assert.Equal(t, fmt.Sprint(len(parts)), m[2])
			p = p[len(m[0]):]
		}
		require.NotEmpty(t, p)
		at := strings.Index(rest, p)
		require.GreaterOrEqual(t, at, 0, "part %d not found in order: %q", i+1, p)
		require.Empty(t, strings.TrimSpace(rest[:at]), "non-space text dropped before part %d", i+1)
		rest = rest[at+len(p):]
	}
	require.Empty(t, strings.TrimSpace(rest), "text dropped at the end")
}

func TestSplitNeverCutsEntities(t *testing.T) {
	text := strings.Repeat("word ", 80) + "https://example.com/" + strings.Repeat("x", 30) + " " + strings.Repeat("more ", 30) + "#hashtag @someone@example.social 👨‍👩‍👧‍👦 end."
	for _, c := range splitConfigs {
		parts, err := story.Split(text, c.rules, c.numbered)
		require.NoError(t, err)
		joined := strings.Join(parts, "\n")
		assert.Contains(t, joined, "https://example.com/"+strings.Repeat("x", 30))
		assert.Contains(t, joined, "#hashtag")
		assert.Contains(t, joined, "@someone@example.social")
		assert.Contains(t, joined, "👨‍👩‍👧‍👦")
		checkSplit(t, text, parts, c.rules, c.numbered)
	}
}

func TestSplitPrefersSentences(t *testing.T) {
	s1 := strings.Repeat("a", 60) + " ends here."
	s2 := strings.Repeat("b", 30) + " and " + strings.Repeat("c", 30) + " more"
	parts, err := story.Split(s1+" "+s2, story.Mastodon{MaxCharacters: 100}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{s1, s2}, parts)
}

func TestSplitNumberingWidth(t *testing.T) {
	// Enough text for ten or more parts: the label grows to "10/12 ".
	text := strings.Repeat("The hens are fine today. ", 60)
	parts, err := story.Split(text, story.Mastodon{MaxCharacters: 120}, true)
	require.NoError(t, err)
	require.Greater(t, len(parts), 9)
	checkSplit(t, text, parts, story.Mastodon{MaxCharacters: 120}, true)
	assert.True(t, strings.HasPrefix(parts[9], fmt.Sprintf("10/%d ", len(parts))))
}

func TestSplitSinglePart(t *testing.T) {
	parts, err := story.Split("  short and sweet \n", story.X{}, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"short and sweet"}, parts)
}

func TestSplitBadInput(t *testing.T) {
	_, err := story.Split(" \t\n", story.X{}, false)
	assert.ErrorIs(t, err, story.ErrEmpty)
	_, err = story.Split("ok \xc3", story.Bluesky{}, false)
	assert.ErrorIs(t, err, story.ErrInvalidUTF8)
	_, err = story.Split("fine "+strings.Repeat("z", 301), story.Bluesky{}, false)
	var le *story.LengthError
	require.ErrorAs(t, err, &le)
	assert.ErrorIs(t, err, story.ErrTooLong)
	assert.Equal(t, strings.Repeat("z", 301), le.Word)
	assert.Equal(t, 1, le.Part)
	assert.Contains(t, err.Error(), "story: bluesky: part 2: word")
	_, err = story.Split(strings.Repeat("fine words here ", 30)+"bad\uFFFEword", story.X{}, false)
	assert.ErrorIs(t, err, story.ErrInvalidChar)
	assert.NotErrorIs(t, err, story.ErrTooLong)
}

func FuzzSplit(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/split/*.txt")
	for _, in := range inputs {
		b, _ := os.ReadFile(in)
		if len(b) > 400 {
			b = b[:400] // small seeds keep the fuzzer fast; may cut a rune: fine
		}
		f.Add(string(b), uint8(60))
	}
	f.Add("a. b! c? "+strings.Repeat("ab ", 40), uint8(20))
	f.Add(" \u0301x y\u200dz \n\n q", uint8(10))
	f.Fuzz(func(t *testing.T, text string, limit uint8) {
		if len(text) > 1000 {
			return
		}
		rules := []story.Rules{story.Mastodon{MaxCharacters: 10 + int(limit)}, story.Bluesky{}, story.X{}}
		for _, r := range rules {
			for _, numbered := range []bool{false, true} {
				parts, err := story.Split(text, r, numbered)
				if err != nil {
					continue
				}
				for i, p := range parts {
					if err := r.Check(p); err != nil {
						t.Fatalf("part %d does not fit: %v", i, err)
					}
					if strings.TrimFunc(p, unicode.IsSpace) == "" {
						t.Fatalf("part %d is blank: %q", i, p)
					}
				}
				if !numbered {
					if got, want := strings.Join(strings.Fields(strings.Join(parts, " ")), " "), strings.Join(strings.Fields(text), " "); got != want {
						t.Fatalf("text changed:\n got %q\nwant %q", got, want)
					}
				}
			}
		}
	})
}

func TestNewThread(t *testing.T) {
	img := story.Image{MIME: "image/jpeg", Alt: "Clementine"}
	th, err := story.NewThread("diary/12", strings.Repeat("Eggs today. ", 40), story.Bluesky{}, true, img)
	require.NoError(t, err)
	assert.Equal(t, "diary/12", th.ID)
	require.Len(t, th.Parts, 2)
	assert.Equal(t, []story.Image{img}, th.Parts[0].Images)
	assert.Empty(t, th.Parts[1].Images)
	_, err = story.NewThread("x", "", story.X{}, false)
	assert.ErrorIs(t, err, story.ErrEmpty)
}
