package trend_test

import (
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/trend"
)

// referenceHashtags is EachHashtag as first written, rune by rune: the
// definition the faster scan must keep.
func referenceHashtags(text string) []string {
	var out []string
	prev := ' '
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if (r == '#' || r == '＃') && !refWordRune(prev) && prev != '&' {
			j := i + size
			letter := false
			for j < len(text) {
				q, qs := utf8.DecodeRuneInString(text[j:])
				if q == utf8.RuneError && qs <= 1 || !refWordRune(q) {
					break
				}
				if unicode.IsLetter(q) || unicode.IsMark(q) {
					letter = true
				}
				j += qs
			}
			if letter {
				out = append(out, text[i+size:j])
			}
			if j > i+size {
				prev = 'a'
				i = j
				continue
			}
		}
		prev = r
		i += size
	}
	return out
}

func refWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// FuzzEachHashtagReference checks that EachHashtag yields exactly what the
// rune-by-rune reference does.
func FuzzEachHashtagReference(f *testing.F) {
	for _, s := range []string{"#Go is #great", "a#b", "#日本語 ＃全角", "&#39;", "\xff#\xfe", "#_", "##",
		"#a#b", "#1#2", "é#x", "\xe2\xc3\xa9#x", "x＃y ＃z#w", "#Z_9", "`#a [#b {#c @#d ~#e", "#ab\xffcd #ef"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := slices.Collect(trend.EachHashtag(text))
		if want := referenceHashtags(text); !slices.Equal(got, want) {
			t.Fatalf("EachHashtag(%q) = %q, want %q", text, got, want)
		}
	})
}
