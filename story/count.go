package story

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// Rules measure text the way one platform's server does. Implementations
// are small values, safe for concurrent use.
type Rules interface {
	// Count returns the length of text in the platform's unit.
	Count(text string) int
	// Check returns nil if text may be posted: valid UTF-8 (else
	// [ErrInvalidUTF8]), not blank (else [ErrEmpty]) and within the limit
	// (else a [*LengthError] that unwraps to [ErrTooLong]).
	Check(text string) error
}

// MastodonRules counts as Mastodon's status validator does: the spoiler text
// plus the status, in extended grapheme clusters; every http(s) URL counts
// URLLength; a remote mention @user@host counts as @user. The zero value
// is a default instance (500 characters, URLs 23). Read MaxCharacters and
// URLLength from the instance's configuration
// (statuses.max_characters and characters_reserved_per_url in
// GET /api/v2/instance); GoToSocial defaults to 5,000.
type MastodonRules struct {
	MaxCharacters int    // 0 means 500
	URLLength     int    // 0 means 23
	Spoiler       string // content warning counted with every part
}

func (m MastodonRules) max() int {
	if m.MaxCharacters > 0 {
		return m.MaxCharacters
	}
	return 500
}

func (m MastodonRules) urlLen() int {
	if m.URLLength > 0 {
		return m.URLLength
	}
	return 23
}

// Count implements [Rules].
func (m MastodonRules) Count(text string) int {
	s := m.Spoiler + text
	n := 0
	last := 0
	for _, e := range schemeURLs(s) {
		n += graphemes(rewriteMentions(s[last:e[0]])) + m.urlLen()
		last = e[1]
	}
	return n + graphemes(rewriteMentions(s[last:]))
}

// Check implements [Rules].
func (m MastodonRules) Check(text string) error {
	if err := checkText(text); err != nil {
		return err
	}
	if n := m.Count(text); n > m.max() {
		return &LengthError{Platform: "mastodon", Length: n, Limit: m.max()}
	}
	return nil
}

// BlueskyRules counts as the AT Protocol post lexicon does: at most 300
// grapheme clusters and 3,000 UTF-8 bytes; links count in full. The zero
// value is ready to use.
type BlueskyRules struct{}

// Count implements [Rules]: grapheme clusters.
func (BlueskyRules) Count(text string) int { return graphemes(text) }

// Check implements [Rules].
func (b BlueskyRules) Check(text string) error {
	if err := checkText(text); err != nil {
		return err
	}
	n := graphemes(text)
	if n > 300 || len(text) > 3000 {
		return &LengthError{Platform: "bluesky", Length: n, Limit: 300, Bytes: len(text), MaxBytes: 3000}
	}
	return nil
}

// XRules counts as twitter-text v3 does: the text is NFC-normalised; a URL
// (with a scheme, or a bare domain with a generic TLD, or a country-code
// TLD followed by a path) counts 23; an emoji sequence (ZWJ family, skin
// tone, flag, keycap) counts 2; any other code point counts 1 in the
// ranges U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037 and 2
// elsewhere. The limit is 280. Text containing U+FFFE, U+FEFF or U+FFFF is
// invalid. The zero value is ready to use.
type XRules struct{}

// Count implements [Rules]: the weighted length.
func (XRules) Count(text string) int {
	s := text
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	n := 0
	last := 0
	for _, e := range xURLs(s) {
		n += weighted(s[last:e[0]]) + 23
		last = e[1]
	}
	return n + weighted(s[last:])
}

// Check implements [Rules].
func (x XRules) Check(text string) error {
	if err := checkText(text); err != nil {
		return err
	}
	if i := strings.IndexAny(text, "\uFFFE\uFEFF\uFFFF"); i >= 0 {
		r, _ := utf8.DecodeRuneInString(text[i:])
		return fmt.Errorf("story: x: character U+%04X at byte %d is not allowed: %w", r, i, ErrInvalidChar)
	}
	if n := x.Count(text); n > 280 {
		return &LengthError{Platform: "x", Length: n, Limit: 280}
	}
	return nil
}

func checkText(text string) error {
	if !utf8.ValidString(text) {
		return ErrInvalidUTF8
	}
	if strings.TrimSpace(text) == "" {
		return ErrEmpty
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func graphemes(s string) int {
	if isASCII(s) { // every byte is a cluster, except CR LF
		return len(s) - strings.Count(s, "\r\n")
	}
	return uniseg.GraphemeClusterCount(s)
}

// weighted returns the twitter-text weight of s, which holds no URL.
// ASCII characters weigh 1 each and are counted without segmenting;
// grapheme clusters are found only around other characters. The ASCII
// character just before a non-ASCII one goes with it, since it may start
// a cluster (a keycap 1️⃣, a letter and its accent). An ASCII character
// after a cluster always starts a new cluster, or belongs to one whose
// weight is the sum of its code points' (after a prepended mark).
func weighted(s string) int {
	n := 0
	var rs []rune
	for len(s) > 0 {
		k := 0
		for k < len(s) && s[k] < utf8.RuneSelf {
			k++
		}
		if k == len(s) {
			return n + k
		}
		if k > 0 {
			k--
		}
		n += k
		s = s[k:]
		state := -1
		for len(s) > 0 {
			var c string
			c, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
			rs = append(rs[:0], []rune(c)...)
			if isEmojiCluster(rs) {
				n += 2
			} else {
				for _, r := range rs {
					n += runeWeight(r)
				}
			}
			if len(s) > 0 && s[0] < utf8.RuneSelf {
				break
			}
		}
	}
	return n
}

func runeWeight(r rune) int {
	switch {
	case r <= 0x10FF, r >= 0x2000 && r <= 0x200D, r >= 0x2010 && r <= 0x201F, r >= 0x2032 && r <= 0x2037:
		return 1
	}
	return 2
}

// isEmojiCluster reports whether a grapheme cluster is an emoji sequence
// that twitter-text counts as one emoji.
func isEmojiCluster(rs []rune) bool {
	if len(rs) == 0 {
		return false
	}
	first := rs[0]
	if len(rs) == 1 {
		return isPictographic(first)
	}
	keycapBase := first == '#' || first == '*' || (first >= '0' && first <= '9')
	for _, r := range rs[1:] {
		switch {
		case r == 0x20E3 && keycapBase:
			return true
		case r == 0xFE0F && (keycapBase || isPictographic(first) || first == 0xA9 || first == 0xAE || first == 0x2122):
			return true
		case r >= 0x1F3FB && r <= 0x1F3FF, r >= 0x1F1E6 && r <= 0x1F1FF, r >= 0xE0020 && r <= 0xE007F:
			if isPictographic(first) || (first >= 0x1F1E6 && first <= 0x1F1FF) {
				return true
			}
		case r == 0x200D && isPictographic(first):
			return true
		}
	}
	return isPictographic(first)
}

func isPictographic(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2300 && r <= 0x23FF,
		r >= 0x2B00 && r <= 0x2BFF, r >= 0x2190 && r <= 0x21FF, r >= 0x25A0 && r <= 0x25FF,
		r == 0x203C, r == 0x2049, r == 0x2122, r == 0x2139, r == 0x3030, r == 0x303D, r == 0x3297, r == 0x3299:
		return true
	}
	return false
}

var (
	schemeURLRe = regexp.MustCompile(`(?i)https?://[^\s<>"]+`)
	bareURLRe   = regexp.MustCompile(`(?i)[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(?::[0-9]{1,5})?(?:/[^\s<>"]*)?`)
	mentionRe   = regexp.MustCompile(`@([\p{L}\p{N}_]+(?:[.-]+[\p{L}\p{N}_]+)*)@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`)
)

// gTLDs that twitter-text links without a scheme; two-letter country
// codes are linked only when a path follows (as in t.co/abc).
var gTLDs = map[string]bool{
	"com": true, "net": true, "org": true, "edu": true, "gov": true, "mil": true, "int": true,
	"info": true, "biz": true, "name": true, "pro": true, "mobi": true, "app": true, "dev": true,
	"blog": true, "shop": true, "online": true, "site": true, "xyz": true, "club": true,
	"tech": true, "store": true, "news": true, "social": true, "art": true, "page": true,
	"travel": true, "jobs": true, "museum": true, "aero": true, "coop": true, "asia": true,
}

// trimURL strips trailing punctuation that ends a sentence rather than a
// URL, keeping a closing parenthesis when the URL opened one.
func trimURL(u string) string {
	for len(u) > 0 {
		c := u[len(u)-1]
		switch c {
		case '.', ',', ';', ':', '!', '?', '\'', '"', ']', '}', '*':
			u = u[:len(u)-1]
			continue
		case ')':
			if strings.Count(u, "(") < strings.Count(u, ")") {
				u = u[:len(u)-1]
				continue
			}
		}
		break
	}
	return u
}

// precededOK reports whether a URL or entity may start at byte i of s.
func precededOK(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	if r == '@' || r == '#' || r == '$' || r == '_' || r == '/' || r == '.' || r == '-' {
		return false
	}
	return !isWordRune(r)
}

func isWordRune(r rune) bool {
	return r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r > 0x7F && (isLetterOrDigit(r)))
}

// schemeURLs returns the byte ranges of http(s) URLs in s.
func schemeURLs(s string) [][2]int {
	var out [][2]int
	for _, m := range schemeMatches(s) {
		if !precededOK(s, m[0]) {
			continue
		}
		u := trimURL(s[m[0]:m[1]])
		if len(u) <= len("https://") || !strings.Contains(u[strings.Index(u, "//")+2:], ".") {
			continue
		}
		out = append(out, [2]int{m[0], m[0] + len(u)})
	}
	return out
}

// schemeMatches returns what schemeURLRe.FindAllStringIndex(s, -1)
// returns for valid UTF-8, found from each "://" instead of trying the
// pattern at every byte (a third of X's counting time on long texts).
func schemeMatches(s string) [][]int {
	var out [][]int
	for off := 0; ; {
		k := strings.Index(s[off:], "://")
		if k < 0 {
			return out
		}
		k += off
		start := -1
		if k-5 >= off && asciiFold(s[k-5:k], "https") {
			start = k - 5
		} else if k-4 >= off && asciiFold(s[k-4:k], "http") {
			start = k - 4
		}
		end := k + 3
		for end < len(s) && !urlStop(s[end]) {
			end++
		}
		if start < 0 || end == k+3 {
			off = k + 3
			continue
		}
		out = append(out, []int{start, end})
		off = end
	}
}

// urlStop reports the bytes that end a URL: [\s<>"] as RE2 reads it.
func urlStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\f', '\r', '<', '>', '"':
		return true
	}
	return false
}

// asciiFold reports whether s equals the lower-case ASCII word w,
// ignoring case. (?i) in schemeURLRe also folds 'ſ' to 's' and the
// Kelvin sign to 'k'; neither makes a link on any platform.
func asciiFold(s, w string) bool {
	for i := 0; i < len(w); i++ {
		if s[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

// xURLs returns the byte ranges of URLs as twitter-text extracts them:
// scheme URLs and bare domains.
func xURLs(s string) [][2]int {
	out := schemeURLs(s)
	// inside reports whether byte i is in a scheme URL; the calls come
	// with growing i, as out is ordered, so one pass serves them all.
	next := 0
	inside := func(i int) bool {
		for next < len(out) && out[next][1] <= i {
			next++
		}
		return next < len(out) && i >= out[next][0]
	}
	var bare [][2]int
	// A bare domain holds no space: search only the tokens with a dot,
	// which is much faster than running the pattern over the whole text.
	var found [][]int
	for start := 0; start < len(s); {
		end := strings.IndexAny(s[start:], " \t\n\r")
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		if tok := s[start:end]; mayHaveDomain(tok) {
			for _, m := range bareURLRe.FindAllStringIndex(tok, -1) {
				found = append(found, []int{start + m[0], start + m[1]})
			}
		}
		start = end + 1
	}
	for _, m := range found {
		if inside(m[0]) || !precededOK(s, m[0]) {
			continue
		}
		u := trimURL(s[m[0]:m[1]])
		host := u
		path := false
		if i := strings.IndexByte(host, '/'); i >= 0 {
			host, path = host[:i], true
		}
		if i := strings.IndexByte(host, ':'); i >= 0 {
			host = host[:i]
		}
		if !validHost(host, path) {
			continue
		}
		bare = append(bare, [2]int{m[0], m[0] + len(u)})
	}
	if len(bare) == 0 {
		return out
	}
	out = append(out, bare...)
	sortRanges(out)
	return out
}

func validHost(host string, path bool) bool {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	tld := strings.ToLower(labels[len(labels)-1])
	if gTLDs[tld] {
		return true
	}
	return len(tld) == 2 && path
}

func sortRanges(r [][2]int) {
	slices.SortFunc(r, func(a, b [2]int) int { return a[0] - b[0] })
}

// mayHaveDomain reports whether tok holds a dot after its first byte
// followed by two ASCII letters, as any bare domain does (a TLD has two
// letters at least): most tokens with a dot end a sentence.
func mayHaveDomain(tok string) bool {
	for i := 1; i+2 < len(tok); i++ {
		if tok[i] == '.' && isASCIILetter(tok[i+1]) && isASCIILetter(tok[i+2]) {
			return true
		}
	}
	return false
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// rewriteMentions turns @user@host into @user, as Mastodon counts it.
func rewriteMentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return mentionRe.ReplaceAllStringFunc(s, func(m string) string {
		return m[:strings.IndexByte(m[1:], '@')+1]
	})
}
