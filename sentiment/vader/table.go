package vader

import "encoding/binary"

// table is an open-addressing hash table from lower-case tokens to
// entries, looked up with a byte slice without allocating. Keys of up to
// 16 bytes (nearly all of a lexicon) are stored in the slot itself, so a
// lookup usually touches one cache line. It is faster than a
// map[string]entry here and cheap to copy when a Scorer adds terms to a
// shared table.
type table struct {
	slots []slot // power-of-two length, at most half full
	keys  []string
}

type slot struct {
	k0, k1 uint64 // the key's first 16 bytes, zero-padded
	e      entry
	idx    uint32 // index into keys
	n      uint8  // key length, 255 for 255 or more; 0 marks an empty slot
}

const (
	hashMul1 = 0x9E3779B97F4A7C15
	hashMul2 = 0xC2B2AE3D27D4EB4F
)

func mix(h uint64) uint64 {
	h ^= h >> 32
	h *= hashMul2
	h ^= h >> 29
	return h
}

// pack returns the first 16 bytes of key as two little-endian words.
func pack(key []byte) (k0, k1 uint64) {
	if len(key) >= 16 {
		return binary.LittleEndian.Uint64(key), binary.LittleEndian.Uint64(key[8:])
	}
	var a [16]byte
	copy(a[:], key)
	return binary.LittleEndian.Uint64(a[:]), binary.LittleEndian.Uint64(a[8:])
}

func keyHash(key []byte, k0, k1 uint64) uint64 {
	h := k0*hashMul1 ^ (k1+uint64(len(key)))*hashMul2
	for b := key; len(b) > 16; {
		b = b[16:]
		x0, x1 := pack(b)
		h = (h^x0)*hashMul1 ^ x1*hashMul2
	}
	return mix(h)
}

func keyLen(n int) uint8 {
	if n >= 255 {
		return 255
	}
	return uint8(n)
}

func newTable(n int) *table {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return &table{slots: make([]slot, size), keys: make([]string, 0, n)}
}

// find returns the slot of key, or nil.
func (t *table) find(key []byte) *slot {
	if len(key) == 0 {
		return nil
	}
	k0, k1 := pack(key)
	n := keyLen(len(key))
	mask := uint64(len(t.slots) - 1)
	for i := keyHash(key, k0, k1) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.n == 0 {
			return nil
		}
		if s.k0 == k0 && s.k1 == k1 && s.n == n && (n <= 16 || t.keys[s.idx] == string(key)) {
			return s
		}
	}
}

// get returns the entry of key (the zero entry if absent).
func (t *table) get(key []byte) entry {
	if s := t.find(key); s != nil {
		return s.e
	}
	return entry{}
}

// ptr returns a pointer to key's entry, inserting a zero entry if absent.
// key must not be empty.
func (t *table) ptr(key string) *entry {
	if s := t.find([]byte(key)); s != nil {
		return &s.e
	}
	if 2*(len(t.keys)+1) > len(t.slots) {
		t.grow()
	}
	t.keys = append(t.keys, key)
	return &t.place(slot{idx: uint32(len(t.keys) - 1)}).e
}

// place puts s, keyed by keys[s.idx], into a free slot.
func (t *table) place(s slot) *slot {
	key := []byte(t.keys[s.idx])
	s.k0, s.k1 = pack(key)
	s.n = keyLen(len(key))
	mask := uint64(len(t.slots) - 1)
	for i := keyHash(key, s.k0, s.k1) & mask; ; i = (i + 1) & mask {
		if t.slots[i].n == 0 {
			t.slots[i] = s
			return &t.slots[i]
		}
	}
}

func (t *table) grow() {
	old := t.slots
	t.slots = make([]slot, 2*len(old))
	for _, s := range old {
		if s.n != 0 {
			t.place(s)
		}
	}
}

// clone returns a copy that can be changed without affecting t.
func (t *table) clone() *table {
	return &table{
		slots: append([]slot(nil), t.slots...),
		keys:  append(make([]string, 0, len(t.keys)+64), t.keys...),
	}
}

func (t *table) len() int { return len(t.keys) }

// all yields the keys and entries in insertion order.
func (t *table) all(yield func(string, entry) bool) {
	for _, k := range t.keys {
		if !yield(k, t.get([]byte(k))) {
			return
		}
	}
}
