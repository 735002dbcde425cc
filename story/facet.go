package story

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Facet marks a link, mention or hashtag in a Bluesky post by UTF-8 byte
// offsets into the text: Start inclusive, End exclusive. Exactly one of
// Link, DID and Tag is set. It marshals to the app.bsky.richtext.facet
// lexicon shape.
type Facet struct {
	Start, End int
	Link       string // full URI, also when the text shows a shortened form
	DID        string // the mentioned account
	Tag        string // without '#'
}

type facetJSON struct {
	Index struct {
		ByteStart int `json:"byteStart"`
		ByteEnd   int `json:"byteEnd"`
	} `json:"index"`
	Features []map[string]string `json:"features"`
}

// MarshalJSON writes the lexicon form,
// {"index":{"byteStart":…,"byteEnd":…},"features":[{"$type":…,…}]}.
func (f Facet) MarshalJSON() ([]byte, error) {
	var j facetJSON
	j.Index.ByteStart, j.Index.ByteEnd = f.Start, f.End
	switch {
	case f.Link != "":
		j.Features = []map[string]string{{"$type": "app.bsky.richtext.facet#link", "uri": f.Link}}
	case f.DID != "":
		j.Features = []map[string]string{{"$type": "app.bsky.richtext.facet#mention", "did": f.DID}}
	default:
		j.Features = []map[string]string{{"$type": "app.bsky.richtext.facet#tag", "tag": f.Tag}}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the lexicon form; unknown feature types are kept
// out (the Facet is left with no feature set).
func (f *Facet) UnmarshalJSON(b []byte) error {
	var j facetJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Facet{Start: j.Index.ByteStart, End: j.Index.ByteEnd}
	for _, ft := range j.Features {
		switch ft["$type"] {
		case "app.bsky.richtext.facet#link":
			f.Link = ft["uri"]
		case "app.bsky.richtext.facet#mention":
			f.DID = ft["did"]
		case "app.bsky.richtext.facet#tag":
			f.Tag = ft["tag"]
		}
	}
	return nil
}

// Resolver maps a Bluesky handle (without '@') to its DID. ok is false
// when the handle does not resolve; the mention then gets no facet. A
// publisher resolves the handles found by [Handles] over the network
// (com.atproto.identity.resolveHandle) and passes a map look-up here, which
// keeps [Facets] a pure function.
type Resolver func(handle string) (did string, ok bool)

// Handles returns the handles mentioned in text, without '@', in order of
// appearance and without repeats.
func Handles(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range mentions(text, schemeURLs(text)) {
		h := text[m[0]+1 : m[1]]
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// Facets finds the links (http and https), mentions and hashtags in text
// and returns their facets in text order. They never overlap: a mention
// or hashtag inside a link is part of the link. Mentions that resolve
// does not know, and all mentions when resolve is nil, are skipped.
// Hashtags longer than 64 graphemes, or made only of digits, are skipped.
func Facets(text string, resolve Resolver) []Facet {
	links := schemeURLs(text)
	var out []Facet
	for _, l := range links {
		out = append(out, Facet{Start: l[0], End: l[1], Link: text[l[0]:l[1]]})
	}
	return mergeFacets(out, entityFacets(text, links, resolve))
}

func entityFacets(text string, links [][2]int, resolve Resolver) []Facet {
	var out []Facet
	if resolve != nil {
		for _, m := range mentions(text, links) {
			if did, ok := resolve(text[m[0]+1 : m[1]]); ok && strings.HasPrefix(did, "did:") {
				out = append(out, Facet{Start: m[0], End: m[1], DID: did})
			}
		}
	}
	for _, h := range hashtags(text, links) {
		out = append(out, Facet{Start: h[0], End: h[1], Tag: text[h[0]+1 : h[1]]})
	}
	return out
}

func mergeFacets(a, b []Facet) []Facet {
	out := append(a, b...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Start < out[j-1].Start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ShortenLinks returns text with each http(s) link shown as its host and
// path, cut to at most max graphemes with "..." (as the Bluesky app
// shows them), and the facets of the new text with the full URLs, plus
// mention and hashtag facets as [Facets] finds them. Offsets are computed
// on the final bytes. max below 8 means 30.
func ShortenLinks(text string, max int, resolve Resolver) (string, []Facet) {
	if max < 8 {
		max = 30
	}
	var b strings.Builder
	var links []Facet
	var ranges [][2]int
	last := 0
	for _, l := range schemeURLs(text) {
		b.WriteString(text[last:l[0]])
		full := text[l[0]:l[1]]
		show := full[strings.Index(full, "//")+2:]
		if uniseg.GraphemeClusterCount(show) > max {
			show = firstGraphemes(show, max-3) + "..."
		}
		start := b.Len()
		b.WriteString(show)
		links = append(links, Facet{Start: start, End: b.Len(), Link: full})
		ranges = append(ranges, [2]int{start, b.Len()})
		last = l[1]
	}
	b.WriteString(text[last:])
	out := b.String()
	return out, mergeFacets(links, entityFacets(out, ranges, resolve))
}

func firstGraphemes(s string, n int) string {
	state := -1
	pos := 0
	rest := s
	for i := 0; i < n && len(rest) > 0; i++ {
		var c string
		c, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		pos += len(c)
	}
	return s[:pos]
}

func insideAny(i int, rs [][2]int) bool {
	for _, r := range rs {
		if i >= r[0] && i < r[1] {
			return true
		}
	}
	return false
}

// mentions returns byte ranges of @handle (including '@') outside links.
// A handle is a domain name: at least two labels, letters, digits and
// hyphens, the last label not all digits.
func mentions(text string, links [][2]int) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); i++ {
		if text[i] != '@' || insideAny(i, links) {
			continue
		}
		if i > 0 {
			r, _ := utf8.DecodeLastRuneInString(text[:i])
			if !unicode.IsSpace(r) && r != '(' {
				continue
			}
		}
		j := i + 1
		for j < len(text) && (isAlnum(text[j]) || text[j] == '.' || text[j] == '-') {
			j++
		}
		h := strings.TrimRight(text[i+1:j], ".-")
		if j < len(text) && text[j] == '@' {
			continue // user@host: a Mastodon address, not a handle
		}
		if validHandle(h) {
			out = append(out, [2]int{i, i + 1 + len(h)})
		}
		i = j - 1
	}
	return out
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func validHandle(h string) bool {
	if len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return !unicode.IsDigit(rune(tld[0]))
}

// hashtags returns byte ranges of #tag (including '#') outside links.
func hashtags(text string, links [][2]int) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); i++ {
		if text[i] != '#' || insideAny(i, links) {
			continue
		}
		if i > 0 {
			r, _ := utf8.DecodeLastRuneInString(text[:i])
			if !unicode.IsSpace(r) {
				continue
			}
		}
		j := i + 1
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(r) || r == '#' || r == utf8.RuneError || r == 0xAD || (r >= 0x200A && r <= 0x200D) || r == 0x2060 || r == 0xFE0F || r == 0x20E2 {
				break
			}
			j += n
		}
		start := i
		tag := strings.TrimRightFunc(text[i+1:j], unicode.IsPunct)
		i = j - 1
		if tag == "" || strings.TrimFunc(tag, unicode.IsDigit) == "" || uniseg.GraphemeClusterCount(tag) > 64 {
			continue
		}
		out = append(out, [2]int{start, start + 1 + len(tag)})
	}
	return out
}
