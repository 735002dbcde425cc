// Package seen is the bounded memory of what a source has already
// delivered: the last n keys (with a value each, if wanted), forgetting
// the oldest first. Every adapter's dedupe and cursor sets are built on
// it.
package seen

import (
	"hash/maphash"
	"sync"
)

// Map holds the last n keys added, each with a value, first in first out.
// It is not safe for concurrent use; build it with [NewMap].
type Map[K comparable, V any] struct {
	m    map[K]V
	ring []K
	next int
	full bool
}

// NewMap returns a map that remembers the last n keys (at least one).
func NewMap[K comparable, V any](n int) *Map[K, V] {
	n = max(n, 1)
	return &Map[K, V]{m: make(map[K]V, min(n, 1<<16)), ring: make([]K, n)}
}

// Get returns k's value and whether k is in the map.
func (s *Map[K, V]) Get(k K) (V, bool) {
	v, ok := s.m[k]
	return v, ok
}

// Has reports whether k is in the map.
func (s *Map[K, V]) Has(k K) bool {
	_, ok := s.m[k]
	return ok
}

// Put records k with value v, forgetting the oldest key if the map is
// full, and reports whether k was new. A key already there keeps its
// place and takes the new value.
func (s *Map[K, V]) Put(k K, v V) bool {
	if _, ok := s.m[k]; ok {
		s.m[k] = v
		return false
	}
	if s.full {
		delete(s.m, s.ring[s.next])
	}
	s.ring[s.next] = k
	s.m[k] = v
	if s.next++; s.next == len(s.ring) {
		s.next, s.full = 0, true
	}
	return true
}

// Len returns how many keys the map holds.
func (s *Map[K, V]) Len() int { return len(s.m) }

// Cap returns how many keys the map remembers at most.
func (s *Map[K, V]) Cap() int { return len(s.ring) }

// Last returns the newest k keys (fewer if the map holds fewer), oldest
// first.
func (s *Map[K, V]) Last(k int) []K {
	k = min(k, s.Len())
	out := make([]K, 0, k)
	for i := s.next - k; i < s.next; i++ {
		out = append(out, s.ring[(i+len(s.ring))%len(s.ring)])
	}
	return out
}

// Newest calls f for each key, newest first, until f returns false.
func (s *Map[K, V]) Newest(f func(K, V) bool) {
	n := len(s.ring)
	for i := 0; i < s.Len(); i++ {
		k := s.ring[(s.next-1-i+n)%n]
		if !f(k, s.m[k]) {
			return
		}
	}
}

// Set holds the last n keys added. It is not safe for concurrent use;
// build it with [New].
type Set[K comparable] struct{ m *Map[K, struct{}] }

// New returns a set that remembers the last n keys (at least one).
func New[K comparable](n int) *Set[K] { return &Set[K]{NewMap[K, struct{}](n)} }

// Has reports whether k is in the set.
func (s *Set[K]) Has(k K) bool { return s.m.Has(k) }

// Add records k, forgetting the oldest key if the set is full, and reports
// whether k was new.
func (s *Set[K]) Add(k K) bool { return s.m.Put(k, struct{}{}) }

// Len returns how many keys the set holds.
func (s *Set[K]) Len() int { return s.m.Len() }

// Last returns the newest k keys (fewer if the set holds fewer), oldest
// first.
func (s *Set[K]) Last(k int) []K { return s.m.Last(k) }

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
