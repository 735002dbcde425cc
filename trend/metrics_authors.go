package trend

import (
	"math"
	"slices"

	"github.com/earshot-dev/earshot/trend/internal/sketch"
)

// authorK is the number of distinct authors a bucket of [Metrics] holds
// exactly; beyond it the bucket keeps the authors with the authorK
// smallest hashes, a uniform sample (a bottom-k or KMV sketch).
const authorK = 128

// An author entry packs the top 32 bits of the author's hash above their
// follower count, so that sorting entries sorts authors by hash.
func authorEntry(author string, followers int) uint64 {
	f := uint64(0)
	switch {
	case followers > math.MaxUint32:
		f = math.MaxUint32
	case followers > 0:
		f = uint64(followers)
	}
	return sketch.Hash(author)&^(1<<32-1) | f
}

func entryHash(e uint64) uint32      { return uint32(e >> 32) }
func entryFollowers(e uint64) uint64 { return e & (1<<32 - 1) }

// A series keeps the authors of all its cells in one arena, so that a
// bucket costs no slice header and no allocation of its own: a cell's
// authors are one run, arena[off:off+na]. A cell that gains an author
// grows in place when its run ends the arena (as the newest bucket's
// does) and moves to the end otherwise; runs left behind, and those of
// buckets that age out, are dead entries, reclaimed when the arena is
// full by copying the live runs to a new one with an eighth to spare.

// authors returns the authors of c, a cell of s.
func (s *series) authors(c *cell) []uint64 {
	return s.arena[c.off : c.off+uint32(c.na) : c.off+uint32(c.na)]
}

// clearCell empties c, a cell of s.
func (s *series) clearCell(c *cell) {
	s.dead += int(c.na)
	*c = cell{}
}

// addAuthor adds e to the sorted bottom-k list of c, a cell of s. An
// author already present keeps the larger follower count, so adding is
// idempotent and the result does not depend on the order of additions.
func (s *series) addAuthor(c *cell, e uint64) {
	a := s.authors(c)
	h := entryHash(e)
	if len(a) == authorK && h > entryHash(a[authorK-1]) {
		return // not among the k smallest: the common case once full
	}
	i, found := slices.BinarySearchFunc(a, h, func(x uint64, h uint32) int {
		switch xh := entryHash(x); {
		case xh < h:
			return -1
		case xh > h:
			return 1
		}
		return 0
	})
	if found {
		a[i] = max(a[i], e)
		return
	}
	if len(a) < authorK {
		a = s.room(c, len(a)+1)
	}
	copy(a[i+1:], a[i:])
	a[i] = e
}

// setAuthors replaces the authors of c, a cell of s, with the sorted list
// a (at most authorK entries, not in the arena).
func (s *series) setAuthors(c *cell, a []uint64) {
	copy(s.room(c, len(a)), a)
}

// room resizes the run of c, a cell of s, to n entries (its entries kept,
// the new ones undefined) and returns it.
func (s *series) room(c *cell, n int) []uint64 {
	na := int(c.na)
	end := int(c.off) + na
	switch {
	case n <= na:
		s.dead += na - n
	case end == len(s.arena) && len(s.arena)+n-na <= cap(s.arena):
		s.arena = s.arena[:len(s.arena)+n-na] // the last run grows in place
	case len(s.arena)+n <= cap(s.arena):
		off := len(s.arena) // moves to the end
		s.arena = append(s.arena, s.arena[c.off:end]...)[:off+n]
		s.dead += na
		c.off = uint32(off)
	default:
		s.compact(c, n)
	}
	c.na = uint8(n)
	return s.arena[c.off : int(c.off)+n]
}

// compact copies the live runs of s to a new arena, c's last with room
// for n entries, and an eighth to spare.
func (s *series) compact(c *cell, n int) {
	live := len(s.arena) - s.dead - int(c.na) + n
	arena := make([]uint64, 0, live+live/8+8)
	for i := range s.cells {
		if o := &s.cells[i]; o != c && o.na > 0 {
			off := len(arena)
			arena = append(arena, s.authors(o)...)
			o.off = uint32(off)
		}
	}
	off := len(arena)
	arena = append(arena, s.authors(c)...)[:off+n]
	c.off = uint32(off)
	s.arena, s.dead = arena, 0
}

// mergeAuthors returns the bottom-k of the union of the sorted lists a and
// b, in buf.
func mergeAuthors(buf *[authorK]uint64, a, b []uint64) []uint64 {
	out := buf[:0]
	i, j := 0, 0
	for len(out) < authorK && (i < len(a) || j < len(b)) {
		switch {
		case j == len(b) || i < len(a) && entryHash(a[i]) < entryHash(b[j]):
			out = append(out, a[i])
			i++
		case i == len(a) || entryHash(b[j]) < entryHash(a[i]):
			out = append(out, b[j])
			j++
		default: // the same author in both: keep the larger follower count
			out = append(out, max(a[i], b[j]))
			i++
			j++
		}
	}
	return out
}

// authorSample is the union of the author lists of several buckets,
// thinned to the authors whose hash is below the smallest threshold of a
// full list: a uniform sample of the distinct authors, each kept with
// probability tau/2^32 (1 when no list was full).
type authorSample struct {
	entries []uint64
	tau     uint64 // exclusive hash bound, 1<<32 when nothing was cut
}

func (s *authorSample) add(a []uint64) {
	if s.tau == 0 {
		s.tau = 1 << 32
	}
	if len(a) == authorK {
		// The k-th smallest hash bounds the sample of this list: the
		// k-1 below it are a uniform sample of its authors.
		if t := uint64(entryHash(a[authorK-1])); t < s.tau {
			s.tau = t
		}
	}
	s.entries = append(s.entries, a...)
}

// estimate returns the distinct authors and the sum of their followers,
// exact when no list was full, and whether they are estimates.
func (s *authorSample) estimate() (authors, reach int64, estimated bool) {
	if s.tau == 0 {
		return 0, 0, false
	}
	slices.Sort(s.entries)
	var n, sum uint64
	for i, e := range s.entries {
		if uint64(entryHash(e)) >= s.tau {
			break
		}
		if i+1 < len(s.entries) && entryHash(s.entries[i+1]) == entryHash(e) {
			continue // the same author again; the last has the most followers
		}
		n++
		sum += entryFollowers(e)
	}
	if s.tau == 1<<32 {
		return int64(n), int64(sum), false
	}
	// Each author is in the sample with probability tau/2^32.
	scale := float64(uint64(1)<<32) / float64(s.tau)
	return int64(math.Round(float64(n) * scale)), int64(math.Round(float64(sum) * scale)), true
}
