package wordtab

import (
	"strconv"
	"unicode"
)

// DecodeEntity decodes an HTML character reference at the start of s
// ("&amp;", "&#39;", "&#x1F600;"). It returns size 0 if there is none.
func DecodeEntity(s string) (rune, int) {
	end := -1
	for i := 1; i < len(s) && i < 12; i++ {
		if s[i] == ';' {
			end = i
			break
		}
	}
	if end < 2 {
		return 0, 0
	}
	name := s[1:end]
	if name[0] == '#' {
		var v uint64
		var err error
		if len(name) > 1 && (name[1] == 'x' || name[1] == 'X') {
			v, err = strconv.ParseUint(name[2:], 16, 32)
		} else {
			v, err = strconv.ParseUint(name[1:], 10, 32)
		}
		if err != nil || v == 0 || v > unicode.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
			return 0, 0
		}
		return rune(v), end + 1
	}
	switch name {
	case "amp":
		return '&', end + 1
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "quot":
		return '"', end + 1
	case "apos", "rsquo", "lsquo":
		return '\'', end + 1
	case "nbsp":
		return ' ', end + 1
	case "hellip":
		return '…', end + 1
	case "ldquo", "rdquo":
		return '"', end + 1
	}
	return 0, 0
}
