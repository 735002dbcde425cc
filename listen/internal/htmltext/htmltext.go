// Package htmltext converts the small HTML subsets platforms put in post
// bodies (Mastodon content, Hacker News text, feed summaries) to plain text.
package htmltext

import (
	"html"
	"strings"
)

// Convert converts sanitised post HTML (<p>, <br>, <a>, <span>, <i>, ...)
// to plain text and returns it with the hrefs of ordinary links (not
// mentions or hashtags), in order, without duplicates. Paragraphs are separated by a blank line and <br>
// becomes a newline. Mentions and hashtags stay as "@user" and "#tag".
// Links keep their full URL: Mastodon splits a long URL into
// <span class="invisible">, <span class="ellipsis"> parts that together
// spell it, and all parts are kept. Entities are unescaped; custom emoji
// remain ":shortcode:". Other tags are dropped, their text kept, except
// the contents of <script> and <style>. It never fails: broken markup
// gives best-effort text.
func Convert(content string) (text string, links []string) {
	var b strings.Builder
	b.Grow(len(content))
	var linkHref string // href of the <a> being read, if it is an ordinary link
	skip := ""          // closing tag name while skipping script/style contents
	pendingPara := false
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
			if pendingPara && b.Len() > 0 {
				b.WriteString("\n\n")
			}
			pendingPara = false
			if strings.IndexByte(seg, '&') >= 0 {
				seg = html.UnescapeString(seg)
			}
			b.WriteString(seg)
		}
		if i >= len(content) {
			break
		}
		// content[i] == '<': read the tag up to '>' (quotes respected).
		end := tagEnd(content, i+1)
		if end < 0 {
			// Unterminated tag: the rest is text.
			if skip == "" {
				b.WriteString(html.UnescapeString(content[i:]))
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
		case "script", "style":
			if !closing && !strings.HasSuffix(attrs, "/") {
				skip = name
			}
		case "br":
			if pendingPara && b.Len() > 0 {
				b.WriteString("\n\n")
				pendingPara = false
			}
			b.WriteByte('\n')
		case "p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6":
			pendingPara = true
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
			href := attr(attrs, "href")
			if strings.IndexByte(href, '&') >= 0 {
				href = html.UnescapeString(href)
			}
			if strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://") {
				linkHref = href
			}
		}
	}
	return strings.TrimSpace(b.String()), links
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
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
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
