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
		// Jump from one '#' or '＃' to the next (neither can be part of
		// another rune), and look at the rune before it only there.
		wide := -1 // index of the next '＃' at or after i, len(text) if none
		for i := 0; i < len(text); {
			if wide < i {
				wide = len(text)
				if k := strings.Index(text[i:], "＃"); k >= 0 {
					wide = i + k
				}
			}
			size := 1
			if k := strings.IndexByte(text[i:wide], '#'); k >= 0 {
				i += k
			} else if wide < len(text) {
				i, size = wide, len("＃")
			} else {
				return
			}
			if i > 0 {
				if prev, _ := utf8.DecodeLastRuneInString(text[:i]); wordRune(prev) || prev == '&' {
					i += size
					continue
				}
			}
			j := i + size
			letter := false
			for j < len(text) {
				q, qs := rune(text[j]), 1
				if q >= utf8.RuneSelf {
					q, qs = utf8.DecodeRuneInString(text[j:])
				}
				if q == utf8.RuneError && qs <= 1 || !wordRune(q) {
					break
				}
				if !letter && (unicode.IsLetter(q) || unicode.IsMark(q)) {
					letter = true
				}
				j += qs
			}
			if letter && !yield(text[i+size:j]) {
				return
			}
			i = j
		}
	}
}

func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || 'a' <= r|0x20 && r|0x20 <= 'z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
