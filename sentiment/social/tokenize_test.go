package social

import (
	"math/rand"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
)

// refTokenize is tokenize without its fast paths (scanShort's plain
// words and words with one trailing byte, addShort, the skipped space,
// deferred lookups): every run of non-space text goes through chunk, the
// general case, and every word is looked up at once.
func (s *Scorer) refTokenize(st *state) {
	st.eager = true
	defer func() { st.eager = false }()
	buf := st.buf
	st.low = st.low[:0]
	st.toks = st.toks[:0]
	st.flags, st.caps, st.emojis = 0, 0, 0
	for i := 0; i < len(buf); {
		r, n := utf8.DecodeRune(buf[i:])
		if isSpace(r) {
			if r == '\n' {
				s.markBreak(st)
			}
			i += n
			continue
		}
		j := i
		for j < len(buf) {
			r, n := utf8.DecodeRune(buf[j:])
			if isSpace(r) {
				break
			}
			j += n
		}
		s.chunk(st, buf[i:j])
		i = j
	}
}

// tokView is a token with its text instead of offsets into state.low.
type tokView struct {
	tok
	text string
}

func viewTokens(st *state) []tokView {
	out := make([]tokView, len(st.toks))
	for i, t := range st.toks {
		out[i].tok = t
		if !t.emoji {
			out[i].text = string(st.low[t.lo:t.hi])
			out[i].lo, out[i].hi = 0, 0
		}
	}
	return out
}

// checkTokenize compares tokenize with refTokenize on text.
func checkTokenize(t testing.TB, s *Scorer, text string) {
	t.Helper()
	var fast, ref state
	s.normalise(&fast, text)
	s.tokenize(&fast)
	s.normalise(&ref, text)
	s.refTokenize(&ref)
	require.Equal(t, viewTokens(&ref), viewTokens(&fast), "text %q", text)
	require.Equal(t, ref.flags, fast.flags, "flags of %q", text)
	require.Equal(t, ref.caps, fast.caps, "capitals of %q", text)
	require.Equal(t, ref.emojis, fast.emojis, "emoji of %q", text)
}

// tokenizeWords are pieces that exercise the fast paths' edges: words of
// 1 to 17 bytes (the fast paths take up to 15), apostrophes and hyphens
// at the edges, elongation, capitals, a trailing byte of every kind,
// "www.", emoticons, mentions, URLs, hashtags and emoji.
var tokenizeWords = []string{
	"a", "I", "ok", "OK", "no", "not", "good", "GOOD", "Good", "gOOd", "goooood", "soooo", "happy", "Happy",
	"can't", "'good", "good'", "''", "'", "don't", "-good", "good-", "_x", "x_", "well-done",
	"abcdefghijklmn", "abcdefghijklmno", "advantageousness", "advantageousnesses", "AbcdefghijklmnO",
	"www", "www.", "WWW.", "wWw.", "http://x.co", "https://t.co/abc", "pic.twitter.com/x", "@acme", "@acme,",
	":)", ":(", ":-)", ";)", "<3", "xD", "d:", ":D", "ok.", "no!", "(:", "#fail", "#NotHappy", "#epicfail",
	"#nothappy", "#", "12", "1st", "😍", "😍😍", "🙄", "👍🏽", "é", "\xff", "no\u00a0problem",
}

var tokenizeTrails = []string{"", "", "", ",", ".", "!", "?", ";", ":", "-", "_", "#", "@", "&", "\\", ")", "'", "\x7f", "\x01", "!!", "...", "😍"}

var tokenizeSpaces = []string{" ", " ", " ", "  ", "\t", "\n", "\r\n", "\v", "\u00a0", "\u2003", ""}

func randomText(rng *rand.Rand) string {
	var b strings.Builder
	for n := rng.Intn(12); n >= 0; n-- {
		b.WriteString(tokenizeWords[rng.Intn(len(tokenizeWords))])
		b.WriteString(tokenizeTrails[rng.Intn(len(tokenizeTrails))])
		if n > 0 || rng.Intn(2) == 0 {
			b.WriteString(tokenizeSpaces[rng.Intn(len(tokenizeSpaces))])
		}
	}
	return b.String()
}

// TestTokenizeMatchesGeneral checks that tokenize's fast paths give the
// tokens the general path (chunk) gives, on random texts built to hit
// their edges and on the evaluation tweets when present.
func TestTokenizeMatchesGeneral(t *testing.T) {
	s := New()
	custom := New(WithTerms(map[string]float64{"price hike": -2, "abcdefghijklmno": 1, "www": 1, "d": 2}))
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		text := randomText(rng)
		checkTokenize(t, s, text)
		checkTokenize(t, custom, text)
	}
	for _, w := range tokenizeWords {
		for _, tr := range tokenizeTrails {
			checkTokenize(t, s, w+tr)
			checkTokenize(t, s, w+tr+" x")
		}
	}
	for _, rel := range []string{"sentiment/vader_tweets_groundtruth.tsv", "sentiment/tweeteval/val_text.txt"} {
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(shared.Path(t, rel)) // skips when absent
			require.NoError(t, err)
			for _, line := range strings.Split(string(b), "\n") {
				checkTokenize(t, s, line)
			}
		})
	}
}

func FuzzTokenize(f *testing.F) {
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 20; i++ {
		f.Add(randomText(rng))
	}
	f.Add("advantageousness")
	f.Add("good, bad. www. ok. 'tis can't'")
	s := New()
	f.Fuzz(func(t *testing.T, text string) {
		checkTokenize(t, s, text)
	})
}
