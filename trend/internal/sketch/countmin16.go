package sketch

import "math"

// CountMin16 is a [CountMin] whose counters take 16 bits: a counter of
// 0xFFFF or more is kept, exactly, in a map beside them. A slot of a
// trending sketch (a quarter of an hour of a stream) rarely has a counter
// that large, so it takes half the memory of a CountMin with the same
// counts; every operation gives what CountMin gives.
type CountMin16 struct {
	Depth, Width int
	Cells        []uint16
	big          map[int32]uint32 // the counters at 0xFFFF or more, by index
}

const big16 = math.MaxUint16 // a cell holding it: look in big

// NewCountMin16 returns a zeroed sketch; width is rounded up to a power
// of two.
func NewCountMin16(depth, width int) *CountMin16 {
	w := 1
	for w < width {
		w <<= 1
	}
	return &CountMin16{Depth: depth, Width: w, Cells: make([]uint16, depth*w)}
}

func (c *CountMin16) get(i int) uint32 {
	if v := c.Cells[i]; v != big16 {
		return uint32(v)
	}
	return c.big[int32(i)]
}

func (c *CountMin16) set(i int, v uint32) {
	if v < big16 {
		if c.Cells[i] == big16 {
			delete(c.big, int32(i))
		}
		c.Cells[i] = uint16(v)
		return
	}
	if c.big == nil {
		c.big = make(map[int32]uint32)
	}
	c.Cells[i] = big16
	c.big[int32(i)] = v
}

// Add adds n to the key with hash h (saturating).
func (c *CountMin16) Add(h uint64, n uint32) {
	h1, h2 := uint32(h), uint32(h>>32)|1
	mask := uint32(c.Width - 1)
	for r := 0; r < c.Depth; r++ {
		i := r*c.Width + int((h1+uint32(r)*h2)&mask)
		if s := uint32(c.Cells[i]) + n; s < big16 && s >= n {
			c.Cells[i] = uint16(s) // the common case
			continue
		}
		c.set(i, satAdd(c.get(i), n))
	}
}

// Estimate returns an upper bound of the key's count.
func (c *CountMin16) Estimate(h uint64) uint32 {
	if c.Depth == 0 {
		return 0
	}
	h1, h2 := uint32(h), uint32(h>>32)|1
	mask := uint32(c.Width - 1)
	m := uint32(math.MaxUint32)
	for r := 0; r < c.Depth; r++ {
		m = min(m, c.get(r*c.Width+int((h1+uint32(r)*h2)&mask)))
	}
	return m
}

// Merge adds o cell by cell (saturating).
func (c *CountMin16) Merge(o *CountMin16) error {
	if c.Depth != o.Depth || c.Width != o.Width {
		return ErrShape
	}
	for i, v := range o.Cells {
		if v != 0 {
			c.set(i, satAdd(c.get(i), o.get(i)))
		}
	}
	return nil
}

// AddTo adds c to dst cell by cell (saturating); they have one shape.
func (c *CountMin16) AddTo(dst *CountMin) {
	for i, v := range c.Cells {
		if v != 0 {
			dst.Cells[i] = satAdd(dst.Cells[i], c.get(i))
		}
	}
}

// SubFrom subtracts c from dst cell by cell (flooring at 0), to expire a
// slot from a running total; they have one shape.
func (c *CountMin16) SubFrom(dst *CountMin) {
	for i, v := range c.Cells {
		if v != 0 {
			dst.Cells[i] -= min(dst.Cells[i], c.get(i))
		}
	}
}

// Reset zeroes the counters.
func (c *CountMin16) Reset() {
	clear(c.Cells)
	c.big = nil
}

// AppendBinary appends what [CountMin.AppendBinary] appends for the same
// counts.
func (c *CountMin16) AppendBinary(b []byte) []byte {
	return appendCells(b, c.Depth, c.Width, c.get)
}

// DecodeCountMin16 reads what AppendBinary wrote and returns the rest. It
// checks the whole encoding before it allocates the counters, and reads
// them straight into 16-bit cells.
func DecodeCountMin16(b []byte) (*CountMin16, []byte, error) {
	d, w, _, err := SkipCountMin(b)
	if err != nil {
		return nil, nil, err
	}
	c := &CountMin16{Depth: d, Width: w, Cells: make([]uint16, d*w)}
	_, _, rest, _ := readCells(b, c.set)
	return c, rest, nil
}

func satAdd(a, b uint32) uint32 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint32
}
