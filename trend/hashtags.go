package trend

import (
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hashtags returns the distinct hashtags in text, lower-cased, without the
// '#', in order of first appearance. See [EachHashtag] for what counts as
// a hashtag.
func Hashtags(text string) []string {
	var out []string
	for tag := range EachHashtag(text) {
		tag = strings.ToLower(tag)
		dup := false
		for _, t := range out {
			if t == tag {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, tag)
		}
	}
	return out
}

// EachHashtag yields the hashtags of text as they appear (case kept, '#'
// dropped, repeats included) without allocating: each tag is a substring
// of text. A hashtag is '#' or '＃' (U+FF03) not preceded by a letter,
// digit, '_' or '&' (so "a#b" and "&#39;" are not tags), followed by
// letters, digits, marks and '_', with at least one letter or mark (so
// "#1" is not a tag). Invalid UTF-8 ends a tag.
func EachHashtag(text string) iter.Seq[string] {
	return func(yield func(string) bool) {
		prev := ' '
		for i := 0; i < len(text); {
			r, size := utf8.DecodeRuneInString(text[i:])
			if (r == '#' || r == '＃') && !wordRune(prev) && prev != '&' {
				j := i + size
				letter := false
				for j < len(text) {
					q, qs := utf8.DecodeRuneInString(text[j:])
					if q == utf8.RuneError && qs <= 1 || !wordRune(q) {
						break
					}
					if unicode.IsLetter(q) || unicode.IsMark(q) {
						letter = true
					}
					j += qs
				}
				if letter && !yield(text[i+size:j]) {
					return
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
	}
}

func wordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
