package story

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// weightedByCluster is the plain definition of weighted: every grapheme
// cluster segmented, an emoji cluster weighing 2, any other the sum of
// its code points' weights.
func weightedByCluster(s string) int {
	n := 0
	state := -1
	for len(s) > 0 {
		var c string
		c, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		rs := []rune(c)
		if isEmojiCluster(rs) {
			n += 2
			continue
		}
		for _, r := range rs {
			n += runeWeight(r)
		}
	}
	return n
}

// FuzzCountShortcuts checks the fast paths of the counting code against
// their plain definitions: weighted against segmenting every cluster,
// schemeMatches against the pattern it replaces.
func FuzzCountShortcuts(f *testing.F) {
	for _, s := range []string{
		"1\uFE0F\u20E3 keycap, e\u0301 accent, 👨‍👩‍👧‍👦 family, 🇩🇪 flag, 🙋🏽 tone, #️⃣ hash",
		"see https://example.com/a?b=1 and HTTP://x.y, xhttps://a.b http:// <https://q.r> \"http://s.t\"",
		"a\r\nb \u0600123 ©\uFE0F ™ 我们 한국어 https:///путь",
		"httphttps://a.b hhttp://c.d ://e https:/f http://\t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || len(s) > 2000 {
			return
		}
		if got, want := weighted(s), weightedByCluster(s); got != want {
			t.Fatalf("weighted(%q) = %d, by cluster %d", s, got, want)
		}
		if strings.ContainsAny(s, "ſ\u212a") {
			return // (?i) folds these to s and k; schemeMatches does not
		}
		if got, want := schemeMatches(s), schemeURLRe.FindAllStringIndex(s, -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("schemeMatches(%q) = %v, pattern %v", s, got, want)
		}
	})
}
