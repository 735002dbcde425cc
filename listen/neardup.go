package listen

import (
	"context"
	"iter"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// NearThreshold is the Jaccard similarity of two texts' shingle sets at
// which [NearDuplicates] calls them near-duplicates.
const NearThreshold = 0.8

// Shape of the near-duplicate index: minhash bins, split into bands of
// rows for locality-sensitive hashing. Two texts with Jaccard similarity
// J share a band with probability 1-(1-J^rows)^bands if their bins are
// independent: 0.91 at 0.8, 0.998 at 0.9, and 9e-5 at 0.15, where
// unrelated posts on one topic lie.
const (
	nearBands = 8
	nearRows  = 6
	nearBins  = nearBands * nearRows
	shingle   = 5 // runes per shingle
)

// NearDuplicates recognises near-duplicate texts: copy-paste floods,
// templated spam, the same text with another link or @handle. It
// remembers the last n texts it kept; [NearDuplicates.Add] reports a text
// whose shingles overlap one of them by at least [NearThreshold].
//
// # Definition
//
// A text is normalised (lower-cased; URLs starting with http://, https://
// or www. at the start of a word removed; runs of white space made one
// space; trimmed) and cut into shingles: every run of 5 consecutive
// characters (a shorter text is one shingle). Two texts are
// near-duplicates when the Jaccard similarity of their shingle sets,
// |A∩B|/|A∪B|, is at least 0.8: a tweet-length text with a word or two
// changed, added or removed. Identical short texts ("Thank you!") are
// near-duplicates too.
//
// # How
//
// Each text gets a one-permutation minhash signature of 48 bins (with
// rotation densification for short texts), and 8 bands of 6 bins index
// it in 8 hash tables. Texts that share a band with the new one are
// candidates; a candidate whose minhash bins agree in fewer than half
// of them is dropped, and the exact shingle overlap decides the others.
// So every pair reported is a near-duplicate (up to collisions of 32-bit
// shingle hashes), and a pair is missed only when no band matches (or
// newer texts took all of its bands' buckets). On the 14,640 airline
// tweets, each checked against all the ones before it, it finds all 1,284
// pairs a brute-force comparison finds, and no other, at about 1.4 us of
// CPU per tweet (see BENCHMARKS.md).
//
// # Memory
//
// About 150 bytes per remembered text plus 4 bytes per shingle, and 8
// tables of 4n buckets of 8 bytes: about 10 MiB for the default 10,000
// tweets.
//
// A NearDuplicates is not safe for concurrent use.
type NearDuplicates struct {
	n     int
	count uint64 // texts kept so far; text c (from 1) is in slot (c-1) % n
	raw   [][]uint32
	sig   [][nearBins]uint8   // per slot: the low byte of each minhash bin
	keys  [][nearBands]uint32 // per slot: its band keys
	links [][nearBands]uint32 // per slot and band: the text before it in its bucket
	table []nearEntry         // per band, buckets by band key
	mask  uint32              // buckets per band - 1

	// The text being looked at.
	cur   []uint32 // its shingle hashes, repeats included
	set   []uint32 // its distinct shingle hashes, once dedupe has run
	sig1  [nearBins]uint8
	keys1 [nearBands]uint32
	cands []int32

	a, b     scratch // the shingles of the text looked at, and of a candidate
	distinct bool    // set and a hold cur's distinct hashes
}

// A nearEntry is a bucket: a band key and the newest text with it (its
// count, truncated to 32 bits; 0 for none). A text whose band key lands
// in a bucket holding another key takes the bucket over.
type nearEntry struct {
	key  uint32
	head uint32
}

// NewNearDuplicates returns an index that remembers the last n texts it
// keeps; n <= 0 means 10,000 (and n is at most 2^28).
func NewNearDuplicates(n int) *NearDuplicates {
	if n <= 0 {
		n = 10_000
	}
	n = min(n, 1<<28)
	buckets := 1 << bits.Len(uint(4*n-1))
	return &NearDuplicates{
		n: n, raw: make([][]uint32, n), sig: make([][nearBins]uint8, n),
		keys: make([][nearBands]uint32, n), links: make([][nearBands]uint32, n),
		table: make([]nearEntry, nearBands*buckets), mask: uint32(buckets - 1),
	}
}

// Add reports whether text is a near-duplicate of a text the index
// remembers. If it is not, the index remembers it, forgetting the oldest
// if it holds n; a near-duplicate is not remembered, so a flood of copies
// does not push other texts out. A text with nothing but space and links
// is never a near-duplicate.
func (d *NearDuplicates) Add(text string) bool {
	d.signature(text)
	if len(d.cur) == 0 {
		return false // nothing but space and links: no text to compare
	}
	if d.each(func(int32) bool { return false }) {
		return true
	}
	d.keep()
	return false
}

// slot returns the slot of the text whose count ends in the 32 bits ref,
// or -1 if it is forgotten (or ref is 0).
func (d *NearDuplicates) slot(ref uint32) int32 {
	age := uint64(uint32(d.count) - ref) // how many texts were kept after it
	if ref == 0 || age >= uint64(d.n) || age >= d.count {
		return -1
	}
	return int32((d.count - age - 1) % uint64(d.n))
}

// each calls f with the slot of every remembered near-duplicate of the
// text last passed to signature, until f returns false; it reports
// whether there was one.
func (d *NearDuplicates) each(f func(slot int32) bool) bool {
	d.cands = d.cands[:0]
	found := false
	for b := range nearBands {
		e := &d.table[b<<bits.Len32(d.mask)|int(d.keys1[b]&d.mask)]
		if e.key != d.keys1[b] {
			continue
		}
		for s := d.slot(e.head); s >= 0; s = d.slot(d.links[s][b]) {
			if d.keys[s][b] != d.keys1[b] {
				break // the bucket was taken over after this text
			}
			if slices.Contains(d.cands, s) {
				continue
			}
			d.cands = append(d.cands, s)
			if d.plausible(&d.sig[s]) && d.similar(d.raw[s]) {
				found = true
				if !f(s) {
					return true
				}
			}
		}
	}
	return found
}

// keep remembers the text last passed to signature.
func (d *NearDuplicates) keep() {
	d.count++
	if uint32(d.count) == 0 {
		d.count++ // 0 means no text
	}
	s := int32((d.count - 1) % uint64(d.n))
	d.raw[s] = append(d.raw[s][:0], d.cur...)
	d.sig[s] = d.sig1
	d.keys[s] = d.keys1
	for b, key := range d.keys1 {
		e := &d.table[b<<bits.Len32(d.mask)|int(key&d.mask)]
		if e.key == key {
			d.links[s][b] = e.head
		} else {
			d.links[s][b] = 0
			e.key = key
		}
		e.head = uint32(d.count)
	}
}

// plausible reports whether the minhash bins of the text last passed to
// signature and the low bytes sig of another's agree in at least half the
// bins: a cheap test that rejects most candidates before the exact one.
// Each bin agrees with probability J (plus 1/256 for the bytes), so a
// pair with J >= 0.8 fails it with probability below 1e-6.
func (d *NearDuplicates) plausible(sig *[nearBins]uint8) bool {
	same := 0
	for i, v := range sig {
		if v == d.sig1[i] {
			same++
		}
	}
	return 2*same >= nearBins
}

// similar reports whether the text last passed to signature and the
// remembered shingle hashes other (repeats included) have a Jaccard
// similarity of at least NearThreshold.
func (d *NearDuplicates) similar(other []uint32) bool {
	d.dedupe()
	d.b.reset(len(other))
	na, nb, common := len(d.set), 0, 0
	for _, h := range other {
		if d.b.put(h) {
			nb++
			if d.a.has(h) {
				common++
			}
		}
	}
	// J >= t exactly when |A∩B| >= t/(1+t) * (|A|+|B|).
	return float64(common) >= math.Ceil(NearThreshold/(1+NearThreshold)*float64(na+nb)-1e-9)
}

// dedupe fills d.set and the scratch table a with the distinct shingle
// hashes of the text last passed to signature, once.
func (d *NearDuplicates) dedupe() {
	if d.distinct {
		return
	}
	d.set = d.set[:0]
	d.a.reset(len(d.cur))
	for _, h := range d.cur {
		if d.a.put(h) {
			d.set = append(d.set, h)
		}
	}
	d.distinct = true
}

// scratch is a table of shingle hashes reused from text to text: each
// entry is a (generation, hash) pair, and entries of older generations
// count as empty, so clearing is a generation bump.
type scratch struct {
	t   []uint32
	gen uint32
}

// reset empties the table and sizes it for n hashes.
func (s *scratch) reset(n int) {
	size := 8
	for size < 2*n {
		size <<= 1
	}
	if cap(s.t) < 2*size {
		s.t, s.gen = make([]uint32, 2*size), 0
	}
	s.t = s.t[:2*size]
	if s.gen++; s.gen == 0 { // wrapped: old stamps could look current
		clear(s.t)
		s.gen = 1
	}
}

// find returns the entry of h, or the empty one where it would go, and
// whether h is there.
func (s *scratch) find(h uint32) (uint32, bool) {
	mask := uint32(len(s.t)/2 - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch {
		case s.t[2*i] != s.gen:
			return i, false
		case s.t[2*i+1] == h:
			return i, true
		}
	}
}

// put adds h and reports whether it was new.
func (s *scratch) put(h uint32) bool {
	i, ok := s.find(h)
	if !ok {
		s.t[2*i], s.t[2*i+1] = s.gen, h
	}
	return !ok
}

func (s *scratch) has(h uint32) bool {
	_, ok := s.find(h)
	return ok
}

// signature computes the shingle hashes of text (d.cur) and its band keys
// (d.keys1) in one pass that normalises as normalizeNear does.
func (d *NearDuplicates) signature(text string) {
	d.distinct = false
	d.cur = slices.Grow(d.cur[:0], len(text)+1)[:len(text)+1]
	// One-permutation minhash: the bin from 6 bits of a shingle's hash,
	// the value from the 32 above them; bins 48 to 63 are not used, which
	// samples the shingles without changing what a bin estimates.
	var bins [64]uint32
	for i := range bins {
		bins[i] = ^uint32(0)
	}
	n, ok := d.shinglesASCII(text, &bins)
	if !ok { // not ASCII after all: start again
		for i := range bins {
			bins[i] = ^uint32(0)
		}
		n = d.shinglesAny(text, &bins)
	}
	d.cur = d.cur[:n]
	b48 := (*[nearBins]uint32)(bins[:nearBins])
	densify(b48)
	for i, v := range b48 {
		d.sig1[i] = uint8(v)
	}
	for b := range nearBands {
		v := b48[b*nearRows : (b+1)*nearRows]
		k := (uint64(v[0])<<32 | uint64(v[1])) * 0x9e3779b97f4a7c15
		k ^= (uint64(v[2])<<32 | uint64(v[3])) * 0xc2b2ae3d27d4eb4f
		k ^= (uint64(v[4])<<32 | uint64(v[5])) * 0x165667b19e3779f9
		d.keys1[b] = uint32(mix(k^uint64(b))>>32) | 1 // never 0
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
// hashes to d.cur, updates bins and returns their number, or false at the
// first byte that is not ASCII.
func (d *NearDuplicates) shinglesASCII(text string, bins *[64]uint32) (int, bool) {
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

// densify fills empty bins from the next non-empty bin to the right
// (circularly), offset by the distance, as rotation densification does
// (Shrivastava and Li, 2014).
func densify(bins *[nearBins]uint32) {
	const empty, all = ^uint32(0), 1<<nearBins - 1
	var filled uint64
	for i, v := range bins {
		if v != empty {
			filled |= 1 << i
		}
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

// NearDedupe returns a source that passes on src's posts except those
// whose text is a near-duplicate (see [NearDuplicates]) of one of the
// last n posts it passed on (n <= 0 means 10,000). Posts without text and
// events other than new posts pass through unchecked. The index is shared
// by every run of the returned source. The source implements
// [StatsReporter]: Duplicates counts the posts dropped, Delivered those
// passed on (Lag stays 0).
func NearDedupe(src Source, n int) Source {
	if src == nil {
		panic("listen: NearDedupe with nil source")
	}
	return &nearDedupe{src: src, index: NewNearDuplicates(n)}
}

type nearDedupe struct {
	src   Source
	mu    sync.Mutex
	index *NearDuplicates
	Counters
}

func (s *nearDedupe) Posts(ctx context.Context) iter.Seq2[Post, error] {
	return func(yield func(Post, error) bool) {
		for p, err := range s.src.Posts(ctx) {
			if err != nil {
				yield(Post{}, err)
				return
			}
			if p.Kind == KindPost && p.Text != "" {
				s.mu.Lock()
				dup := s.index.Add(p.Text)
				s.mu.Unlock()
				if dup {
					s.Duplicate()
					continue
				}
			}
			s.Deliver(time.Time{}, time.Time{}) // no lag: this is not a platform
			if !yield(p, nil) {
				return
			}
		}
	}
}
