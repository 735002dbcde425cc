package wordtab

import "encoding/binary"

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
