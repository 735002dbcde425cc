package httpx

import (
	"net/http"
	"strings"
)

// Link is one link-value of an RFC 8288 Link header.
type Link struct {
	URL    string            // the target, verbatim between < and >
	Rel    string            // the rel parameter, lower-cased ("next", "prev")
	Params map[string]string // all parameters, keys lower-cased, values unquoted
}

// HasRel reports whether l's rel (a space-separated list) contains rel.
func (l Link) HasRel(rel string) bool {
	for _, r := range strings.Fields(l.Rel) {
		if strings.EqualFold(r, rel) {
			return true
		}
	}
	return false
}

// ParseLinks parses the Link header values of h (one header may be
// repeated and each may hold several comma-separated links). Malformed
// parts are skipped; it never fails.
func ParseLinks(h http.Header) []Link {
	var out []Link
	for _, v := range h.Values("Link") {
		out = append(out, ParseLink(v)...)
	}
	return out
}

// LinkRel returns the URL of the first link in h with relation rel, or "".
func LinkRel(h http.Header, rel string) string {
	for _, l := range ParseLinks(h) {
		if l.HasRel(rel) {
			return l.URL
		}
	}
	return ""
}

// ParseLink parses one Link header value:
//
//	<https://a.example/x?max_id=1>; rel="next", <https://a.example/x?min_id=2>; rel="prev"
//
// Commas inside <...> and inside quoted strings are not separators.
// Malformed link-values are skipped.
func ParseLink(v string) []Link {
	var out []Link
	s := v
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out
		}
		if s[0] != '<' {
			// Garbage: skip to the next top-level comma.
			s = skipToComma(s)
			continue
		}
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return out
		}
		l := Link{URL: strings.TrimSpace(s[1:end])}
		s = s[end+1:]
		// Parameters: ; key[=value|="quoted"]
		for {
			s = strings.TrimLeft(s, " \t")
			if s == "" || s[0] != ';' {
				break
			}
			s = strings.TrimLeft(s[1:], " \t")
			i := 0
			for i < len(s) && s[i] != '=' && s[i] != ';' && s[i] != ',' {
				i++
			}
			key := strings.ToLower(strings.TrimSpace(s[:i]))
			s = s[i:]
			val := ""
			if s != "" && s[0] == '=' {
				s = strings.TrimLeft(s[1:], " \t")
				if s != "" && s[0] == '"' {
					var b strings.Builder
					j := 1
					for ; j < len(s) && s[j] != '"'; j++ {
						if s[j] == '\\' && j+1 < len(s) {
							j++
						}
						b.WriteByte(s[j])
					}
					val = b.String()
					if j < len(s) {
						j++
					}
					s = s[j:]
				} else {
					j := 0
					for j < len(s) && s[j] != ';' && s[j] != ',' {
						j++
					}
					val = strings.TrimSpace(s[:j])
					s = s[j:]
				}
			}
			if key == "" {
				continue
			}
			if l.Params == nil {
				l.Params = make(map[string]string)
			}
			if _, dup := l.Params[key]; !dup { // RFC 8288: first occurrence wins
				l.Params[key] = val
			}
		}
		l.Rel = strings.ToLower(l.Params["rel"])
		if l.URL != "" {
			out = append(out, l)
		}
		s = skipToComma(s)
	}
}

// skipToComma drops s up to and including the next comma that is not
// inside a quoted string or <...>.
func skipToComma(s string) string {
	inQuote, inAngle := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case c == ',' && !inAngle:
			return s[i+1:]
		}
	}
	return ""
}
