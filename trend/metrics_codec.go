package trend

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"time"
)

// Merge adds o's counts to m. Both must have the same Bucket and Buckets
// (after defaults), or Merge returns [ErrIncompatible]. o is not changed.
// For each key the newer of the two newest buckets wins: o's buckets older
// than what m keeps after the merge are dropped, as they would have aged
// out of one Metrics fed everything.
func (m *Metrics) Merge(o *Metrics) error {
	if o == nil {
		return nil
	}
	if m.width() != o.width() || m.buckets() != o.buckets() {
		return ErrIncompatible
	}
	for _, key := range o.Keys() { // sorted, so evictions do not depend on map order
		os := o.keys[key]
		m.tick++
		s := m.keys[key]
		if s == nil {
			s = m.newSeries(key, os.newest)
		}
		s.seen = m.tick
		n := int64(len(os.cells))
		for b := os.newest; b > os.newest-n; b-- { // newest first: the ring grows once
			oc := os.cell(b)
			if oc.empty() {
				continue
			}
			c := s.cell(b)
			if c == nil {
				if c = m.extend(s, b); c == nil {
					continue // aged out, as it would have in one Metrics
				}
			}
			c.add(oc)
			if oc.na > 0 {
				var buf [authorK]uint64
				s.setAuthors(c, mergeAuthors(&buf, s.authors(c), os.authors(oc)))
			}
		}
	}
	m.late += o.late
	m.evicted += o.evicted
	return nil
}

func (c *cell) add(o *cell) {
	c.n = satAdd(c.n, o.n)
	c.neg = satAdd(c.neg, o.neg)
	c.neu = satAdd(c.neu, o.neu)
	c.pos = satAdd(c.pos, o.pos)
	c.likes = satAdd(c.likes, o.likes)
	c.reposts = satAdd(c.reposts, o.reposts)
	c.replies = satAdd(c.replies, o.replies)
	c.quotes = satAdd(c.quotes, o.quotes)
}

const (
	metricsMagic   = "ETMX"
	metricsVersion = 1
	// maxMetricsBuckets bounds Buckets in decoded metrics.
	maxMetricsBuckets = 1 << 15
)

// MarshalBinary encodes the metrics: a magic number, a version, the
// configuration, each key's non-empty buckets (authors as sorted hash
// deltas) and a CRC-32 of everything before it. Keys are written in
// order, so equal metrics encode to equal bytes.
func (m *Metrics) MarshalBinary() ([]byte, error) {
	b := append([]byte(metricsMagic), metricsVersion)
	b = binary.AppendUvarint(b, uint64(m.width()))
	b = binary.AppendUvarint(b, uint64(m.buckets()))
	b = binary.AppendUvarint(b, uint64(m.late))
	b = binary.AppendUvarint(b, uint64(m.evicted))
	b = binary.AppendUvarint(b, uint64(len(m.keys)))
	for _, key := range m.Keys() {
		s := m.keys[key]
		b = binary.AppendUvarint(b, uint64(len(key)))
		b = append(b, key...)
		b = binary.AppendVarint(b, s.newest)
		n := int64(len(s.cells))
		var used int
		for i := range s.cells {
			if !s.cells[i].empty() {
				used++
			}
		}
		b = binary.AppendUvarint(b, uint64(used))
		for age := int64(0); age < n; age++ { // newest first
			c := s.cell(s.newest - age)
			if c.empty() {
				continue
			}
			b = binary.AppendUvarint(b, uint64(age))
			for _, v := range [...]uint32{c.n, c.neg, c.neu, c.pos, c.likes, c.reposts, c.replies, c.quotes} {
				b = binary.AppendUvarint(b, uint64(v))
			}
			b = binary.AppendUvarint(b, uint64(c.na))
			prev := uint64(0)
			for _, e := range s.authors(c) {
				h := uint64(entryHash(e))
				b = binary.AppendUvarint(b, h-prev)
				b = binary.AppendUvarint(b, entryFollowers(e))
				prev = h
			}
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

func (c *cell) empty() bool { return c.n == 0 && c.na == 0 }

// UnmarshalBinary replaces m's contents and configuration (Bucket,
// Buckets) with the decoded metrics; MaxKeys is kept, and if the decoded
// keys exceed it, the next new key evicts down to it. It returns an error
// wrapping [ErrCorrupt] for input MarshalBinary did not produce, and
// leaves m unchanged then.
func (m *Metrics) UnmarshalBinary(data []byte) error {
	bad := func(what string) error { return fmt.Errorf("%w: metrics: %s", ErrCorrupt, what) }
	if len(data) < len(metricsMagic)+1+4 || string(data[:4]) != metricsMagic {
		return bad("not metrics")
	}
	if data[4] != metricsVersion {
		return bad(fmt.Sprintf("unsupported version %d", data[4]))
	}
	body := data[:len(data)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return bad("checksum mismatch")
	}
	d := decoder{b: body[5:]}
	width, nb := d.uvarint(), d.uvarint()
	if d.err || width == 0 || width > uint64(1<<62) || nb == 0 || nb > maxMetricsBuckets {
		return bad("configuration")
	}
	n := Metrics{Bucket: time.Duration(width), Buckets: int(nb), MaxKeys: m.MaxKeys}
	n.late, n.evicted = int64(d.uvarint()), int64(d.uvarint())
	keys := d.uvarint()
	if d.err || n.late < 0 || n.evicted < 0 || keys > uint64(len(d.b)) {
		return bad("header")
	}
	n.keys = make(map[string]*series, keys)
	prevKey := ""
	for i := uint64(0); i < keys; i++ {
		key := d.bytes()
		if d.err || (i > 0 && key <= prevKey) {
			return bad("keys out of order")
		}
		prevKey = key
		s := &series{newest: d.varint(), cells: make([]cell, min(minRing, nb))}
		used := d.uvarint()
		if d.err || used == 0 || used > nb {
			return bad("bucket count")
		}
		lastAge := int64(-1)
		for j := uint64(0); j < used; j++ {
			age := int64(d.uvarint())
			if d.err || age <= lastAge || age >= int64(nb) {
				return bad("bucket order")
			}
			lastAge = age
			if age >= int64(len(s.cells)) {
				s.resize(int(min(int64(nb), max(age+1, 2*int64(len(s.cells))))))
			}
			c := s.cell(s.newest - age)
			for _, p := range [...]*uint32{&c.n, &c.neg, &c.neu, &c.pos, &c.likes, &c.reposts, &c.replies, &c.quotes} {
				v := d.uvarint()
				if v > 1<<32-1 {
					d.err = true
				}
				*p = uint32(v)
			}
			na := d.uvarint()
			if d.err || na > authorK || uint64(c.neg)+uint64(c.neu)+uint64(c.pos) > uint64(c.n) {
				return bad("bucket")
			}
			var buf [authorK]uint64
			h := uint64(0)
			for k := range buf[:na] {
				delta, f := d.uvarint(), d.uvarint()
				if d.err || (k > 0 && delta == 0) || h+delta > 1<<32-1 || f > 1<<32-1 {
					return bad("authors")
				}
				h += delta
				buf[k] = h<<32 | f
			}
			s.setAuthors(c, buf[:na])
			if c.empty() {
				return bad("empty bucket")
			}
		}
		n.keys[key] = s
	}
	if d.err || len(d.b) != 0 {
		return bad("trailing bytes")
	}
	*m = n
	return nil
}

// decoder reads uvarints and strings, remembering the first failure.
type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) uvarint() uint64 {
	v, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.err = true
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) varint() int64 {
	v, k := binary.Varint(d.b)
	if k <= 0 {
		d.err = true
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) bytes() string {
	n := d.uvarint()
	if d.err || n > uint64(len(d.b)) {
		d.err = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
