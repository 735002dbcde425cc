package trend

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/trend/internal/sketch"
)

// Kinds of [Reason].
const (
	ReasonTerm    = "term"    // a word of the text, lower-cased
	ReasonHashtag = "hashtag" // a hashtag, lower-cased, without '#'
	ReasonMention = "mention" // an @handle in the text, lower-cased, without '@'
	ReasonAuthor  = "author"  // Mention.Author
	ReasonSource  = "source"  // Mention.Source
)

// maxFeatures bounds the features taken from one post.
const maxFeatures = 64

// feature is one thing a post has: a kind and a value.
type feature struct {
	kind  string
	value string
	hash  uint64 // of kind and value
	again bool   // seen before in the bucket (set by Reasons.Add)
}

func featureHash(kind, value string) uint64 {
	return sketch.Hash(value) ^ sketch.Hash(kind)*0x9e3779b97f4a7c15
}

// features appends the distinct features of m to dst: its author, source,
// hashtags, @mentions and words of two or more letters or digits (URLs
// skipped), in that order, at most maxFeatures.
func features(dst []feature, m *Mention) []feature {
	add := func(kind, value string) {
		if value == "" || len(dst) >= maxFeatures {
			return
		}
		h := featureHash(kind, value)
		for _, f := range dst {
			if f.hash == h {
				return
			}
		}
		dst = append(dst, feature{kind: kind, value: value, hash: h})
	}
	add(ReasonAuthor, m.Author)
	add(ReasonSource, m.Source)
	text := strings.ToLower(m.Text)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case (r == '#' || r == '@') && (i == 0 || !wordByte(text[i-1])):
			j := wordEnd(text, i+1)
			if j > i+1 {
				kind := ReasonHashtag
				if r == '@' {
					kind = ReasonMention
				}
				add(kind, text[i+1:j])
			}
			i = max(j, i+1)
		case isWordRune(r):
			j := wordEnd(text, i)
			if w := text[i:j]; isURLStart(text[i:]) {
				j = i + urlEnd(text[i:])
			} else if utf8.RuneCountInString(w) >= 2 {
				add(ReasonTerm, w)
			}
			i = j
		default:
			i += size
		}
	}
	return dst
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func wordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 0x80
}

// wordEnd returns the end of the run of word runes starting at i.
func wordEnd(s string, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if c != '_' && !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			break
		}
		i += size
	}
	return i
}

func isURLStart(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "www.")
}

// urlEnd returns the length of the URL at the start of s: up to the next
// space.
func urlEnd(s string) int {
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return i
	}
	return len(s)
}
