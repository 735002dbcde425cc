package natsjs

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// seenSet remembers the last n keys a Source yielded, as 64-bit hashes
// (16 bytes a key, whatever its length), forgetting the oldest first. Two
// different keys collide with a probability of about n/2^64 per key. It is
// safe for concurrent use.
type seenSet struct {
	seed maphash.Seed
	mu   sync.Mutex
	m    map[uint64]struct{}
	ring []uint64
	next int
	full bool
}

func newSeenSet(n int) *seenSet {
	n = max(n, 1)
	return &seenSet{seed: maphash.MakeSeed(), m: make(map[uint64]struct{}, min(n, 1<<16)), ring: make([]uint64, n)}
}

// hash returns the hash under which key is remembered.
func (s *seenSet) hash(key string) uint64 { return maphash.String(s.seed, key) }

// has reports whether the key of hash h is remembered.
func (s *seenSet) has(h uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[h]
	return ok
}

// add remembers the key of hash h and reports whether it was new.
func (s *seenSet) add(h uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[h]; ok {
		return false
	}
	if s.full {
		delete(s.m, s.ring[s.next])
	}
	s.ring[s.next] = h
	s.m[h] = struct{}{}
	if s.next++; s.next == len(s.ring) {
		s.next, s.full = 0, true
	}
	return true
}

// sleep waits for d or until ctx is done, and returns ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
