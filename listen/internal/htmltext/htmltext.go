// Package htmltext converts the HTML platforms put in post bodies
// (Mastodon content, Hacker News text, feed summaries and articles) to
// plain text. It is the one converter every adapter uses.
package htmltext

import (
	"html"
	"math/bits"
	"strings"
)

// Convert converts post HTML to plain text and returns it with the hrefs
// of ordinary http(s) links (not mentions or hashtags), in order, without
// duplicates.
//
// Runs of white space collapse to one space, as a browser shows them.
// Paragraph-like elements (p, div, blockquote, pre, headings, lists,
// tables, sections) are separated by a blank line; <br>, list items,
// table rows and <hr> start a new line. Mentions and hashtags stay as
// "@user" and "#tag". Links keep their full text: Mastodon splits a long
// URL into <span class="invisible">, <span class="ellipsis"> parts that
// together spell it, and all parts are kept. An image's alt text is kept.
// Entities are unescaped; custom emoji remain ":shortcode:". Other tags
// are dropped, their text kept, except the contents of script, style,
// head and title. Text without markup keeps its lines (trimmed, empty
// ones dropped). It never fails: broken markup gives best-effort text.
func Convert(content string) (text string, links []string) {
	if strings.IndexByte(content, '<') < 0 {
		return plain(content), nil
	}
	var w writer
	w.b.Grow(len(content))
	var linkHref string // href of the <a> being read, if it is an ordinary link
	skip := ""          // closing tag name while skipping script/style contents
	i := 0
	for i < len(content) {
		lt := strings.IndexByte(content[i:], '<')
		var seg string
		if lt < 0 {
			seg, i = content[i:], len(content)
		} else {
			seg, i = content[i:i+lt], i+lt
		}
		if seg != "" && skip == "" {
			w.text(seg)
		}
		if i >= len(content) {
			break
		}
		// content[i] == '<': read the tag up to '>' (quotes respected).
		end := tagEnd(content, i+1)
		if end < 0 {
			// Unterminated tag: the rest is text.
			if skip == "" {
				w.text(content[i:])
			}
			break
		}
		tag := content[i+1 : end]
		i = end + 1
		closing := strings.HasPrefix(tag, "/")
		if closing {
			tag = tag[1:]
		}
		name, attrs := tagName(tag)
		if skip != "" {
			if closing && name == skip {
				skip = ""
			}
			continue
		}
		switch name {
		case "script", "style", "head", "title":
			if !closing && !strings.HasSuffix(attrs, "/") {
				skip = name
			}
		case "br":
			w.brk(1, true)
		case "li", "tr", "hr", "dt", "dd", "figcaption":
			w.brk(1, false)
		case "p", "div", "blockquote", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
			"table", "section", "article", "figure", "header", "footer", "aside", "nav", "dl":
			w.brk(2, false)
		case "img":
			if alt := attr(attrs, "alt"); alt != "" && !closing {
				w.text(" " + alt + " ")
			}
		case "a":
			if closing {
				if linkHref != "" {
					links = appendUnique(links, linkHref)
					linkHref = ""
				}
				continue
			}
			class := attr(attrs, "class")
			rel := attr(attrs, "rel")
			if hasWord(class, "mention") || hasWord(class, "hashtag") || hasWord(rel, "tag") {
				linkHref = ""
				continue
			}
			href := strings.TrimSpace(attr(attrs, "href"))
			if strings.IndexByte(href, '&') >= 0 {
				href = html.UnescapeString(href)
			}
			if strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://") {
				linkHref = href
			}
		}
	}
	return strings.TrimSpace(w.b.String()), links
}

// writer writes text with collapsed white space and pending breaks.
type writer struct {
	b     strings.Builder
	space bool // a space is pending before the next character
	lines int  // line breaks pending before the next character (0..2)
}

// text writes an HTML text segment: entities unescaped, white space
// collapsed. The entities posts are full of (&amp; &lt; &gt; &quot;
// &#39; &apos;) are written as they are met; at any other the rest of the
// segment goes through html.UnescapeString.
func (w *writer) text(s string) {
	for {
		k := strings.IndexByte(s, '&')
		if k < 0 {
			w.plain(s)
			return
		}
		w.plain(s[:k])
		c, n := commonEntity(s[k:])
		if n == 0 {
			w.plain(html.UnescapeString(s[k:]))
			return
		}
		w.plain(c) // not white space: joins the run around it
		s = s[k+n:]
	}
}

// commonEntity returns the text of the entity s starts with and its
// length if it is one of the few that posts use all the time, else 0.
func commonEntity(s string) (string, int) {
	for _, e := range [...]struct{ name, text string }{
		{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", `"`}, {"&#39;", "'"}, {"&apos;", "'"},
	} {
		if strings.HasPrefix(s, e.name) {
			return e.text, len(e.name)
		}
	}
	return "", 0
}

// plain writes text without entities: white space collapsed. It works on
// runs of bytes: white space is ASCII (or U+00A0), and everything else is
// copied as it is.
func (w *writer) plain(s string) {
	for len(s) > 0 {
		n := spaceLen(s)
		for n > 0 {
			w.space = true
			s = s[n:]
			n = spaceLen(s)
		}
		if s == "" {
			return
		}
		j := 0
		for j < len(s) {
			if c := s[j]; spaceByte[c] && (c != 0xC2 || j+1 < len(s) && s[j+1] == 0xA0) {
				break
			}
			j++
		}
		switch {
		case w.b.Len() == 0:
		case w.lines > 0:
			w.b.WriteString("\n\n"[:w.lines])
		case w.space:
			w.b.WriteByte(' ')
		}
		w.lines, w.space = 0, false
		w.b.WriteString(s[:j])
		s = s[j:]
	}
}

// spaceByte marks the bytes white space starts with (0xC2: U+00A0).
var spaceByte = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\f': true, '\v': true, 0xC2: true}

// spaceLen is the length of the white space character s starts with, 0
// if it starts with something else.
func spaceLen(s string) int {
	switch {
	case s == "":
		return 0
	case s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' || s[0] == '\f' || s[0] == '\v':
		return 1
	case s[0] == 0xC2 && len(s) > 1 && s[1] == 0xA0: // U+00A0, no-break space
		return 2
	}
	return 0
}

// brk asks for n line breaks before the next text; a <br> (add) adds one
// to those pending, up to a blank line.
func (w *writer) brk(n int, add bool) {
	if add {
		n = w.lines + 1
	}
	w.lines = min(max(w.lines, n), 2)
	w.space = false
}

// plain normalises text without markup: entities unescaped, spaces
// collapsed within each line, lines trimmed, runs of empty lines made one
// blank line (a paragraph break).
func plain(s string) string {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	var b strings.Builder
	blank := false
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.Join(strings.FieldsFunc(line, isSpace), " ")
		switch {
		case line == "":
			blank = true
			continue
		case b.Len() == 0:
		case blank:
			b.WriteString("\n\n")
		default:
			b.WriteByte('\n')
		}
		blank = false
		b.WriteString(line)
	}
	return b.String()
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\r', '\f', '\v', '\u00a0':
		return true
	}
	return false
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// tagEnd returns the index of the '>' that ends the tag starting at i,
// skipping '>' inside quoted attribute values, or -1.
func tagEnd(s string, i int) int {
	for {
		j := indexTagByte(s, i)
		if j < 0 || s[j] == '>' {
			return j
		}
		e := strings.IndexByte(s[j+1:], s[j]) // the quote that closes the value
		if e < 0 {
			return -1
		}
		i = j + 1 + e + 1
	}
}

// indexTagByte returns the index of the first '>' or quote (single or
// double) in s from i, or -1. It looks at eight bytes at a time: a byte
// of x^c is zero exactly when adding 0x7f to its low seven bits leaves
// its high bit clear and its own high bit is clear.
func indexTagByte(s string, i int) int {
	const ones, lows = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		low := x & lows
		gt, dq, sq := low^'>'*ones+lows, low^'"'*ones+lows, low^'\''*ones+lows
		if m := ^(gt&dq&sq | x) &^ lows; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == '>' || c == '"' || c == '\'' {
			return i
		}
	}
	return -1
}

// tagName splits "a href=..." into the lower-case name and the rest.
func tagName(tag string) (string, string) {
	j := 0
	for j < len(tag) && tag[j] != ' ' && tag[j] != '\t' && tag[j] != '\n' && tag[j] != '/' {
		j++
	}
	name := tag[:j]
	for k := 0; k < len(name); k++ {
		if c := name[k]; c >= 'A' && c <= 'Z' {
			name = strings.ToLower(name)
			break
		}
	}
	return name, tag[j:]
}

// attr returns the value of attribute key in attrs (quoted or bare).
func attr(attrs, key string) string {
	s := attrs
	for {
		k := strings.Index(s, key)
		if k < 0 {
			return ""
		}
		before := byte(' ')
		if k > 0 {
			before = s[k-1]
		}
		rest := strings.TrimLeft(s[k+len(key):], " \t\n")
		if (before == ' ' || before == '\t' || before == '\n') && strings.HasPrefix(rest, "=") {
			rest = strings.TrimLeft(rest[1:], " \t\n")
			if rest == "" {
				return ""
			}
			if q := rest[0]; q == '"' || q == '\'' {
				if e := strings.IndexByte(rest[1:], q); e >= 0 {
					return rest[1 : 1+e]
				}
				return rest[1:]
			}
			e := strings.IndexAny(rest, " \t\n/")
			if e < 0 {
				return rest
			}
			return rest[:e]
		}
		s = s[k+len(key):]
	}
}

func hasWord(list, w string) bool {
	for list != "" {
		var f string
		f, list, _ = strings.Cut(list, " ")
		if f == w {
			return true
		}
	}
	return false
}
