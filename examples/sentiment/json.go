package main

import (
	"math"
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, as encoding/json does with
// SetEscapeHTML(false): quotes, backslashes and control characters are
// escaped, invalid UTF-8 becomes \ufffd, and U+2028 and U+2029 are
// escaped for JavaScript.
func appendString[T string | []byte](b []byte, s T) []byte {
	b = append(b, '"')
	if n := len(s); n >= 8 {
		// Most text needs no escape: test it eight bytes at a time,
		// the last eight too (overlapping the others), then copy it
		// whole, without a loop byte by byte over the last few.
		i := 0
		for i+8 <= n && plain8(load64(s[i:i+8])) {
			i += 8
		}
		if i+8 > n && plain8(load64(s[n-8:])) {
			b = append(b, s...)
			return append(b, '"')
		}
	}
	start := 0
	for i := 0; i < len(s); {
		// Most text needs no escape: skip it eight bytes at a time.
		for i+8 <= len(s) && plain8(load64(s[i:i+8])) {
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plain8 reports whether none of the eight bytes of x needs an escape:
// none is a control character, '"', '\\' or outside ASCII. It tests the
// eight at once: a byte's top bit is set by the subtraction when the byte
// is below 0x20, by the XORs when it is '"' or '\\' (the classic test
// for a zero byte), and by itself when it is 0x80 or above.
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := x^'"'*ones, x^'\\'*ones
	return ((x-0x20*ones)|((q-ones)&^q)|((bs-ones)&^bs)|x)&highs == 0
}

// load64 reads the eight bytes of w as a little-endian word (one load).
func load64[T string | []byte](w T) uint64 {
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// appendFigure appends v rounded to 4 decimals, as vaderSentiment rounds
// its figures, in the shortest form that reads back as that value.
func appendFigure(b []byte, v float64) []byte {
	x := math.Abs(v) * 1e4
	if !(x < 1e15) { // also NaN
		return appendFloat(b, v)
	}
	// x rounded half away from zero, as math.Round does (x - n is exact).
	n := uint64(x)
	if x-float64(n) >= 0.5 {
		n++
	}
	if n == 0 {
		return append(b, '0') // -0.00004 too
	}
	if v < 0 {
		b = append(b, '-')
	}
	if whole := n / 1e4; whole < 10 {
		b = append(b, byte('0'+whole))
	} else {
		b = strconv.AppendUint(b, whole, 10)
	}
	// The four decimals, two pairs from a table, without trailing zeros.
	frac := n % 1e4
	hi, lo := 2*(frac/100), 2*(frac%100)
	switch {
	case frac == 0:
		return b
	case lo != 0 && pairs[lo+1] != '0':
		return append(b, '.', pairs[hi], pairs[hi+1], pairs[lo], pairs[lo+1])
	case lo != 0:
		return append(b, '.', pairs[hi], pairs[hi+1], pairs[lo])
	case pairs[hi+1] != '0':
		return append(b, '.', pairs[hi], pairs[hi+1])
	}
	return append(b, '.', pairs[hi])
}

// pairs holds the two digits of 00 to 99.
const pairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// appendFloat appends v as encoding/json would: the shortest
// representation that reads back as v, in exponent form only for very
// small or very large magnitudes. NaN and infinities, which JSON cannot
// hold, are written as 0.
func appendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, '0')
	}
	abs := math.Abs(v)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		b = strconv.AppendFloat(b, v, 'e', -1, 64)
		// Like encoding/json, write e-7 rather than e-07.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}
