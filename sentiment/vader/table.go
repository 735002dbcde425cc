package vader

import "encoding/binary"

// table is an open-addressing hash table from lower-case tokens to
// entries, looked up with a byte slice without allocating. Keys of up to
// 16 bytes (nearly all of a lexicon) are stored in the slot itself, so a
// lookup usually touches one cache line. It is faster than a
// map[string]entry here and cheap to copy when a Scorer adds terms to a
// shared table.
type table struct {
	// slots hold the keys of up to 15 bytes, each with its length in the
	// top byte, so a probe compares two words and four keys share a
	// cache line; meta holds their entries at the same index.
	slots  []slot // power-of-two length, at most half full
	meta   []meta
	keys   []string
	vals   []float64          // distinct valences, indexed by slot.vi
	valIdx map[float64]uint32 // valence -> index in vals
	long   map[string]entry   // keys of 16 bytes or more
	// filter has one bit per hash value (mod its size) of every short key:
	// most tokens that are not in the table are rejected here, in a few
	// kilobytes that stay in cache, without touching the slots.
	filter []uint64
}

type slot struct {
	k0, k1 uint64 // the key, zero-padded, with its length in k1's top byte; 0, 0 marks an empty slot
}

type meta struct {
	vi    uint32 // valence index into table.vals
	flags uint8
	id    uint8
}

// maxShort is the longest key kept in the slots.
const maxShort = 15

func slotKey(k0, k1 uint64, n int) slot { return slot{k0, k1 | uint64(n)<<56} }

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
	return &table{slots: make([]slot, size), meta: make([]meta, size), keys: make([]string, 0, n),
		valIdx: make(map[float64]uint32), filter: make([]uint64, filterBits/64)}
}

func (t *table) lookup(k0, k1 uint64, n int) entry {
	h := mix(k0*hashMul1 ^ (k1+uint64(n))*hashMul2)
	if f := h >> 48; t.filter[f>>6]&(1<<(f&63)) == 0 {
		return entry{}
	}
	return t.probe(h, k0, k1, n)
}

// probe finds the key (k0, k1, n) of hash h in the slots; n <= maxShort.
func (t *table) probe(h, k0, k1 uint64, n int) entry {
	k1 |= uint64(n) << 56
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.k0 == k0 && s.k1 == k1 {
			m := &t.meta[i]
			return entry{val: t.vals[m.vi], flags: m.flags, id: m.id}
		}
		if s.k1 == 0 {
			return entry{}
		}
	}
}

// get returns the entry of key (the zero entry if absent).
func (t *table) get(key []byte) entry {
	n := len(key)
	if n == 0 {
		return entry{}
	}
	if n > maxShort {
		return t.long[string(key)]
	}
	k0, k1 := pack(key)
	return t.lookup(k0, k1, n)
}

// slotOf returns the index of key's slot, or of the empty slot where it
// belongs.
func (t *table) slotOf(key []byte) int {
	k0, k1 := pack(key)
	n := len(key)
	want := slotKey(k0, k1, n)
	mask := uint64(len(t.slots) - 1)
	for i := mix(k0*hashMul1^(k1+uint64(n))*hashMul2) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s.k1 == 0 || s == want {
			return int(i)
		}
	}
}

// set stores e under key, which must not be empty.
func (t *table) set(key string, e entry) {
	if len(key) > maxShort {
		if _, ok := t.long[key]; !ok {
			t.keys = append(t.keys, key)
		}
		if t.long == nil {
			t.long = make(map[string]entry)
		}
		t.long[key] = e
		return
	}
	i := t.slotOf([]byte(key))
	if t.slots[i].k1 == 0 {
		if 2*(len(t.keys)+1) > len(t.slots) {
			t.grow()
			i = t.slotOf([]byte(key))
		}
		t.keys = append(t.keys, key)
		k0, k1 := pack([]byte(key))
		t.slots[i] = slotKey(k0, k1, len(key))
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
	t.meta[i] = meta{vi: vi, flags: e.flags, id: e.id}
}

// update applies f to key's entry (the zero entry if absent) and stores
// the result.
func (t *table) update(key string, f func(*entry)) {
	e := t.get([]byte(key))
	f(&e)
	t.set(key, e)
}

func (t *table) grow() {
	old, oldMeta := t.slots, t.meta
	t.slots = make([]slot, 2*len(old))
	t.meta = make([]meta, 2*len(old))
	mask := uint64(len(t.slots) - 1)
	for j, s := range old {
		if s.k1 == 0 {
			continue
		}
		n := s.k1 >> 56
		k1 := s.k1 &^ (0xff << 56)
		for i := mix(s.k0*hashMul1^(k1+n)*hashMul2) & mask; ; i = (i + 1) & mask {
			if t.slots[i].k1 == 0 {
				t.slots[i], t.meta[i] = s, oldMeta[j]
				break
			}
		}
	}
}

// clone returns a copy that can be changed without affecting t.
func (t *table) clone() *table {
	c := &table{
		slots:  append([]slot(nil), t.slots...),
		meta:   append([]meta(nil), t.meta...),
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
