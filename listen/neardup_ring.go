package listen

// hashRing holds the shingle hashes of the remembered texts in one
// buffer, one text after another in the order they were kept, wrapping
// around at the end. The text being looked at is hashed straight into
// the free space after the newest, so keeping it copies nothing, and the
// buffer is written in order (which the processor's prefetching follows)
// and never holds more than the remembered texts, the text being looked
// at and the space left at the end of a lap. (One slice per slot, reused
// from text to text, would grow towards the longest text every slot ever
// held: on the airline tweets twice what the remembered texts need.)
type hashRing struct {
	buf    []uint32
	wpos   int      // where the next text goes
	vpos   uint64   // the same, counted from the start with every lap; wpos = vpos mod len(buf)
	off    []int    // per slot: where its hashes start
	num    []uint32 // per slot: how many there are (0 for none)
	vstart []uint64 // per slot: off counted as vpos is

	p int    // where the text being looked at is
	v uint64 // the same, counted as vpos is
}

func newHashRing(n int) hashRing {
	return hashRing{off: make([]int, n), num: make([]uint32, n), vstart: make([]uint64, n)}
}

// reserve returns room for need hashes of the text being looked at, after
// the newest text kept; oldest is the slot of the oldest remembered text,
// which is still there while the text is being looked at.
func (r *hashRing) reserve(oldest, need int) []uint32 {
	for {
		p, v := r.wpos, r.vpos
		if p+need > len(r.buf) { // no room before the end: a new lap
			v += uint64(len(r.buf) - p)
			p = 0
		}
		// Every remembered hash lies in [vstart[oldest], vpos): the text
		// fits if that span and the text together fit in the buffer.
		if v+uint64(need)-r.vstart[oldest] <= uint64(len(r.buf)) {
			r.p, r.v = p, v
			return r.buf[p : p+need : p+need]
		}
		r.grow(oldest, need)
	}
}

// grow moves the remembered texts to the start of a larger buffer, oldest
// first, with room for need more hashes.
func (r *hashRing) grow(oldest, need int) {
	live := int(r.vpos - r.vstart[oldest])
	buf := make([]uint32, max(len(r.buf)+len(r.buf)/2, live+2*need, 1024))
	pos, n := 0, len(r.off)
	for k := range n {
		s := oldest + k
		if s >= n {
			s -= n
		}
		r.vstart[s] = uint64(pos)
		if r.num[s] > 0 {
			src := r.text(int32(s))
			r.off[s] = pos
			pos += copy(buf[pos:], src)
		}
	}
	r.buf, r.wpos, r.vpos = buf, pos, uint64(pos)
}

// commit keeps the first n hashes of the text being looked at, in slot s.
func (r *hashRing) commit(s int32, n int) {
	r.off[s], r.num[s], r.vstart[s] = r.p, uint32(n), r.v
	r.wpos, r.vpos = r.p+n, r.v+uint64(n)
}

// drop empties slot s, whose text is forgotten before its turn.
func (r *hashRing) drop(s int) {
	r.num[s], r.vstart[s] = 0, r.vpos
}

// text returns the hashes kept in slot s.
func (r *hashRing) text(s int32) []uint32 {
	return r.buf[r.off[s] : r.off[s]+int(r.num[s])]
}
