package vader_test

import (
	"math"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

// TestLexiconMatchesReference compares the default lexicon with
// vaderSentiment's own file, as read by ReadLexicon.
func TestLexiconMatchesReference(t *testing.T) {
	f, err := os.Open(shared.Path(t, "sentiment/vader_lexicon.txt"))
	require.NoError(t, err)
	defer f.Close()
	ref, err := vader.ReadLexicon(f)
	require.NoError(t, err)
	got := vader.DefaultLexicon()
	assert.Equal(t, ref.Len(), got.Len())
	for k, v := range ref.All() {
		g, ok := got.Valence(k)
		if assert.True(t, ok, "missing %q", k) {
			assert.Equal(t, v, g, "valence of %q", k)
		}
	}
	for _, w := range []string{"heart", "hearts"} {
		_, ok := got.Valence(w)
		assert.True(t, ok, w)
	}
}

// TestEmojiMatchesReference compares the emoji descriptions with
// vaderSentiment's emoji_utf8_lexicon.txt (single code points: the only
// ones the reference can match).
func TestEmojiMatchesReference(t *testing.T) {
	b, err := os.ReadFile(shared.Path(t, "sentiment/emoji_utf8_lexicon.txt"))
	require.NoError(t, err)
	n := 0
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		key, desc, ok := strings.Cut(strings.TrimSpace(line), "\t")
		require.True(t, ok, line)
		desc, _, _ = strings.Cut(desc, "\t")
		r, size := utf8.DecodeRuneInString(key)
		if size != len(key) {
			continue
		}
		n++
		got, ok := vader.EmojiDescription(r)
		assert.True(t, ok, "%U", r)
		assert.Equal(t, desc, got, "%U", r)
	}
	assert.Greater(t, n, 1000)
}

// TestPearson checks the quality floor: Pearson r between compound and
// the human mean rating of the 4,200 tweets (the reference gets 0.872).
func TestPearson(t *testing.T) {
	s := vader.New()
	var xs, ys []float64
	for _, g := range readGroundTruth(t) {
		xs = append(xs, scoreOf(s, g.text).Compound)
		ys = append(ys, g.mean)
	}
	r := pearson(xs, ys)
	t.Logf("Pearson r (compound vs human mean, %d tweets) = %.4f", len(xs), r)
	assert.GreaterOrEqual(t, r, 0.87)
}

func pearson(xs, ys []float64) float64 {
	n := float64(len(xs))
	var sx, sy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
	}
	mx, my := sx/n, sy/n
	var cov, vx, vy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		cov += dx * dy
		vx += dx * dx
		vy += dy * dy
	}
	return cov / math.Sqrt(vx*vy)
}
