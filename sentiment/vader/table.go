package vader

import "encoding/binary"

// table is an open-addressing hash table from lower-case tokens to
// entries, looked up with a byte slice without allocating. Keys of up to
// 16 bytes (nearly all of a lexicon) are stored in the slot itself, so a
// lookup usually touches one cache line. It is faster than a
// map[string]entry here and cheap to copy when a Scorer adds terms to a
// shared table.
type table struct {
	slots  []slot // power-of-two length, at most half full
	keys   []string
	vals   []float64          // distinct valences, indexed by slot.vi
	valIdx map[float64]uint32 // valence -> index in vals
	long   map[string]entry   // keys longer than 16 bytes
	// filter has one bit per hash value (mod its size) of every short key:
	// most tokens that are not in the table are rejected here, in a few
	// kilobytes that stay in cache, without touching the slots.
	filter []uint64
}

type slot struct {
	k0, k1 uint64 // the key's first 16 bytes, zero-padded
	vi     uint32 // valence index into table.vals
	n      uint8  // key length; 0 marks an empty slot
	flags  uint8
	id     uint8
}

// filterBits is the size of the filter in bits.
const filterBits = 1 << 16

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

func newTable(n int) *table {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return &table{slots: make([]slot, size), keys: make([]string, 0, n),
		valIdx: make(map[float64]uint32), filter: make([]uint64, filterBits/64)}
}

func (t *table) lookup(k0, k1 uint64, n int) entry {
	h := mix(k0*hashMul1 ^ (k1+uint64(n))*hashMul2)
	if f := h >> 48; t.filter[f>>6]&(1<<(f&63)) == 0 {
		return entry{}
	}
	return t.probe(h, k0, k1, n)
}

// probe finds the key (k0, k1, n) of hash h in the slots.
func (t *table) probe(h, k0, k1 uint64, n int) entry {
	nn := uint8(n)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.n == 0 {
			return entry{}
		}
		if s.k0 == k0 && s.k1 == k1 && s.n == nn {
			return entry{val: t.vals[s.vi], flags: s.flags, id: s.id}
		}
	}
}

// get returns the entry of key (the zero entry if absent).
func (t *table) get(key []byte) entry {
	n := len(key)
	if n == 0 {
		return entry{}
	}
	if n > 16 {
		return t.long[string(key)]
	}
	k0, k1 := pack(key)
	return t.lookup(k0, k1, n)
}

func (t *table) slotOf(key []byte) *slot {
	k0, k1 := pack(key)
	n := len(key)
	nn := uint8(n)
	mask := uint64(len(t.slots) - 1)
	for i := mix(k0*hashMul1^(k1+uint64(n))*hashMul2) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.n == 0 || s.k0 == k0 && s.k1 == k1 && s.n == nn {
			return s
		}
	}
}

// set stores e under key, which must not be empty.
func (t *table) set(key string, e entry) {
	if len(key) > 16 {
		if _, ok := t.long[key]; !ok {
			t.keys = append(t.keys, key)
		}
		if t.long == nil {
			t.long = make(map[string]entry)
		}
		t.long[key] = e
		return
	}
	s := t.slotOf([]byte(key))
	if s.n == 0 {
		if 2*(len(t.keys)+1) > len(t.slots) {
			t.grow()
			s = t.slotOf([]byte(key))
		}
		t.keys = append(t.keys, key)
		k0, k1 := pack([]byte(key))
		s.k0, s.k1, s.n = k0, k1, uint8(len(key))
		h := mix(k0*hashMul1 ^ (k1+uint64(len(key)))*hashMul2)
		f := h >> 48
		t.filter[f>>6] |= 1 << (f & 63)
	}
	vi, ok := t.valIdx[e.val]
	if !ok {
		vi = uint32(len(t.vals))
		t.vals = append(t.vals, e.val)
		t.valIdx[e.val] = vi
	}
	s.vi, s.flags, s.id = vi, e.flags, e.id
}

// update applies f to key's entry (the zero entry if absent) and stores
// the result.
func (t *table) update(key string, f func(*entry)) {
	e := t.get([]byte(key))
	f(&e)
	t.set(key, e)
}

func (t *table) grow() {
	old := t.slots
	t.slots = make([]slot, 2*len(old))
	for _, s := range old {
		if s.n == 0 {
			continue
		}
		mask := uint64(len(t.slots) - 1)
		for i := mix(s.k0*hashMul1^(s.k1+uint64(s.n))*hashMul2) & mask; ; i = (i + 1) & mask {
			if t.slots[i].n == 0 {
				t.slots[i] = s
				break
			}
		}
	}
}

// clone returns a copy that can be changed without affecting t.
func (t *table) clone() *table {
	c := &table{
		slots:  append([]slot(nil), t.slots...),
		keys:   append(make([]string, 0, len(t.keys)+64), t.keys...),
		vals:   append([]float64(nil), t.vals...),
		valIdx: make(map[float64]uint32, len(t.valIdx)),
		filter: append([]uint64(nil), t.filter...),
	}
	for k, v := range t.valIdx {
		c.valIdx[k] = v
	}
	if t.long != nil {
		c.long = make(map[string]entry, len(t.long))
		for k, v := range t.long {
			c.long[k] = v
		}
	}
	return c
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
