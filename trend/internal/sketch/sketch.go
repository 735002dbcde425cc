// Package sketch holds the bounded-memory summaries behind trend.Sketch:
// a count-min sketch, a space-saving heavy-hitter summary and a
// HyperLogLog distinct counter. Each merges with another of the same shape
// (count-min adds cell by cell, space-saving adds its counters by key,
// HyperLogLog keeps the larger register) and appends a compact binary form
// to a buffer. None is safe for concurrent use.
package sketch

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
)

// ErrShape is returned when merging summaries of different shapes.
var ErrShape = errors.New("sketch: summaries differ in shape")

// ErrCorrupt is returned for binary input that cannot be decoded.
var ErrCorrupt = errors.New("sketch: corrupt input")

// Hash is a fast, seedless 64-bit string hash (FNV-1a with a final mix), so
// that sketches built by different processes agree cell for cell.
func Hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	// splitmix64 finaliser spreads the low bits FNV leaves weak.
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// CountMin is a count-min sketch of Depth rows of Width uint32 counters.
// Updates are plain (not conservative), so the sketch is linear: the
// sketch of the union of two streams is exactly the cell-by-cell sum of
// their sketches, whatever the order. Counters saturate instead of
// wrapping.
type CountMin struct {
	Depth, Width int
	Cells        []uint32
}

// NewCountMin returns a zeroed sketch; width is rounded up to a power of two.
func NewCountMin(depth, width int) *CountMin {
	w := 1
	for w < width {
		w <<= 1
	}
	return &CountMin{Depth: depth, Width: w, Cells: make([]uint32, depth*w)}
}

func (c *CountMin) index(h uint64, row int) int {
	h1, h2 := uint32(h), uint32(h>>32)|1
	return row*c.Width + int((h1+uint32(row)*h2)&uint32(c.Width-1))
}

// Add adds n to the key with hash h.
func (c *CountMin) Add(h uint64, n uint32) {
	h1, h2 := uint32(h), uint32(h>>32)|1
	mask := uint32(c.Width - 1)
	for r := 0; r < c.Depth; r++ {
		i := r*c.Width + int((h1+uint32(r)*h2)&mask)
		s := c.Cells[i] + n
		if s < n {
			s = math.MaxUint32
		}
		c.Cells[i] = s
	}
}

// Estimate returns an upper bound of the key's count.
func (c *CountMin) Estimate(h uint64) uint32 {
	m := uint32(math.MaxUint32)
	for r := 0; r < c.Depth; r++ {
		if v := c.Cells[c.index(h, r)]; v < m {
			m = v
		}
	}
	if c.Depth == 0 {
		return 0
	}
	return m
}

// Merge adds o cell by cell (saturating).
func (c *CountMin) Merge(o *CountMin) error {
	if c.Depth != o.Depth || c.Width != o.Width {
		return ErrShape
	}
	for i, v := range o.Cells {
		s := c.Cells[i] + v
		if s < v {
			s = math.MaxUint32
		}
		c.Cells[i] = s
	}
	return nil
}

// Sub subtracts o cell by cell (flooring at 0); used to expire a slot from
// a running total.
func (c *CountMin) Sub(o *CountMin) {
	for i, v := range o.Cells {
		if c.Cells[i] > v {
			c.Cells[i] -= v
		} else {
			c.Cells[i] = 0
		}
	}
}

// Reset zeroes the counters.
func (c *CountMin) Reset() { clear(c.Cells) }

// AppendBinary appends depth, width and the cells (run-length encoding of
// zero runs keeps sparse sketches small).
func (c *CountMin) AppendBinary(b []byte) []byte {
	return appendCells(b, c.Depth, c.Width, func(i int) uint32 { return c.Cells[i] })
}

// appendCells appends depth, width and the depth×width counters that
// cell returns: each as its value plus one, a run of zeros as 0 and its
// length.
func appendCells(b []byte, depth, width int, cell func(i int) uint32) []byte {
	b = binary.AppendUvarint(b, uint64(depth))
	b = binary.AppendUvarint(b, uint64(width))
	for i, n := 0, depth*width; i < n; {
		if cell(i) == 0 {
			j := i
			for j < n && cell(j) == 0 {
				j++
			}
			b = append(b, 0)
			b = binary.AppendUvarint(b, uint64(j-i))
			i = j
			continue
		}
		b = binary.AppendUvarint(b, uint64(cell(i))+1)
		i++
	}
	return b
}

// MaxCells bounds the size of a decoded count-min sketch.
const MaxCells = 1 << 26

// DecodeCountMin reads what AppendBinary wrote and returns the rest. It
// checks the whole encoding before it allocates the counters.
func DecodeCountMin(b []byte) (*CountMin, []byte, error) {
	d, w, _, err := SkipCountMin(b)
	if err != nil {
		return nil, nil, err
	}
	c := &CountMin{Depth: d, Width: w, Cells: make([]uint32, d*w)}
	_, _, rest, _ := readCells(b, func(i int, v uint32) { c.Cells[i] = v })
	return c, rest, nil
}

// SkipCountMin checks the count-min encoding (of either width of
// counter) at the start of b without allocating, and returns its depth,
// width and the rest of b. A decoder of several summaries checks them
// all before it allocates what their headers claim, so that a short
// input cannot make it allocate much.
func SkipCountMin(b []byte) (depth, width int, rest []byte, err error) {
	return readCells(b, nil)
}

// readCells reads what appendCells wrote and calls set, when not nil,
// with each non-zero counter.
func readCells(b []byte, set func(i int, v uint32)) (depth, width int, rest []byte, err error) {
	d, b, ok := uvarint(b)
	if !ok || d == 0 || d > 64 {
		return 0, 0, nil, ErrCorrupt
	}
	w, b, ok := uvarint(b)
	// w is bounded before d*w, which could wrap.
	if !ok || w == 0 || w&(w-1) != 0 || w > MaxCells || d*w > MaxCells {
		return 0, 0, nil, ErrCorrupt
	}
	for i, n := 0, int(d*w); i < n; {
		v, rest, ok := uvarint(b)
		if !ok {
			return 0, 0, nil, ErrCorrupt
		}
		b = rest
		if v == 0 {
			run, rest, ok := uvarint(b)
			if !ok || run == 0 || run > uint64(n-i) {
				return 0, 0, nil, ErrCorrupt
			}
			b = rest
			i += int(run)
			continue
		}
		if v-1 > math.MaxUint32 {
			return 0, 0, nil, ErrCorrupt
		}
		if set != nil {
			set(i, uint32(v-1))
		}
		i++
	}
	return int(d), int(w), b, nil
}

func uvarint(b []byte) (uint64, []byte, bool) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, false
	}
	return v, b[n:], true
}

// HLL is a HyperLogLog distinct counter with 2^P registers.
type HLL struct {
	P    uint8
	Regs []uint8
}

// NewHLL returns an empty counter with 2^p registers (4 <= p <= 18).
func NewHLL(p uint8) *HLL { return &HLL{P: p, Regs: make([]uint8, 1<<p)} }

// Add records the key with hash h.
func (h *HLL) Add(x uint64) {
	i := x >> (64 - h.P)
	w := x<<h.P | 1<<(h.P-1)
	r := uint8(bits.LeadingZeros64(w)) + 1
	if r > h.Regs[i] {
		h.Regs[i] = r
	}
}

// Count estimates the number of distinct keys.
func (h *HLL) Count() float64 {
	m := float64(len(h.Regs))
	sum, zeros := 0.0, 0
	for _, r := range h.Regs {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	alpha := 0.7213 / (1 + 1.079/m)
	e := alpha * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		return m * math.Log(m/float64(zeros)) // linear counting
	}
	return e
}

// Merge keeps the larger of each register.
func (h *HLL) Merge(o *HLL) error {
	if h.P != o.P {
		return ErrShape
	}
	for i, r := range o.Regs {
		if r > h.Regs[i] {
			h.Regs[i] = r
		}
	}
	return nil
}

// AppendBinary appends p and the registers.
func (h *HLL) AppendBinary(b []byte) []byte {
	b = append(b, h.P)
	return append(b, h.Regs...)
}

// DecodeHLL reads what AppendBinary wrote and returns the rest.
func DecodeHLL(b []byte) (*HLL, []byte, error) {
	if len(b) < 1 || b[0] < 4 || b[0] > 18 || len(b) < 1+1<<b[0] {
		return nil, nil, ErrCorrupt
	}
	p := b[0]
	h := NewHLL(p)
	copy(h.Regs, b[1:1+1<<p])
	for _, r := range h.Regs {
		if r > 64-p+1 {
			return nil, nil, ErrCorrupt
		}
	}
	return h, b[1+1<<p:], nil
}
