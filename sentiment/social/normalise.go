package social

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

// normalise decodes HTML entities and curly apostrophes into st.buf and
// counts '!' and '?'.
func (s *Scorer) normalise(st *state, text string) {
	// Most texts are ASCII without entities or escapes: they are copied
	// as they are, eight bytes at a time.
	buf, ep, qm, ok := wordtab.CopyASCII(st.buf, text, '&', '\\')
	if ok {
		st.buf, st.ep, st.qm = buf, ep, qm
		return
	}
	buf, ep, qm = buf[:0], 0, 0
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf && c != '&' && c != '\\' {
			j := i + 1
			for j < len(text) && text[j] < utf8.RuneSelf && text[j] != '&' && text[j] != '\\' {
				j++
			}
			ep += strings.Count(text[i:j], "!")
			qm += strings.Count(text[i:j], "?")
			buf = append(buf, text[i:j]...)
			i = j
			continue
		}
		if c == '\\' && i+5 < len(text) && text[i+1] == 'u' {
			// Literal "\u2019" escapes, left by exports of posts as JSON.
			if v, err := strconv.ParseUint(text[i+2:i+6], 16, 32); err == nil && v >= 0x20 && (v < 0xD800 || v > 0xDFFF) {
				switch r := rune(v); r {
				case '’', '‘', 'ʼ':
					buf = append(buf, '\'')
				default:
					buf = utf8.AppendRune(buf, r)
					if r == '!' {
						ep++
					} else if r == '?' {
						qm++
					}
				}
				i += 6
				continue
			}
		}
		if c == '&' {
			if r, n := wordtab.DecodeEntity(text[i:]); n > 0 {
				buf = utf8.AppendRune(buf, r)
				if r == '!' {
					ep++
				} else if r == '?' {
					qm++
				}
				i += n
				continue
			}
		}
		if c < utf8.RuneSelf {
			buf = append(buf, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '’', '‘', 'ʼ', '′':
			buf = append(buf, '\'')
		case '！':
			ep++
			buf = append(buf, '!')
		case '？':
			qm++
			buf = append(buf, '?')
		default:
			buf = append(buf, text[i:i+n]...)
		}
		i += n
	}
	if cap(buf)-len(buf) < 16 {
		// Room to read any word as 16 bytes (see addWord).
		buf = append(make([]byte, 0, len(buf)+len(buf)/4+16), buf...)
	}
	st.buf, st.ep, st.qm = buf, ep, qm
}
