package wordtab

import "encoding/binary"

// MaxShort is the longest key kept in a Table's slots; longer keys live in
// a map.
const MaxShort = 15

// Table maps non-empty byte-string keys to entries of type E. Keys of up
// to MaxShort bytes (nearly all of a lexicon) sit with their entries in
// the slots of an open-addressing table, compared as two 64-bit words; a
// two-bit Bloom filter, small enough to stay in the L1 cache, rejects
// nearly all absent keys without touching the slots.
// A Table is not safe for concurrent writes; once built it may be read by
// any number of goroutines.
type Table[E any] struct {
	slots  []Slot[E] // power-of-two length, at most half full
	keys   []string
	long   map[string]E // keys longer than MaxShort
	filter []uint64
	maxLen int  // length of the longest key
	frozen bool // made by Frozen: never changed
}

// Slot holds a key with its entry, so that a hit reads one cache line.
// It is exported for tables generated as Go source (see [Frozen]).
type Slot[E any] struct {
	K0, K1 uint64 // the key, zero-padded, with its length in K1's top byte; K1 == 0 is empty
	E      E
}

// filterBits is the size of the filter in bits; each key sets two.
const (
	filterLog  = 17
	filterBits = 1 << filterLog
)

const (
	hashMul1 = 0x9E3779B97F4A7C15
	hashMul2 = 0xC2B2AE3D27D4EB4F
)

// Hash hashes the key held in k0, k1 (zero-padded) of length n: two
// products, whose high bits fold onto the low ones that pick the slot.
// One multiply and shift less than a full mix: on the default table's
// keys, 1.60 slots read per hit against 1.45, the same filter rate of
// false positives (1.1%), and 3% less time per tweet.
func Hash(k0, k1 uint64, n int) uint64 {
	h := k0*hashMul1 ^ (k1+uint64(n))*hashMul2
	return h ^ h>>32
}

// Pack returns the first 16 bytes of key, zero-padded, as two
// little-endian words.
func Pack(key []byte) (k0, k1 uint64) {
	if len(key) >= 16 {
		return binary.LittleEndian.Uint64(key), binary.LittleEndian.Uint64(key[8:])
	}
	var a [16]byte
	copy(a[:], key)
	return binary.LittleEndian.Uint64(a[:]), binary.LittleEndian.Uint64(a[8:])
}

// New returns an empty table sized for about n keys.
func New[E any](n int) *Table[E] {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return &Table[E]{slots: make([]Slot[E], size),
		keys: make([]string, 0, n), filter: make([]uint64, filterBits/64)}
}

// Frozen returns a table made of parts listed as Go source by a
// generator (from a table's Slots, Filter, Keys and Long): a table used
// from the first instruction of a process, without building it. slots
// and filter are used as they are, not copied: the table must never be
// changed (Clone it first).
func Frozen[E any](slots []Slot[E], filter *Filter, keys []string, long map[string]E) *Table[E] {
	t := &Table[E]{slots: slots, keys: keys, long: long, filter: filter[:], frozen: true}
	for _, k := range keys {
		t.maxLen = max(t.maxLen, len(k))
	}
	return t
}

// Slots returns the table's slots, to list as Go source for [Frozen].
func (t *Table[E]) Slots() []Slot[E] { return t.slots }

// Keys returns the keys in the order they were first set, to list as Go
// source for [Frozen].
func (t *Table[E]) Keys() []string { return t.keys }

// Long returns the entries of the keys longer than MaxShort, to list as
// Go source for [Frozen].
func (t *Table[E]) Long() map[string]E { return t.long }

// MayHave reports whether a key of hash h may be in the table's slots:
// false means it is not.
func (t *Table[E]) MayHave(h uint64) bool {
	f, g := h>>(64-filterLog), (h>>30)&(filterBits-1)
	return t.filter[f>>6]&(1<<(f&63)) != 0 && t.filter[g>>6]&(1<<(g&63)) != 0
}

// MayHaveBit is MayHave as 1 or 0, for callers that avoid a branch.
func (t *Table[E]) MayHaveBit(h uint64) uint64 {
	f, g := h>>(64-filterLog), (h>>30)&(filterBits-1)
	return t.filter[f>>6] >> (f & 63) & (t.filter[g>>6] >> (g & 63)) & 1
}

// Filter is a Table's filter as a fixed-size array: a loop that holds
// it in a local tests keys without reloading the table's fields or
// checking bounds.
type Filter [filterBits / 64]uint64

// Filter returns the table's filter, valid until the table changes.
func (t *Table[E]) Filter() *Filter { return (*Filter)(t.filter) }

// MayHaveBit is Table.MayHaveBit.
func (f *Filter) MayHaveBit(h uint64) uint64 {
	a, b := h>>(64-filterLog), (h>>30)&(filterBits-1)
	return f[a>>6] >> (a & 63) & (f[b>>6] >> (b & 63)) & 1
}

func (t *Table[E]) addFilter(h uint64) {
	f, g := h>>(64-filterLog), (h>>30)&(filterBits-1)
	t.filter[f>>6] |= 1 << (f & 63)
	t.filter[g>>6] |= 1 << (g & 63)
}

// Lookup returns the entry of the key held in k0, k1 (zero-padded) of
// length n, 1 <= n <= MaxShort.
func (t *Table[E]) Lookup(k0, k1 uint64, n int) (E, bool) {
	h := Hash(k0, k1, n)
	if !t.MayHave(h) {
		var zero E
		return zero, false
	}
	return t.Probe(h, k0, k1, n)
}

// Probe is Lookup for a key whose hash h is known.
func (t *Table[E]) Probe(h, k0, k1 uint64, n int) (E, bool) {
	k1 |= uint64(n) << 56
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.K0 == k0 && s.K1 == k1 {
			return s.E, true
		}
		if s.K1 == 0 {
			var zero E
			return zero, false
		}
	}
}

// Get returns the entry of key.
func (t *Table[E]) Get(key []byte) (E, bool) {
	n := len(key)
	if n == 0 {
		var zero E
		return zero, false
	}
	if n > MaxShort {
		e, ok := t.long[string(key)]
		return e, ok
	}
	k0, k1 := Pack(key)
	return t.Lookup(k0, k1, n)
}

// slotOf returns the index of key's slot, or of the empty slot where it
// belongs; len(key) <= MaxShort.
func (t *Table[E]) slotOf(key string) int {
	k0, k1 := Pack([]byte(key))
	n := len(key)
	k1 |= uint64(n) << 56
	mask := uint64(len(t.slots) - 1)
	for i := Hash(k0, k1&^(0xff<<56), n) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.K1 == 0 || s.K0 == k0 && s.K1 == k1 {
			return int(i)
		}
	}
}

// Set stores e under key; an empty key is ignored. It panics on a
// table made by [Frozen].
func (t *Table[E]) Set(key string, e E) {
	if t.frozen {
		panic("wordtab: Set on a frozen table")
	}
	if len(key) == 0 {
		return
	}
	t.maxLen = max(t.maxLen, len(key))
	if len(key) > MaxShort {
		if _, ok := t.long[key]; !ok {
			t.keys = append(t.keys, key)
		}
		if t.long == nil {
			t.long = make(map[string]E)
		}
		t.long[key] = e
		return
	}
	i := t.slotOf(key)
	if t.slots[i].K1 == 0 {
		if 2*(len(t.keys)+1) > len(t.slots) {
			t.grow()
			i = t.slotOf(key)
		}
		t.keys = append(t.keys, key)
		k0, k1 := Pack([]byte(key))
		t.slots[i].K0, t.slots[i].K1 = k0, k1|uint64(len(key))<<56
		t.addFilter(Hash(k0, k1, len(key)))
	}
	t.slots[i].E = e
}

// Update applies f to key's entry (the zero entry if absent) and stores
// the result.
func (t *Table[E]) Update(key string, f func(*E)) {
	e, _ := t.Get([]byte(key))
	f(&e)
	t.Set(key, e)
}

func (t *Table[E]) grow() {
	old := t.slots
	t.slots = make([]Slot[E], 2*len(old))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.K1 == 0 {
			continue
		}
		n := int(s.K1 >> 56)
		for i := Hash(s.K0, s.K1&^(0xff<<56), n) & mask; ; i = (i + 1) & mask {
			if t.slots[i].K1 == 0 {
				t.slots[i] = s
				break
			}
		}
	}
}

// Clone returns a copy that can be changed without affecting t.
func (t *Table[E]) Clone() *Table[E] {
	c := &Table[E]{
		slots:  append([]Slot[E](nil), t.slots...),
		keys:   append(make([]string, 0, len(t.keys)+64), t.keys...),
		filter: append([]uint64(nil), t.filter...),
		maxLen: t.maxLen,
	}
	if t.long != nil {
		c.long = make(map[string]E, len(t.long))
		for k, v := range t.long {
			c.long[k] = v
		}
	}
	return c
}

// MaxLen returns the length of the longest key: Get finds no longer key.
func (t *Table[E]) MaxLen() int { return t.maxLen }

// Len returns the number of keys.
func (t *Table[E]) Len() int { return len(t.keys) }

// All yields the keys and entries in the order the keys were first set.
func (t *Table[E]) All(yield func(string, E) bool) {
	for _, k := range t.keys {
		e, _ := t.Get([]byte(k))
		if !yield(k, e) {
			return
		}
	}
}
