package wordtab

import (
	"encoding/binary"
	"strings"
)

// Word-at-a-time arithmetic on eight bytes held in a uint64.
const (
	Ones  = 0x0101010101010101
	Highs = 0x8080808080808080
)

// MaskKey loads the first n (<= 16) bytes of p, which has 16, as two
// little-endian words, zeroing the bytes past n.
func MaskKey(p []byte, n int) (k0, k1 uint64) {
	k0 = binary.LittleEndian.Uint64(p)
	k1 = binary.LittleEndian.Uint64(p[8:])
	switch {
	case n < 8:
		k0 &= 1<<(8*n) - 1
		k1 = 0
	case n < 16:
		k1 &= 1<<(8*(n-8)) - 1
	}
	return k0, k1
}

// Lower lower-cases the ASCII letters of eight ASCII bytes at once.
func Lower(x uint64) uint64 {
	return x | CaseMask(x, 'A', 'Z')>>2
}

// CaseMask has the high bit set at each byte of x (all < 0x80) in lo..hi.
func CaseMask(x uint64, lo, hi byte) uint64 {
	a := x + uint64(0x80-lo)*Ones
	z := x + uint64(0x80-hi-1)*Ones
	return (a ^ z) & Highs
}

// HasByte reports whether any byte of x is c.
func HasByte(x uint64, c byte) bool {
	y := x ^ uint64(c)*Ones
	return (y-Ones)&^y&Highs != 0
}

// EqBytes has the high bit set at each byte of x equal to c, exactly
// (without the false positives of the shorter test in HasByte).
func EqBytes(x uint64, c byte) uint64 {
	y := x ^ uint64(c)*Ones
	const low7 = 0x7f7f7f7f7f7f7f7f
	return ^((y&low7 + low7) | y | low7)
}

// CopyASCII copies text into buf (reusing its storage) eight bytes at a
// time, followed by 16 zero bytes within its capacity, and counts the
// '!' and '?' in it. It reports ok false, and the rest is unspecified,
// if text has a byte outside ASCII or a byte equal to stopA or stopB,
// which the caller must then handle byte by byte. Stop bytes of 0x80 and
// above stop nothing more, and the copy skips their test.
func CopyASCII(buf []byte, text string, stopA, stopB byte) (out []byte, ep, qm int, ok bool) {
	n := len(text)
	if cap(buf) < n+24 {
		buf = make([]byte, 0, n+n/4+24)
	}
	buf = buf[:n+16]
	var high, stop uint64
	i := 0
	if stopA >= 0x80 && stopB >= 0x80 {
		// No stop byte but non-ASCII, which high finds: a shorter loop.
		for ; i+8 <= n; i += 8 {
			w := text[i : i+8]
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			binary.LittleEndian.PutUint64(buf[i:i+8:i+8], x)
			high |= x
		}
	}
	for ; i+8 <= n; i += 8 {
		w := text[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		binary.LittleEndian.PutUint64(buf[i:i+8:i+8], x)
		high |= x
		stop |= EqBytes(x, stopA) | EqBytes(x, stopB)
	}
	// The last bytes, then the zero bytes, as whole words. The last
	// bytes are the top of the text's last eight (a shift, not a copy
	// of a varying length, whose size switch mispredicts).
	var x uint64
	if r := n - i; n >= 8 {
		w := text[n-8 : n]
		x = uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		x >>= 8 * uint(8-r) // 64, giving 0, if r == 0
	} else {
		for k := 0; k < r; k++ {
			x |= uint64(text[i+k]) << (8 * uint(k))
		}
	}
	valid := ^uint64(0) >> (64 - 8*uint(n-i)) // the text's bytes (none if n == i)
	high |= x
	stop |= (EqBytes(x, stopA) | EqBytes(x, stopB)) & valid
	tail := buf[i : i+24 : i+24]
	binary.LittleEndian.PutUint64(tail, x)
	binary.LittleEndian.PutUint64(tail[8:], 0)
	binary.LittleEndian.PutUint64(tail[16:], 0)
	if (high&Highs)|stop != 0 {
		return buf[:n], 0, 0, false
	}
	// strings.Count uses vector instructions: faster than counting
	// here, eight bytes at a time.
	return buf[:n], strings.Count(text, "!"), strings.Count(text, "?"), true
}

// B2U is 1 if b, else 0; the compiler makes it a SETcc, without a branch.
func B2U(b bool) uint8 {
	var x uint8
	if b {
		x = 1
	}
	return x
}

// B2F is B2U as a float64.
func B2F(b bool) float64 { return float64(B2U(b)) }
