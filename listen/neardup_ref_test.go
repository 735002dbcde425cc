package listen

import (
	"slices"
	"testing"
)

// refShinglesASCII is the first shingling loop for ASCII text: it writes the
// hashes to d.cur, updates bins and returns their number, or false at the
// first byte that is not ASCII.
func (d *NearDuplicates) refShinglesASCII(text string, bins *[64]uint32) (int, bool) {
	cur := d.cur
	var w uint64
	n, out := 0, 0
	space := false // a space is pending: it goes in before the next character
	for i := 0; i < len(text); {
		c := text[i]
		i++
		cls := nearASCII[c]
		if cls >= asciiSpace {
			if cls == asciiWide {
				return 0, false
			}
			if cls == asciiSpace {
				space = n > 0
				continue
			}
			if j := urlSkip(text, i-1); j >= 0 { // h, H, w or W: a URL?
				i = j
				continue
			}
			cls = asciiUpper // lower-case it
		}
		if space {
			space = false
			w = (w<<7 | ' ') & asciiMask
			if n++; n >= shingle {
				x := w * asciiMul
				cur[out] = uint32(x >> 32)
				bins[x>>26&63] = min(bins[x>>26&63], uint32(x>>32)) // branch-free: the branch mispredicts
				out++
			}
		}
		w = (w<<7 | uint64(c|cls<<5)) & asciiMask // asciiUpper is 1: upper case plus 32
		if n++; n >= shingle {
			x := w * asciiMul
			cur[out] = uint32(x >> 32)
			bins[x>>26&63] = min(bins[x>>26&63], uint32(x>>32))
			out++
		}
	}
	if 0 < n && n < shingle {
		x := (w | uint64(n)<<(7*shingle)) * asciiMul
		cur[0] = uint32(x >> 32)
		bins[x>>26&63] = cur[0]
		out = 1
	}
	return out, true
}

// FuzzShinglesASCII checks the signature made with the two-pass
// shingling of ASCII text against the one made with the one-pass loop it
// replaced: the same hashes, minhash bytes and band keys.
func FuzzShinglesASCII(f *testing.F) {
	for _, s := range []string{"@united my flight was cancelled", "ab", "", " a ", "https://x.y", "see WWW.x.y now",
		"x http://a.b", "http://a.b x", "a\t\n b  ", "ÉCOLE", "abcd", "abcde ", "  www.a hwww.b https:/x Https://y",
		"tail https://t.co/x", "wow. www. ww.w", "\x7f\x80", "WWW.\xea", "é http://a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d := NewNearDuplicates(1)
		d.signature(text)
		got, sig, keys := slices.Clone(d.cur), d.sig1, d.keys1
		d.refSignature(text)
		if !slices.Equal(got, d.cur) || sig != d.sig1 || keys != d.keys1 {
			t.Fatalf("%q: hashes %x, want %x", text, got, d.cur)
		}
	})
}

// refSignature is signature with refShinglesASCII.
func (d *NearDuplicates) refSignature(text string) {
	d.cur = slices.Grow(d.cur[:0], len(text)+1)[:len(text)+1]
	var bins [64]uint32
	for i := range bins {
		bins[i] = ^uint32(0)
	}
	n, ok := d.refShinglesASCII(text, &bins)
	if !ok {
		for i := range bins {
			bins[i] = ^uint32(0)
		}
		n = d.shinglesAny(text, &bins)
	}
	d.cur = d.cur[:n]
	d.bands(&bins)
}
