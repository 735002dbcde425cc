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

// addAuthor adds e to the sorted bottom-k list a and returns it. An author
// already present keeps the larger follower count, so adding is
// idempotent and the result does not depend on the order of additions.
func addAuthor(a []uint64, e uint64) []uint64 {
	h := entryHash(e)
	if len(a) == authorK && h > entryHash(a[authorK-1]) {
		return a // not among the k smallest: the common case once full
	}
	i, _ := slices.BinarySearchFunc(a, h, func(x uint64, h uint32) int {
		switch xh := entryHash(x); {
		case xh < h:
			return -1
		case xh > h:
			return 1
		}
		return 0
	})
	if i < len(a) && entryHash(a[i]) == h {
		if e > a[i] {
			a[i] = e
		}
		return a
	}
	if len(a) == authorK {
		copy(a[i+1:], a[i:authorK-1])
		a[i] = e
		return a
	}
	return slices.Insert(a, i, e)
}

// mergeAuthors returns the bottom-k of the union of the sorted lists a and
// b, reusing a's storage when it can.
func mergeAuthors(a, b []uint64) []uint64 {
	if len(b) == 0 {
		return a
	}
	out := make([]uint64, 0, min(len(a)+len(b), authorK))
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
	if cap(a) >= len(out) {
		return append(a[:0], out...)
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
