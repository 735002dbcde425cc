package listen

import (
	"bytes"
	"fmt"
	"iter"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
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
		"tail https://t.co/x", "wow. www. ww.w", "\x7f\x80", "WWW.\xea", "é http://a.b",
		"1234567:// x", "12345://", "abcdwww.x", "12345www.abc", "1234567w:/ww.ww//.www"} {
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
		b := []byte(text)
		if urlMark(b) != (bytes.Contains(b, []byte("://")) || bytes.Contains(b, []byte("www."))) {
			t.Fatalf("%q: urlMark %v", text, urlMark(b))
		}
	})
}

// refSignature is signature with refShinglesASCII.
func (d *NearDuplicates) refSignature(text string) {
	d.cur = d.ring.reserve(d.oldest(), len(text)+1)
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
	d.refBands(&bins)
}

// refBands is bands with refDensify and a separate pass for the bytes.
func (d *NearDuplicates) refBands(bins *[64]uint32) {
	b48 := (*[nearBins]uint32)(bins[:nearBins])
	refDensify(b48)
	for i, v := range b48 {
		d.sig1[i] = uint8(v)
	}
	d.bandKeys(b48)
}

// refDensify is the former densify: a bit mask of the filled bins, and
// each empty bin's distance to the next from it.
func refDensify(bins *[nearBins]uint32) {
	const empty, all = ^uint32(0), 1<<nearBins - 1
	var filled uint64
	for i, v := range bins {
		filled |= uint64(b2u(v != empty)) << i
	}
	if filled == all || filled == 0 {
		return
	}
	for holes := ^filled & all; holes != 0; holes &= holes - 1 {
		i := bits.TrailingZeros64(holes)
		// The filled bins from i on, rotated so that bin i is bit 0.
		rot := (filled>>i | filled<<(nearBins-i)) & all
		dist := bits.TrailingZeros64(rot)
		bins[i] = bins[(i+dist)%nearBins] + uint32(dist)*0x61c88647
	}
}

// FuzzDensify checks densify against refDensify on bins filled by the
// bits of mask (the empty patterns a text can leave, all of them for
// short texts) with values from seed.
func FuzzDensify(f *testing.F) {
	for _, m := range []uint64{0, 1, 1 << 47, 1<<48 - 1, 0x5555_5555_5555, 0x8000_0000_0001, 0xffff_0000_ffff} {
		f.Add(m, uint64(m*7+1))
	}
	f.Fuzz(func(t *testing.T, mask, seed uint64) {
		r := rand.New(rand.NewPCG(seed, mask))
		var bins [nearBins]uint32
		for i := range bins {
			bins[i] = ^uint32(0)
			if mask>>i&1 != 0 {
				bins[i] = r.Uint32()
			}
		}
		want := bins
		refDensify(&want)
		var low [nearBins]uint8
		densify(&bins, &low)
		require.Equal(t, want, bins, "mask %x", mask)
		for i, v := range want {
			require.Equal(t, uint8(v), low[i])
		}
	})
}

// refEach and refKeep are each and keep as they were before each kept
// what keep needs: keep read every bucket again. (Both keep the hashes
// in the ring.)
func (d *NearDuplicates) refEach(f func(slot int32) bool) bool {
	d.cands = d.cands[:0]
	found := false
	for b := range nearBands {
		i := b<<bits.Len32(d.mask) | int(d.keys1[b]&d.mask)
		if !d.tagged(d.tags[i], d.keys1[b]) {
			continue
		}
		for s := d.slot(d.heads[i]); s >= 0; s = d.slot(d.links[s][b]) {
			if d.keys[s][b] != d.keys1[b] {
				break // the bucket was taken over after this text
			}
			if slices.Contains(d.cands, s) {
				continue
			}
			d.cands = append(d.cands, s)
			if d.plausible(&d.sig[s]) && d.similar(d.ring.text(s)) {
				found = true
				if !f(s) {
					return true
				}
			}
		}
	}
	return found
}

func (d *NearDuplicates) refKeep() {
	d.count++
	d.last++
	if uint32(d.count) == 0 {
		d.count++ // 0 means no text
		d.ring.drop(d.last % d.n)
		d.last++
	}
	for d.last >= d.n {
		d.last -= d.n
	}
	if d.fill++; d.fill >= (d.n+3)/4 {
		d.fill = 0
		d.epoch++
	}
	s := int32(d.last)
	d.ring.commit(s, len(d.cur))
	d.sig[s] = d.sig1
	d.keys[s] = d.keys1
	for b, key := range d.keys1 {
		i := b<<bits.Len32(d.mask) | int(key&d.mask)
		d.links[s][b] = 0
		if d.tagged(d.tags[i], key) {
			if h := d.slot(d.heads[i]); h >= 0 && d.keys[h][b] == key {
				d.links[s][b] = d.heads[i]
			}
		}
		d.tags[i] = d.tag(key)
		d.heads[i] = uint32(d.count)
	}
}

// refAdd is Add with refEach and refKeep.
func (d *NearDuplicates) refAdd(text string) bool {
	d.signature(text)
	if len(d.cur) == 0 {
		return false
	}
	if d.refEach(func(int32) bool { return false }) {
		return true
	}
	d.refKeep()
	return false
}

// sameIndex runs texts through Add of one index and refAdd of another,
// and fails unless the answers and the whole state agree.
func sameIndex(t *testing.T, n int, texts iter.Seq[string]) {
	t.Helper()
	sameIndexFrom(t, n, 0, texts)
}

// sameIndexFrom is sameIndex with indexes that have counted count texts.
func sameIndexFrom(t *testing.T, n int, count uint64, texts iter.Seq[string]) {
	t.Helper()
	d, r := NewNearDuplicates(n), NewNearDuplicates(n)
	d.count, r.count = count, count
	i := 0
	for text := range texts {
		got, want := d.Add(text), r.refAdd(text)
		require.Equal(t, want, got, "text %d %q", i, text)
		if !got && d.last >= 0 {
			require.Equal(t, r.links[r.last], d.links[d.last], "text %d %q", i, text)
		}
		i++
	}
	require.Equal(t, r.count, d.count)
	require.Equal(t, r.epoch, d.epoch)
	require.True(t, slices.Equal(r.links, d.links), "links")
	require.True(t, slices.Equal(r.heads, d.heads), "heads")
	require.True(t, slices.Equal(r.tags, d.tags), "tags")
}

// TestNearIndexIsFormer checks the index against the former each and
// keep: on the airline tweets (twice over, through indexes small enough
// to forget and to reuse their buckets), and on generated texts.
func TestNearIndexIsFormer(t *testing.T) {
	texts := airlineTexts(t)
	if testing.Short() || nearRace {
		texts = texts[:2000]
	}
	for _, n := range []int{7, 300, 0} {
		sameIndex(t, n, func(yield func(string) bool) {
			for range 2 {
				for _, text := range texts {
					if !yield(text) {
						return
					}
				}
			}
		})
	}
	sameIndex(t, 50, func(yield func(string) bool) {
		r := rand.New(rand.NewPCG(5, 6))
		for range 3000 {
			if !yield(fmt.Sprintf("post number %d about topic %d with words %d", r.IntN(200), r.IntN(5), r.IntN(40))) {
				return
			}
		}
	})
}

// FuzzNearIndex checks the index against the former each and keep on a
// stream of texts made of a few words, in an index of 1 to 16 texts.
func FuzzNearIndex(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 3, 0, 1, 2, 4, 4, 4, 5, 6, 7, 0, 1})
	f.Add([]byte{0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9})
	words := []string{"delayed again", "thanks", "flight 22", "@united", "lost my bag", "the crew", "http://t.co/x", "great"}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		sameIndex(t, int(in[0]%16)+1, func(yield func(string) bool) {
			for k := 1; k+2 < len(in); k += 3 {
				text := words[in[k]%8] + " " + words[in[k+1]%8] + " " + words[in[k+2]%8]
				if !yield(text) {
					return
				}
			}
		})
	})
}
