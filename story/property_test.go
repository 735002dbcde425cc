package story_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
)

var vocabulary = []string{
	"the", "hens", "laid", "eggs", "today.", "Clementine", "was", "proud!", "why?", "café", "naïve",
	"👨‍👩‍👧‍👦", "🙋🏽", "🇩🇪", "1⃣", "我们", "鸡蛋很好。", "한국어", "e\u0301", "—", "“quoted”",
	"https://example.com/a/long/path/to/the/diary?x=1", "example.org", "@alice.test", "@vet@mastodon.social",
	"#hendiary", "#farmlife,", "(brackets)", "\n", "\n\n", "\t",
}

func randomText(r *rand.Rand) string {
	n := 1 + r.IntN(160)
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
	}
	return b.String()
}

// TestSplitProperties checks the splitting properties on random texts for
// every platform, with and without numbering: each part fits, and the parts
// without labels are the text in order with only whitespace dropped.
func TestSplitProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rules := []story.Rules{story.MastodonRules{}, story.MastodonRules{MaxCharacters: 80}, story.BlueskyRules{}, story.XRules{}}
	n := 60
	if testing.Short() {
		n = 50
	}
	for i := 0; i < n; i++ {
		text := randomText(r)
		for _, rl := range rules {
			for _, numbered := range []bool{false, true} {
				parts, err := story.Split(text, rl, numbered)
				if strings.TrimSpace(text) == "" {
					require.ErrorIs(t, err, story.ErrEmpty)
					continue
				}
				require.NoError(t, err, "%T %q", rl, text)
				checkSplit(t, text, parts, rl, numbered)
			}
		}
	}
}
