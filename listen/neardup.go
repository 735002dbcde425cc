package listen

import (
	"context"
	"iter"
	"math"
	"math/bits"
	"slices"
	"sync"
	"time"
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
// pairs a brute-force comparison finds, and no other, at about 0.8 us of
// CPU per tweet (see BENCHMARKS.md).
//
// # Memory
//
// About 130 bytes per remembered text, 4 to 6 bytes per shingle of the
// remembered texts (their hashes share one buffer, which grows by half
// when they outgrow it), and 8 tables of 4n buckets of 5 bytes: under 10
// MiB for the default 10,000 tweets.
//
// A NearDuplicates is not safe for concurrent use.
type NearDuplicates struct {
	n     int
	count uint64              // texts kept so far; text c (from 1) is in slot (c-1) % n
	last  int                 // the slot of the newest text, (count-1) % n
	epoch uint8               // counts (mod 256) runs of quarter texts: see tag
	fill  int                 // texts kept in this epoch
	ring  hashRing            // per slot: its shingle hashes, repeats included
	sig   [][nearBins]uint8   // per slot: the low byte of each minhash bin
	keys  [][nearBands]uint32 // per slot: its band keys
	links [][nearBands]uint32 // per slot and band: the text before it in its bucket
	heads []uint32            // per band, buckets by band key: the newest text there (its count, truncated; 0 for none)
	tags  []uint8             // per band and bucket: that text's tag (see tag)
	mask  uint32              // buckets per band - 1

	// The text being looked at.
	cur   []uint32 // its shingle hashes, repeats included
	set   []uint32 // its distinct shingle hashes, once dedupe has run
	sig1  [nearBins]uint8
	keys1 [nearBands]uint32
	next1 [nearBands]uint32 // per band: the remembered text each found first with its key (its count, truncated; 0 for none)
	cands []int32

	norm []byte // its normalised text, if ASCII

	a, b     scratch // the shingles of the text looked at, and of a candidate
	distinct bool    // set and a hold cur's distinct hashes
}

// A bucket holds the newest text whose band key landed there; a text
// with another key takes the bucket over. The key of a bucket is its
// text's. Its tag, in a table small enough to stay in the processor's
// cache, holds 5 bits of the key and 3 of the text's epoch, so that a
// look-up for a key no remembered text has (nearly every look-up) reads
// nothing else, even when a forgotten text had the key.

// NewNearDuplicates returns an index that remembers the last n texts it
// keeps; n <= 0 means 10,000 (and n is at most 2^28).
func NewNearDuplicates(n int) *NearDuplicates {
	if n <= 0 {
		n = 10_000
	}
	n = min(n, 1<<28)
	buckets := 1 << bits.Len(uint(4*n-1))
	return &NearDuplicates{
		n: n, last: -1, ring: newHashRing(n), sig: make([][nearBins]uint8, n),
		keys: make([][nearBands]uint32, n), links: make([][nearBands]uint32, n),
		heads: make([]uint32, nearBands*buckets), tags: make([]uint8, nearBands*buckets), mask: uint32(buckets - 1),
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

// tag returns the tag of a text of the current epoch with band key key:
// the key's top 5 bits and the epoch's low 3. An epoch is a run of
// ceil(n/4) texts kept, so the last n texts lie in the current epoch and
// the four before it, and a text from an epoch before those is
// forgotten.
func (d *NearDuplicates) tag(key uint32) uint8 {
	return uint8(key>>24)&^7 | d.epoch&7
}

// tagged reports whether a bucket's tag t may be that of a remembered
// text with band key key.
func (d *NearDuplicates) tagged(t uint8, key uint32) bool {
	return (t^uint8(key>>24))&^7 == 0 && (d.epoch-t)&7 <= 4
}

// oldest returns the slot of the oldest remembered text (or an empty
// one): the slot the next text kept takes.
func (d *NearDuplicates) oldest() int {
	if d.last+1 == d.n {
		return 0
	}
	return d.last + 1
}

// slot returns the slot of the text whose count ends in the 32 bits ref,
// or -1 if it is forgotten (or ref is 0).
func (d *NearDuplicates) slot(ref uint32) int32 {
	age := uint64(uint32(d.count) - ref) // how many texts were kept after it
	if ref == 0 || age >= uint64(d.n) || age >= d.count {
		return -1
	}
	s := d.last - int(age)
	if s < 0 {
		s += d.n
	}
	return int32(s)
}

// each calls f with the slot of every remembered near-duplicate of the
// text last passed to signature, until f returns false; it reports
// whether there was one. If f never returns false, it leaves in d.next1
// what keep needs.
func (d *NearDuplicates) each(f func(slot int32) bool) bool {
	d.cands = d.cands[:0]
	d.next1 = [nearBands]uint32{}
	shift := bits.Len32(d.mask)
	// Every bucket's tag and head first, sixteen loads under way at once
	// (the tables are larger than the processor's nearest caches): nearly
	// every look-up ends at the tag, and keep then writes to lines that
	// are already in the cache.
	var tags [nearBands]uint8
	var heads [nearBands]uint32
	for b, key := range d.keys1 {
		i := b<<shift | int(key&d.mask)
		tags[b], heads[b] = d.tags[i], d.heads[i]
	}
	found := false
	for b, key := range d.keys1 {
		if !d.tagged(tags[b], key) {
			continue
		}
		head := heads[b]
		for s := d.slot(head); s >= 0; s = d.slot(d.links[s][b]) {
			if d.keys[s][b] != key {
				break // the bucket was taken over after this text
			}
			d.next1[b] = head // the first text here is the bucket's
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

// keep remembers the text last passed to signature, after each has
// looked at all of its candidates.
func (d *NearDuplicates) keep() {
	d.count++
	if d.last++; d.last >= d.n {
		d.last = 0
	}
	if uint32(d.count) == 0 {
		d.count++ // 0 means no text: the slot of count 0 stays empty
		d.ring.drop(d.last)
		if d.last++; d.last >= d.n {
			d.last = 0
		}
	}
	if d.fill++; d.fill >= (d.n+3)/4 {
		d.fill = 0
		d.epoch++
	}
	s := int32(d.last)
	d.ring.commit(s, len(d.cur))
	d.sig[s] = d.sig1
	d.keys[s] = d.keys1
	// The text each found first in a bucket comes before this one there,
	// unless it is the one this text replaces (slot then forgets it). So
	// keep reads no bucket again.
	for b, key := range d.keys1 {
		i := b<<bits.Len32(d.mask) | int(key&d.mask)
		next := d.next1[b]
		if d.slot(next) < 0 {
			next = 0
		}
		d.links[s][b] = next
		d.tags[i] = d.tag(key)
		d.heads[i] = uint32(d.count)
	}
}

// plausible reports whether the minhash bins of the text last passed to
// signature and the low bytes sig of another's agree in at least half the
// bins: a cheap test that rejects most candidates before the exact one.
// Each bin agrees with probability J (plus 1/256 for the bytes), so a
// pair with J >= 0.8 fails it with probability below 1e-6.
func (d *NearDuplicates) plausible(sig *[nearBins]uint8) bool {
	const lows = 0x7f7f7f7f7f7f7f7f
	differ := 0
	for i := 0; i < nearBins; i += 8 {
		x := load64b(sig[i:]) ^ load64b(d.sig1[i:])
		differ += bits.OnesCount64(((x & lows) + lows | x) &^ lows) // the high bit of each byte that differs
	}
	return 2*differ <= nearBins
}

// similar reports whether the text last passed to signature and the
// remembered shingle hashes other (repeats included) have a Jaccard
// similarity of at least NearThreshold.
func (d *NearDuplicates) similar(other []uint32) bool {
	d.dedupe()
	// J >= t exactly when |A∩B| >= t/(1+t) * (|A|+|B|). |B| is at most
	// len(other), so J >= t needs |A| <= len(other)/t.
	const f = NearThreshold / (1 + NearThreshold)
	na := len(d.set)
	if float64(na)*NearThreshold > float64(len(other)) {
		return false
	}
	d.b.reset(len(other))
	nb, common := 0, 0
	for i, h := range other {
		if d.b.put(h) {
			nb++
			if d.a.has(h) {
				common++
			} else if rest := len(other) - i - 1; float64(common)+(1-f)*float64(rest) < f*float64(na+nb)-1e-9 {
				return false // even if every hash left were new and common
			}
		}
	}
	return float64(common) >= math.Ceil(f*float64(na+nb)-1e-9)
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
