package story_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
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
	{"mastodon-500", story.MastodonRules{}, false},
	{"mastodon-120-numbered", story.MastodonRules{MaxCharacters: 120}, true},
	{"mastodon-120-cw-numbered", story.MastodonRules{MaxCharacters: 120, Spoiler: "hens "}, true},
	{"bluesky", story.BlueskyRules{}, false},
	{"bluesky-numbered", story.BlueskyRules{}, true},
	{"x", story.XRules{}, false},
	{"x-numbered", story.XRules{}, true},
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
	parts, err := story.Split(s1+" "+s2, story.MastodonRules{MaxCharacters: 100}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{s1, s2}, parts)
}

func TestSplitNumberingWidth(t *testing.T) {
	// Enough text for ten or more parts: the label grows to "10/12 ".
	text := strings.Repeat("The hens are fine today. ", 60)
	parts, err := story.Split(text, story.MastodonRules{MaxCharacters: 120}, true)
	require.NoError(t, err)
	require.Greater(t, len(parts), 9)
	checkSplit(t, text, parts, story.MastodonRules{MaxCharacters: 120}, true)
	assert.True(t, strings.HasPrefix(parts[9], fmt.Sprintf("10/%d ", len(parts))))
}

func TestSplitSinglePart(t *testing.T) {
	parts, err := story.Split("  short and sweet \n", story.XRules{}, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"short and sweet"}, parts)
}

func TestSplitBadInput(t *testing.T) {
	_, err := story.Split(" \t\n", story.XRules{}, false)
	assert.ErrorIs(t, err, story.ErrEmpty)
	_, err = story.Split("ok \xc3", story.BlueskyRules{}, false)
	assert.ErrorIs(t, err, story.ErrInvalidUTF8)
	_, err = story.Split("fine "+strings.Repeat("z", 301), story.BlueskyRules{}, false)
	var le *story.LengthError
	require.ErrorAs(t, err, &le)
	assert.ErrorIs(t, err, story.ErrTooLong)
	assert.Equal(t, strings.Repeat("z", 301), le.Word)
	assert.Equal(t, 1, le.Part)
	assert.Contains(t, err.Error(), "story: bluesky: part 2: word")
	_, err = story.Split(strings.Repeat("fine words here ", 30)+"bad\uFFFEword", story.XRules{}, false)
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
		rules := []story.Rules{story.MastodonRules{MaxCharacters: 10 + int(limit)}, story.BlueskyRules{}, story.XRules{}}
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
	th, err := story.NewThread("diary/12", strings.Repeat("Eggs today. ", 40), story.BlueskyRules{}, true, img)
	require.NoError(t, err)
	assert.Equal(t, "diary/12", th.ID)
	require.Len(t, th.Parts, 2)
	assert.Equal(t, []story.Image{img}, th.Parts[0].Images)
	assert.Empty(t, th.Parts[1].Images)
	_, err = story.NewThread("x", "", story.XRules{}, false)
	assert.ErrorIs(t, err, story.ErrEmpty)
}

// checkCounter wraps Rules and counts the bytes passed to Check.
type checkCounter struct {
	story.Rules
	bytes *int
}

func (c checkCounter) Check(s string) error { *c.bytes += len(s); return c.Rules.Check(s) }

// opaqueRules reports a text too long with a plain error.
type opaqueRules struct{ story.Rules }

func (o opaqueRules) Check(s string) error {
	if err := o.Rules.Check(s); err != nil {
		return errors.New("too long")
	}
	return nil
}

// TestSplitLinear (issue 20 item 4): the text Split checks grows in
// proportion to the text, never with its square. It used to check most of
// the remaining text for every part: 8 KB of text took 28 ms, 128 KB 14 s.
// BenchmarkSplit shows the time.
func TestSplitLinear(t *testing.T) {
	configs := append([]splitConfig(nil), splitConfigs...)
	// Rules that do not say their limit: Split guesses from the previous
	// part's size instead of from the words' counts.
	configs = append(configs, splitConfig{"opaque", opaqueRules{story.XRules{}}, false}, splitConfig{"opaque-numbered", opaqueRules{story.XRules{}}, true})
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			var ratios []float64
			for _, size := range []int{8 << 10, 128 << 10} {
				text := benchText(t, size)
				n := 0
				parts, err := story.Split(text, checkCounter{c.rules, &n}, c.numbered)
				require.NoError(t, err)
				require.Greater(t, len(parts), 10)
				ratios = append(ratios, float64(n)/float64(len(text)))
			}
			t.Logf("%s: bytes checked per byte of text: %.1f at 8 KB, %.1f at 128 KB", c.name, ratios[0], ratios[1])
			assert.Less(t, ratios[1], 32.0)
			assert.Less(t, ratios[1], 1.5*ratios[0]+1)
		})
	}
}

// benchText returns n bytes of the golden inputs (prose, links, mentions,
// emoji, several scripts), repeated, cut at a space.
func benchText(tb testing.TB, n int) string {
	inputs, _ := filepath.Glob("testdata/split/*.txt")
	var b strings.Builder
	for _, in := range inputs {
		t, err := os.ReadFile(in)
		if err != nil {
			tb.Fatal(err)
		}
		b.Write(t)
		b.WriteString("\n\n")
	}
	unit := b.String()
	s := strings.Repeat(unit, n/len(unit)+1)
	return s[:strings.LastIndex(s[:n], " ")]
}

// TestLengthErrorMessage (issue 20 item 4): the word in the message is cut
// at the end of a grapheme cluster, never inside a UTF-8 sequence, an
// accented letter or an emoji sequence; Word keeps it whole.
func TestLengthErrorMessage(t *testing.T) {
	quotedWord := regexp.MustCompile(`word ("(?:[^"\\]|\\.)*")`)
	for _, w := range []string{
		"x" + strings.Repeat("é", 400),  // two bytes each: byte 40 falls inside one
		strings.Repeat("e\u0301", 400),  // a letter and a combining accent
		strings.Repeat("👨‍👩‍👧‍👦", 310),  // 25-byte emoji sequences
		"x" + strings.Repeat("🇩🇪", 310), // flags: pairs of regional indicators
	} {
		_, err := story.Split("ok "+w, story.BlueskyRules{}, false)
		var le *story.LengthError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, w, le.Word)
		m := quotedWord.FindStringSubmatch(err.Error())
		require.NotNil(t, m, err.Error())
		shown, uerr := strconv.Unquote(m[1])
		require.NoError(t, uerr)
		require.True(t, strings.HasSuffix(shown, "…"), shown)
		shown = strings.TrimSuffix(shown, "…")
		require.True(t, strings.HasPrefix(w, shown), "%q", shown)
		assert.True(t, utf8.ValidString(shown), "%q", shown)
		assert.Equal(t, uniseg.GraphemeClusterCount(w), uniseg.GraphemeClusterCount(shown)+uniseg.GraphemeClusterCount(w[len(shown):]), "cut inside a cluster: %q", shown)
		assert.LessOrEqual(t, len(shown), 40)
		assert.Greater(t, len(shown), 10)
	}
}
