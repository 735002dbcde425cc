package social

import "encoding/binary"

// table maps lower-case words to entries. Words of up to 16 bytes (nearly
// all) sit in the slots of an open-addressing table, looked up from a
// byte slice without hashing a string or allocating; longer ones fall
// back to a map. It is built once and then only read.
type table struct {
	slots []slot // power-of-two length, at most half full
	n     int
	long  map[string]wentry
	// filter has a bit per hash (mod its size) of every short word, so
	// most unknown words are rejected without touching the slots.
	filter [1 << 10]uint64
}

type slot struct {
	k0, k1 uint64 // the word's bytes, zero-padded
	e      wentry
	n      uint8 // word length; 0 marks an empty slot
}

func keyOf(w []byte) (k0, k1 uint64) {
	var a [16]byte
	copy(a[:], w)
	return binary.LittleEndian.Uint64(a[:]), binary.LittleEndian.Uint64(a[8:])
}

func hashKey(k0, k1 uint64, n int) uint64 {
	h := k0*0x9E3779B97F4A7C15 ^ (k1+uint64(n))*0xC2B2AE3D27D4EB4F
	h ^= h >> 32
	h *= 0xC2B2AE3D27D4EB4F
	return h ^ h>>29
}

// newTable builds a table from m.
func newTable(m map[string]wentry) *table {
	size := 16
	for size < 2*len(m) {
		size *= 2
	}
	t := &table{slots: make([]slot, size)}
	for k, e := range m {
		t.put(k, e)
	}
	return t
}

func (t *table) put(k string, e wentry) {
	if len(k) == 0 {
		return
	}
	if len(k) > 16 {
		if t.long == nil {
			t.long = make(map[string]wentry)
		}
		t.long[k] = e
		return
	}
	k0, k1 := keyOf([]byte(k))
	mask := uint64(len(t.slots) - 1)
	for i := hashKey(k0, k1, len(k)) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.n == 0 || s.k0 == k0 && s.k1 == k1 && int(s.n) == len(k) {
			if s.n == 0 {
				t.n++
			}
			*s = slot{k0: k0, k1: k1, e: e, n: uint8(len(k))}
			f := hashKey(k0, k1, len(k)) >> 48
			t.filter[f>>6] |= 1 << (f & 63)
			return
		}
	}
}

// get returns the entry of w and whether there is one.
func (t *table) get(w []byte) (wentry, bool) {
	if len(w) == 0 {
		return wentry{}, false
	}
	if len(w) > 16 {
		e, ok := t.long[string(w)]
		return e, ok
	}
	k0, k1 := keyOf(w)
	h := hashKey(k0, k1, len(w))
	if f := h >> 48; t.filter[f>>6]&(1<<(f&63)) == 0 {
		return wentry{}, false
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.n == 0 {
			return wentry{}, false
		}
		if s.k0 == k0 && s.k1 == k1 && int(s.n) == len(w) {
			return s.e, true
		}
	}
}

// getPadded is get for the n (1..16) first bytes of p, which has 16.
func (t *table) getPadded(p []byte, n int) (wentry, bool) {
	k0 := binary.LittleEndian.Uint64(p)
	k1 := binary.LittleEndian.Uint64(p[8:])
	switch {
	case n < 8:
		k0 &= 1<<(8*n) - 1
		k1 = 0
	case n < 16:
		k1 &= 1<<(8*(n-8)) - 1
	}
	h := hashKey(k0, k1, n)
	if f := h >> 48; t.filter[f>>6]&(1<<(f&63)) == 0 {
		return wentry{}, false
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.n == 0 {
			return wentry{}, false
		}
		if s.k0 == k0 && s.k1 == k1 && int(s.n) == n {
			return s.e, true
		}
	}
}
