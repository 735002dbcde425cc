package vader

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

// replace fills st.buf with text after the reference's emoji replacement
// (and, when enabled, HTML entity decoding), counting '!' and '?'.
func (s *Scorer) replace(st *state, text string) {
	buf := st.buf[:0]
	ep, qm := 0, 0
	prevSpace := true
	var emoji map[rune]string // loaded at the first non-ASCII character
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf && !(c == '&' && s.html) {
			j := i + 1
			if s.html {
				for ; j < len(text) && text[j] < utf8.RuneSelf && text[j] != '&'; j++ {
				}
			} else {
				j = asciiRun(text, j)
			}
			ep += strings.Count(text[i:j], "!")
			qm += strings.Count(text[i:j], "?")
			buf = append(buf, text[i:j]...)
			prevSpace = text[j-1] == ' '
			i = j
			continue
		}
		var r rune
		size := 1
		if c == '&' {
			r, size = wordtab.DecodeEntity(text[i:])
			if size == 0 {
				buf = append(buf, c)
				prevSpace = false
				i++
				continue
			}
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, text[i]) // invalid byte: keep as is
			prevSpace = false
			i++
			continue
		}
		i += size
		if emoji == nil {
			emoji = s.base.emojiMap()
		}
		if d, ok := emoji[r]; ok {
			if !prevSpace {
				buf = append(buf, ' ')
			}
			buf = append(buf, d...)
			ep += strings.Count(d, "!") // "ON! arrow", "UP! button"
			qm += strings.Count(d, "?")
			prevSpace = false
			continue
		}
		switch r {
		case '!':
			ep++
		case '?':
			qm++
		}
		buf = utf8.AppendRune(buf, r)
		prevSpace = r == ' '
	}
	if cap(buf)-len(buf) < 16 {
		buf = append(make([]byte, 0, len(buf)+len(buf)/4+16), buf...)
	}
	// 16 zero bytes after the text let the tokenizer load 16 bytes at any
	// position without a bounds case: a zero byte ends a token there.
	pad := buf[len(buf) : len(buf)+16]
	binary.LittleEndian.PutUint64(pad, 0)
	binary.LittleEndian.PutUint64(pad[8:], 0)
	st.buf, st.ep, st.qm = buf, ep, qm
}

// asciiRun returns the index of the first non-ASCII byte of s at or after
// i, or len(s).
func asciiRun(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8] // one bounds check, and the bytes load as one word
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		if x&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s) && s[i] < utf8.RuneSelf; i++ {
	}
	return i
}
