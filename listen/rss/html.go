package rss

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// htmlText converts an HTML fragment (an RSS description, Atom content)
// to plain text: tags are dropped, entities decoded, block elements and
// <br> become line breaks, runs of spaces collapse, and script and style
// are skipped. It also returns the absolute http(s) links of <a href>.
// Text that holds no markup is only unescaped and trimmed.
func htmlText(s string) (text string, links []string) {
	if !strings.ContainsAny(s, "<&") {
		return plainText(s), nil
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b bytes.Buffer
	skip := 0
	newline := func() {
		if b.Len() > 0 && !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
			// drop a trailing space before the break
			if bytes.HasSuffix(b.Bytes(), []byte(" ")) {
				b.Truncate(b.Len() - 1)
			}
			b.WriteByte('\n')
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(b.String()), links
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := collapse(string(z.Text()))
			if bytes.HasSuffix(b.Bytes(), []byte("\n")) || b.Len() == 0 {
				t = strings.TrimLeft(t, " ")
			} else if bytes.HasSuffix(b.Bytes(), []byte(" ")) {
				t = strings.TrimLeft(t, " ")
			}
			b.WriteString(t)
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "head", "title":
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case "br", "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "table", "hr", "section", "article", "figure", "figcaption":
				newline()
			case "a":
				if tt == html.StartTagToken && hasAttr {
					for {
						k, v, more := z.TagAttr()
						if string(k) == "href" {
							h := strings.TrimSpace(string(v))
							if strings.HasPrefix(h, "http://") || strings.HasPrefix(h, "https://") {
								links = appendUnique(links, h)
							}
						}
						if !more {
							break
						}
					}
				}
			case "img":
				// Keep alt text: it is what a reader of the text would see.
				if hasAttr {
					for {
						k, v, more := z.TagAttr()
						if string(k) == "alt" && len(v) > 0 && skip == 0 {
							if b.Len() > 0 && !bytes.HasSuffix(b.Bytes(), []byte(" ")) && !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
								b.WriteByte(' ')
							}
							b.WriteString(collapse(string(v)))
						}
						if !more {
							break
						}
					}
				}
			}
		}
	}
}

// plainText normalises text without markup: spaces collapse within each
// line, lines are trimmed and empty lines dropped.
func plainText(s string) string {
	if !strings.ContainsAny(s, "\n\r") {
		return strings.TrimSpace(collapse(s))
	}
	var out []string
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if line = strings.TrimSpace(collapse(line)); line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// collapse turns every run of white space into one space.
func collapse(s string) string {
	if !strings.ContainsAny(s, " \t\n\r\f\v\u00a0") {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\v', '\u00a0':
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
