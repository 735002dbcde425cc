package listen

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// signature computes the shingle hashes of text (d.cur) and its band keys
// (d.keys1) in one pass that normalises as normalizeNear does.
func (d *NearDuplicates) signature(text string) {
	d.distinct = false
	d.cur = d.ring.reserve(d.oldest(), len(text)+1)
	// One-permutation minhash: the bin from 6 bits of a shingle's hash,
	// the value from the 32 above them; bins 48 to 63 are not used, which
	// samples the shingles without changing what a bin estimates.
	bins := emptyBins
	n, ok := d.shinglesASCII(text, &bins) // leaves bins alone if not ASCII
	if !ok {
		n = d.shinglesAny(text, &bins)
	}
	d.cur = d.cur[:n]
	d.bands(&bins)
}

// bands sets the minhash bytes and band keys of the text (d.sig1, d.keys1)
// from its minhash bins.
func (d *NearDuplicates) bands(bins *[64]uint32) {
	b48 := (*[nearBins]uint32)(bins[:nearBins])
	densify(b48, &d.sig1)
	d.bandKeys(b48)
}

// bandKeys sets the band keys of the text (d.keys1) from its densified
// minhash bins.
func (d *NearDuplicates) bandKeys(b48 *[nearBins]uint32) {
	for b := range nearBands {
		v := b48[b*nearRows : (b+1)*nearRows]
		k := (uint64(v[0])<<32 | uint64(v[1])) * 0x9e3779b97f4a7c15
		k ^= (uint64(v[2])<<32 | uint64(v[3])) * 0xc2b2ae3d27d4eb4f
		k ^= (uint64(v[4])<<32 | uint64(v[5])) * 0x165667b19e3779f9
		d.keys1[b] = uint32(mix(k^uint64(b))>>32) | 1 // never 0
	}
}

// densify fills empty bins from the next non-empty bin to the right
// (circularly), offset by the distance, as rotation densification does
// (Shrivastava and Li, 2014), and writes the low byte of every bin to
// low. It walks the bins once from right to left, carrying the nearest
// filled bin and the offset, without a branch per bin: a tweet leaves
// about ten bins empty, in no pattern a branch predictor could learn.
func densify(bins *[nearBins]uint32, low *[nearBins]uint8) {
	const empty, step = ^uint32(0), 0x61c88647
	// The bin to the right of the last one is the first filled one, f+1
	// bins away from the last.
	f := 0
	for f < nearBins && bins[f] == empty {
		f++
	}
	if f == nearBins {
		for i := range low {
			low[i] = 0xff
		}
		return
	}
	v, add := bins[f], uint32(f)*step
	for i := nearBins - 1; i >= 0; i-- {
		x := bins[i]
		add += step
		if x != empty { // two conditional moves, not a branch
			v = x
		}
		if x != empty {
			add = 0
		}
		x = v + add
		bins[i] = x
		low[i] = uint8(x)
	}
}

// A shingle of ASCII characters packs 7 bits each into w (35 bits) and
// hashes by one multiplication, whose high bits depend on every bit of w;
// a shingle with any other character hashes its 21-bit runes with
// shingleHash. Both loops below hash the same window the same way.
const (
	asciiMask = 1<<(7*shingle) - 1
	asciiMul  = 0x9e3779b97f4a7c15
)

// shinglesASCII is the shingling loop for ASCII text: it writes the
// hashes to d.cur, updates bins and returns their number, or false if the
// text is not ASCII. It works in two passes without a branch per byte:
// the first copies the normalised text to d.norm (lower case, white space
// as one space, as normalizeNear does; a byte is written and kept only if
// it does not follow a space with another), from which the rare text
// with a URL then drops it, and the second hashes every window of that
// copy.
func (d *NearDuplicates) shinglesASCII(text string, bins *[64]uint32) (int, bool) {
	norm := slices.Grow(d.norm[:0], len(text))[:len(text)]
	d.norm = norm
	j, any := normalizeRun(norm, 0, text, 1)
	if any < utf8.RuneSelf && urlMark(norm[:j]) {
		j = dropURLs(norm[:j])
	}
	if any >= utf8.RuneSelf {
		return 0, false
	}
	if j > 0 && norm[j-1] == ' ' {
		j-- // no space at the end
	}
	cur := d.cur[:max(j-shingle+1, 1)]
	if j < shingle {
		if j == 0 {
			return 0, true
		}
		var w uint64
		for _, c := range norm[:j] {
			w = w<<7 | uint64(c)
		}
		x := (w | uint64(j)<<(7*shingle)) * asciiMul
		cur[0] = uint32(x >> 32)
		bins[x>>26&63] = cur[0]
		return 1, true
	}
	// Two windows a step: the second from the one before the first, so
	// that the chain from step to step is half as long.
	w := uint64(norm[0])<<21 | uint64(norm[1])<<14 | uint64(norm[2])<<7 | uint64(norm[3])
	in := norm[shingle-1 : j]
	o := 0
	for ; o+2 <= len(in); o += 2 {
		c0, c1 := uint64(in[o]), uint64(in[o+1])
		w0 := (w<<7 | c0) & asciiMask
		w = (w<<14 | c0<<7 | c1) & asciiMask
		x0, x1 := w0*asciiMul, w*asciiMul
		cur[o], cur[o+1] = uint32(x0>>32), uint32(x1>>32)
		bins[x0>>26&63] = min(bins[x0>>26&63], uint32(x0>>32)) // branch-free: the branch mispredicts
		bins[x1>>26&63] = min(bins[x1>>26&63], uint32(x1>>32))
	}
	if o < len(in) {
		w = (w<<7 | uint64(in[o])) & asciiMask
		x := w * asciiMul
		cur[o] = uint32(x >> 32)
		bins[x>>26&63] = min(bins[x>>26&63], uint32(x>>32))
	}
	return len(cur), true
}

// urlMark reports whether the normalised text norm contains "://" or
// "www.", as every URL does. It looks for the rarer ':' and '.', not for
// 'w'.
func urlMark(norm []byte) bool {
	for b := norm; ; {
		k := bytes.IndexByte(b, ':')
		if k < 0 {
			break
		}
		if b = b[k+1:]; len(b) >= 2 && b[0] == '/' && b[1] == '/' {
			return true
		}
	}
	for i := 0; ; {
		k := bytes.IndexByte(norm[i:], '.')
		if k < 0 {
			return false
		}
		if i += k; i >= 3 && string(norm[i-3:i]) == "www" {
			return true
		}
		i++
	}
}

// dropURLs removes the URLs from norm, text normalised as normalizeNear
// does but with its URLs: the words that start with http://, https:// or
// www. (in lower case). It returns the length left, without a space at
// the end.
func dropURLs(norm []byte) int {
	j := 0
	for i := 0; i < len(norm); i++ { // norm[i] starts a word
		if c := norm[i]; (c == 'h' || c == 'w') && urlAtLower(norm[i:]) {
			for i < len(norm) && norm[i] != ' ' {
				i++
			}
			continue
		}
		if j > 0 {
			norm[j] = ' '
			j++
		}
		for ; i < len(norm) && norm[i] != ' '; i++ {
			norm[j] = norm[i]
			j++
		}
	}
	return j
}

// urlAtLower reports whether s starts with http://, https:// or www.
func urlAtLower(s []byte) bool {
	return len(s) >= 4 && string(s[:4]) == "www." ||
		len(s) >= 7 && string(s[:7]) == "http://" ||
		len(s) >= 8 && string(s[:8]) == "https://"
}

// normalizeRun writes text to norm (as long as text) from j, normalised
// as normalizeNear does if text is ASCII, except that URLs are kept and a
// space may be left at the end; space is 1 if a space at j would follow
// a space (or start the text). It returns the length written and the
// bits of every byte read, to check for ASCII.
func normalizeRun(norm []byte, j int, text string, space uint8) (int, uint8) {
	var any8 uint64
	var any uint8
	for i := 0; i < len(text); {
		// Eight bytes at a time while they need no more than lower-casing:
		// no control character (other white space) and no space after a
		// space; else the next eight one by one.
		for ; i+8 <= len(text); i += 8 {
			x := load64(text, i)
			lower, spaces, ctrl := swarASCII(x)
			if ctrl|spaces&(spaces<<8|uint64(space)<<7) != 0 {
				break
			}
			any8 |= x
			store64(norm[j:j+8], lower)
			j += 8
			space = uint8(spaces >> 63)
		}
		end := min(i+8, len(text))
		for _, c := range []byte(text[i:end]) {
			any |= c
			v := nearLower[c]
			sp := b2u(v == ' ')
			norm[j] = v
			j += int(1 - sp&space)
			space = sp
		}
		i = end
	}
	if any8&0x8080808080808080 != 0 {
		any |= 0x80
	}
	return j, any
}

// swarASCII looks at eight ASCII bytes in x at once: it returns them
// lower-cased, and the high bit of each byte that is a space, and of each
// that is a control character (white space other than ' ' among them).
// Bytes that are not ASCII give meaningless results.
func swarASCII(x uint64) (lower, spaces, ctrl uint64) {
	const ones, highs, lows = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	low7 := x & lows
	upper := (low7 + (0x80-'A')*ones) &^ (low7 + (0x80-'Z'-1)*ones) & highs
	lower = x | upper>>2
	t := low7 ^ ' '*ones
	spaces = ^((t & lows) + lows | t) & highs
	ctrl = ^(low7 + (0x80-' ')*ones) & highs
	return lower, spaces, ctrl
}

// load64 returns the eight bytes of s from i, the first in the low bits.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load64b returns the eight bytes of b from 0, the first in the low bits.
func load64b(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// store64 writes x to b[:8], the low bits first.
func store64(b []byte, x uint64) {
	_ = b[7]
	b[0], b[1], b[2], b[3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
	b[4], b[5], b[6], b[7] = byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56)
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// shinglesAny is the shingling loop for any text.
func (d *NearDuplicates) shinglesAny(text string, bins *[64]uint32) int {
	cur := d.cur
	var w, w1, w2 uint64 // the window packed as ASCII, and as runes
	n, out := 0, 0
	lastWide := -shingle // position of the newest rune that is not ASCII
	space := false
	for i := 0; i < len(text); {
		var r uint64
		if c := text[i]; c < utf8.RuneSelf {
			i++
			cls := nearASCII[c]
			if cls >= asciiSpace {
				if cls == asciiSpace {
					space = n > 0
					continue
				}
				if j := urlSkip(text, i-1); j >= 0 {
					i = j
					continue
				}
				cls = asciiUpper
			}
			r = uint64(c | cls<<5)
		} else {
			c, size := utf8.DecodeRuneInString(text[i:])
			i += size
			if unicode.IsSpace(c) {
				space = n > 0
				continue
			}
			r = uint64(unicode.ToLower(c))
		}
		for {
			in := r
			if space {
				in = ' '
			}
			if in >= utf8.RuneSelf {
				lastWide = n
			}
			w = (w<<7 | in&127) & asciiMask
			w2 = (w2<<21 | w1>>42) & (1<<42 - 1)
			w1 = (w1<<21 | in) & (1<<63 - 1)
			if n++; n >= shingle {
				x := w * asciiMul
				if n-lastWide <= shingle {
					x = shingleHash(w1, w2)
				}
				cur[out] = uint32(x >> 32)
				bins[x>>26&63] = min(bins[x>>26&63], uint32(x>>32))
				out++
			}
			if !space {
				break
			}
			space = false
		}
	}
	if 0 < n && n < shingle {
		x := (w | uint64(n)<<(7*shingle)) * asciiMul
		if lastWide >= 0 {
			x = shingleHash(w1, w2|uint64(n)<<42)
		}
		cur[0] = uint32(x >> 32)
		bins[x>>26&63] = cur[0]
		out = 1
	}
	return out
}

// shingleHash hashes a window of five runes.
func shingleHash(w1, w2 uint64) uint64 {
	x := w1*0x9e3779b97f4a7c15 ^ w2*0xc2b2ae3d27d4eb4f
	x ^= x >> 29
	x *= 0xbf58476d1ce4e5b9
	return x ^ x>>32
}

// normalizeNear appends text normalised as [NearDuplicates] does:
// lower-cased, without URLs, runs of white space made one space, no space
// at either end. signature normalises the same way without it.
func normalizeNear(dst []byte, text string) []byte {
	dst = slices.Grow(dst, len(text))
	space := false
	for i := 0; i < len(text); {
		c := text[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(text[i:])
			i += size
			if unicode.IsSpace(r) {
				space = len(dst) > 0
				continue
			}
			if space {
				dst, space = append(dst, ' '), false
			}
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
			continue
		}
		i++
		switch nearASCII[c] {
		case asciiUpper:
			c += 'a' - 'A'
		case asciiSpace:
			space = len(dst) > 0
			continue
		case asciiURL:
			if j := urlSkip(text, i-1); j >= 0 {
				i = j
				continue
			}
			c |= 0x20
		}
		if space {
			dst, space = append(dst, ' '), false
		}
		dst = append(dst, c)
	}
	return dst
}

// Classes of bytes for normalising. asciiUpper must be 1 (see
// shinglesASCII) and the ones from asciiSpace on the rarest.
const (
	asciiPlain = iota
	asciiUpper
	asciiSpace
	asciiURL
	asciiWide // not ASCII: part of a multi-byte rune
)

// nearASCII classifies the bytes; it is never written after
// initialisation.
var nearASCII = func() (t [256]uint8) {
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = asciiWide
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = asciiUpper
	}
	for _, c := range " \t\n\r\f\v" {
		t[c] = asciiSpace
	}
	for _, c := range "hHwW" {
		t[c] = asciiURL
	}
	return t
}()

// emptyBins are minhash bins before the first shingle; never written.
var emptyBins = func() (b [64]uint32) {
	for i := range b {
		b[i] = ^uint32(0)
	}
	return b
}()

// nearLower maps an ASCII byte to itself lower-cased, and white space to
// ' '; it is never written after initialisation.
var nearLower = func() (t [256]uint8) {
	for c := range t {
		switch nearASCII[c] {
		case asciiUpper:
			t[c] = uint8(c) + 'a' - 'A'
		case asciiSpace:
			t[c] = ' '
		case asciiURL:
			t[c] = uint8(c) | 0x20
		default:
			t[c] = uint8(c)
		}
	}
	return t
}()

func isSpaceByte(c byte) bool { return nearASCII[c] == asciiSpace }

// urlSkip returns the end of the URL at text[i] (up to the next white
// space) if a word starts there with http://, https:// or www., else -1.
func urlSkip(text string, i int) int {
	if (i > 0 && !isSpaceByte(text[i-1])) || !urlAt(text[i:]) {
		return -1
	}
	for i < len(text) && !isSpaceByte(text[i]) {
		i++
	}
	return i
}

// urlAt reports whether s starts with http://, https:// or www. (any case).
func urlAt(s string) bool {
	for _, p := range [...]string{"http://", "https://", "www."} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}
