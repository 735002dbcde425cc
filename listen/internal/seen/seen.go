// Package seen is the bounded memory of what a source has already
// delivered: a set of the last n keys, forgetting the oldest first.
package seen

import (
	"hash/maphash"
	"sync"
)

// Set holds the last n keys added, first in first out. It is not safe for
// concurrent use; build it with [New].
type Set[K comparable] struct {
	m    map[K]struct{}
	ring []K
	next int
	full bool
}

// New returns a set that remembers the last n keys (at least one).
func New[K comparable](n int) *Set[K] {
	n = max(n, 1)
	return &Set[K]{m: make(map[K]struct{}, min(n, 1<<16)), ring: make([]K, n)}
}

// Has reports whether k is in the set.
func (s *Set[K]) Has(k K) bool {
	_, ok := s.m[k]
	return ok
}

// Add records k, forgetting the oldest key if the set is full, and reports
// whether k was new.
func (s *Set[K]) Add(k K) bool {
	if _, ok := s.m[k]; ok {
		return false
	}
	if s.full {
		delete(s.m, s.ring[s.next])
	}
	s.ring[s.next] = k
	s.m[k] = struct{}{}
	if s.next++; s.next == len(s.ring) {
		s.next, s.full = 0, true
	}
	return true
}

// Len returns how many keys the set holds.
func (s *Set[K]) Len() int { return len(s.m) }

// Last returns the newest k keys (fewer if the set holds fewer), oldest
// first.
func (s *Set[K]) Last(k int) []K {
	k = min(k, s.Len())
	out := make([]K, 0, k)
	for i := s.next - k; i < s.next; i++ {
		out = append(out, s.ring[(i+len(s.ring))%len(s.ring)])
	}
	return out
}

// Hashed is a set of strings kept as 64-bit hashes (16 bytes a key, whatever
// the keys' length), safe for concurrent use. Two different keys collide
// with a probability of about n/2^64 per key.
type Hashed struct {
	seed maphash.Seed
	mu   sync.Mutex
	set  *Set[uint64]
}

// NewHashed returns a hashed set that remembers the last n keys.
func NewHashed(n int) *Hashed { return &Hashed{seed: maphash.MakeSeed(), set: New[uint64](n)} }

// Has reports whether key is in the set.
func (h *Hashed) Has(key string) bool {
	k := maphash.String(h.seed, key)
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.set.Has(k)
}

// Add records key and reports whether it was new.
func (h *Hashed) Add(key string) bool {
	k := maphash.String(h.seed, key)
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.set.Add(k)
}
