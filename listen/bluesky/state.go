package bluesky

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/earshot-dev/earshot/listen/internal/seen"
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

	seen *seen.Map[uint64, int64] // key hash -> time_us
}

func newStreamState(n int) *streamState {
	return &streamState{seen: seen.NewMap[uint64, int64](n)}
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
	if s.seen.Has(key) {
		return false
	}
	return s.seen.Put(key, timeUS)
}

func (s *streamState) has(key uint64) bool { return s.seen.Has(key) }

// handled advances the cursor past ev.
func (s *streamState) handled(ev *event) {
	seq := int64(0)
	if ev.Seq != nil {
		seq = *ev.Seq
	}
	s.handledAt(ev.TimeUS, seq)
}

// handledAt advances the cursor past an event at timeUS with sequence
// seq (0: none).
func (s *streamState) handledAt(timeUS, seq int64) {
	s.maxTimeUS = max(s.maxTimeUS, timeUS)
	s.maxSeq = max(s.maxSeq, seq)
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
	s.seen.Newest(func(k uint64, t int64) bool {
		if t >= floor {
			buf = binary.BigEndian.AppendUint64(buf, k)
		}
		return len(buf)/8 < maxKeys
	})
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
