package bluesky

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// streamState is what a Jetstream run knows about its position: the
// newest time_us and sequence cursor handled, and a bounded set of recent
// commit keys to drop replays. It is not safe for concurrent use; only
// the iterator touches it.
type streamState struct {
	maxTimeUS int64 // newest time_us handled
	maxSeq    int64 // newest v2 sequence cursor handled, 0 if the server sends none
	noSeq     bool  // the sequence cursor proved wrong (another instance): resume by time

	// floors of the current connection: events below them were handled
	// before the cursor this connection was opened with (replayed block).
	floorTimeUS int64
	floorSeq    int64

	seen map[uint64]int64 // key hash -> time_us
	ring []uint64         // FIFO of keys in seen, for eviction
	next int
	full bool
}

func newStreamState(n int) *streamState {
	return &streamState{seen: make(map[uint64]int64, min(n, 1<<16)), ring: make([]uint64, n)}
}

// keyHash is FNV-1a over (did, collection, rkey, rev): stable across
// processes, so saved keys match after a restart.
func keyHash(ev *event) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i, s := range [...]string{ev.DID, ev.Commit.Collection, ev.Commit.RKey, ev.Commit.Rev} {
		if i > 0 {
			h ^= 0xff // separator: ("ab","c") != ("a","bc")
			h *= prime
		}
		for j := 0; j < len(s); j++ {
			h ^= uint64(s[j])
			h *= prime
		}
	}
	return h
}

// add records key; it reports false if key was already there.
func (s *streamState) add(key uint64, timeUS int64) bool {
	if _, ok := s.seen[key]; ok {
		return false
	}
	if s.full {
		delete(s.seen, s.ring[s.next])
	}
	s.ring[s.next] = key
	s.seen[key] = timeUS
	s.next++
	if s.next == len(s.ring) {
		s.next, s.full = 0, true
	}
	return true
}

func (s *streamState) has(key uint64) bool { _, ok := s.seen[key]; return ok }

// handled advances the cursor past ev.
func (s *streamState) handled(ev *event) {
	if ev.TimeUS > s.maxTimeUS {
		s.maxTimeUS = ev.TimeUS
	}
	if ev.Seq != nil && *ev.Seq > s.maxSeq {
		s.maxSeq = *ev.Seq
	}
}

// replayed reports whether ev lies below the cursor the connection was
// opened with: a storage-block replay of something already handled.
func (s *streamState) replayed(ev *event) bool {
	if s.floorSeq > 0 && ev.Seq != nil {
		return *ev.Seq < s.floorSeq
	}
	return s.floorTimeUS > 0 && ev.TimeUS < s.floorTimeUS
}

// resume returns the cursor for the next connection ("" for live tail) and
// sets the floors to match. A sequence cursor replays exactly from the
// last event handled (inclusive; that one is dropped as a duplicate); a
// time cursor rewinds by rewindUS to cover out-of-order events.
func (s *streamState) resume(rewindUS int64) string {
	s.floorSeq, s.floorTimeUS = 0, 0
	switch {
	case s.maxSeq > 0 && !s.noSeq:
		s.floorSeq = s.maxSeq
		return fmt.Sprint(s.maxSeq)
	case s.maxTimeUS > 0:
		c := s.maxTimeUS - rewindUS
		if c < 1 {
			c = 1
		}
		s.floorTimeUS = c
		return fmt.Sprint(c)
	}
	return ""
}

// savedState is the persisted cursor: JSON with the time and sequence
// cursors and the hashes (base64, 8 bytes each, big endian) of the commits
// handled within the rewind window, so a restart drops their replay.
type savedState struct {
	TimeUS int64  `json:"time_us"`
	Seq    int64  `json:"seq,omitempty"`
	Keys   string `json:"keys,omitempty"`
}

// marshal encodes the state, keeping at most maxKeys of the newest keys
// whose time_us is within rewindUS of the newest event.
func (s *streamState) marshal(rewindUS int64, maxKeys int) string {
	st := savedState{TimeUS: s.maxTimeUS, Seq: s.maxSeq}
	var buf []byte
	floor := s.maxTimeUS - rewindUS
	n := len(s.ring)
	count := s.next
	if s.full {
		count = n
	}
	for i := 0; i < count && len(buf)/8 < maxKeys; i++ {
		k := s.ring[(s.next-1-i+n)%n]
		if s.seen[k] >= floor {
			buf = binary.BigEndian.AppendUint64(buf, k)
		}
	}
	if len(buf) > 0 {
		st.Keys = base64.RawStdEncoding.EncodeToString(buf)
	}
	b, _ := json.Marshal(st)
	return string(b)
}

var errBadCursor = errors.New("not a Jetstream cursor")

// restore loads a cursor written by marshal. A bare integer (a time_us
// cursor from elsewhere) is accepted too.
func (s *streamState) restore(c string) error {
	if c == "" {
		return nil
	}
	var st savedState
	if c[0] != '{' {
		if err := json.Unmarshal([]byte(c), &st.TimeUS); err != nil {
			return errBadCursor
		}
	} else if err := json.Unmarshal([]byte(c), &st); err != nil {
		return errBadCursor
	}
	if st.TimeUS < 0 || st.Seq < 0 {
		return errBadCursor
	}
	keys, err := base64.RawStdEncoding.DecodeString(st.Keys)
	if err != nil || len(keys)%8 != 0 {
		return errBadCursor
	}
	s.maxTimeUS, s.maxSeq = st.TimeUS, st.Seq
	// Oldest first, so the newest survive eviction.
	for i := len(keys) - 8; i >= 0; i -= 8 {
		s.add(binary.BigEndian.Uint64(keys[i:]), st.TimeUS)
	}
	return nil
}

// handles remembers the handles that identity events announced, so posts
// of those accounts carry one (Jetstream commits name only the DID). It
// is bounded: the oldest entries go first.
type handles struct {
	m     map[string]string
	order []string
	max   int
}

func newHandles(max int) *handles { return &handles{m: map[string]string{}, max: max} }

func (h *handles) set(did, handle string) {
	if did == "" {
		return
	}
	if _, ok := h.m[did]; !ok {
		h.order = append(h.order, did)
		if len(h.order) > h.max {
			delete(h.m, h.order[0])
			h.order = h.order[1:]
		}
	}
	h.m[did] = handle
}
