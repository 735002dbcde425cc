package vaderdata

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
)

// TestEmbedded checks that every line of both files parses, so that the
// loaders' unreachable failure paths stay unreachable.
func TestEmbedded(t *testing.T) {
	n := 0
	for _, line := range strings.Split(strings.TrimSuffix(lexiconFile, "\n"), "\n") {
		tok, _, reason := ParseLexiconLine(line)
		require.Empty(t, reason, "%q", line)
		require.NotEmpty(t, tok, "%q", line)
		n++
	}
	assert.Equal(t, 7520, n)
	m := 0
	for k, v := range Lexicon() {
		assert.NotEmpty(t, k)
		assert.True(t, v >= -4 && v <= 4, "%q %v", k, v)
		m++
	}
	assert.Equal(t, n, m)
	for _, line := range strings.Split(strings.TrimSuffix(emojiFile, "\n"), "\n") {
		require.Contains(t, line, "\t")
	}
	n = 0
	for k, d := range Emoji() {
		assert.NotEmpty(t, k)
		assert.NotEmpty(t, d)
		n++
	}
	assert.Equal(t, 3570, n)
}

// TestSameAsShared checks that the embedded files are byte for byte the
// copies of vaderSentiment's files in the shared evaluation data.
func TestSameAsShared(t *testing.T) {
	for name, got := range map[string]string{"vader_lexicon.txt": lexiconFile, "emoji_utf8_lexicon.txt": emojiFile} {
		want, err := os.ReadFile(shared.Path(t, "sentiment/"+name))
		require.NoError(t, err)
		assert.True(t, string(want) == got, "%s differs from the shared copy", name)
	}
}

func TestParseLexiconLine(t *testing.T) {
	for _, tc := range []struct {
		line, tok string
		val       float64
		bad       bool
	}{
		{"good\t1.9\t0.9\t[2, 2]", "good", 1.9, false},
		{"  :)\t2.0  \r", ":)", 2, false},
		{"", "", 0, false},
		{"   ", "", 0, false},
		{"\t1.5", "", 0, true},
		{"nope", "", 0, true},
		{"x\tabc", "", 0, true},
		{"x\tNaN", "", 0, true},
		{"x\t+Inf", "", 0, true},
	} {
		tok, val, reason := ParseLexiconLine(tc.line)
		assert.Equal(t, tc.bad, reason != "", "%q: %s", tc.line, reason)
		assert.Equal(t, tc.tok, tok, "%q", tc.line)
		assert.Equal(t, tc.val, val, "%q", tc.line)
	}
}

func TestLexiconStops(t *testing.T) {
	n := 0
	for range Lexicon() {
		n++
		break
	}
	for range Emoji() {
		n++
		break
	}
	assert.Equal(t, 2, n)
}
