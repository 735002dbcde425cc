// Package textkey gives tweets a key under which copies of the same tweet
// match: lower-cased, without URLs, @mentions, punctuation and spaces, cut
// to 60 bytes. The training recipes use it to keep one collection's tweets
// out of another's training data.
package textkey

import (
	"strings"
	"unicode"
)

// Key returns the key of text; texts shorter than a few words may share
// keys by chance, so callers ignore keys shorter than MinLen.
func Key(text string) string {
	var b strings.Builder
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if strings.HasPrefix(w, "http") || strings.HasPrefix(w, "@") {
			continue
		}
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			}
		}
		if b.Len() >= 60 {
			break
		}
	}
	k := b.String()
	if len(k) > 60 {
		k = k[:60]
	}
	return k
}

// MinLen is the shortest key worth matching.
const MinLen = 20
