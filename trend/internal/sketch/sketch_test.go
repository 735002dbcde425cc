package sketch

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCountMinLinear(t *testing.T) {
	a, b, all := NewCountMin(4, 256), NewCountMin(4, 256), NewCountMin(4, 256)
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		h := Hash(fmt.Sprint(r.Intn(500)))
		all.Add(h, 1)
		if i%2 == 0 {
			a.Add(h, 1)
		} else {
			b.Add(h, 1)
		}
	}
	require.NoError(t, a.Merge(b))
	assert.Equal(t, all.Cells, a.Cells)
	assert.GreaterOrEqual(t, all.Estimate(Hash("7")), uint32(1))
	assert.ErrorIs(t, a.Merge(NewCountMin(3, 256)), ErrShape)
	a.Sub(b)
	got, rest, err := DecodeCountMin(a.AppendBinary(nil))
	require.NoError(t, err)
	assert.Empty(t, rest)
	assert.Equal(t, a.Cells, got.Cells)
	_, _, err = DecodeCountMin([]byte{4, 3})
	assert.ErrorIs(t, err, ErrCorrupt)
}

func TestCountMinSaturates(t *testing.T) {
	c := NewCountMin(2, 8)
	c.Add(1, 1<<31)
	c.Add(1, 1<<31)
	c.Add(1, 1<<31)
	assert.Equal(t, uint32(1<<32-1), c.Estimate(1))
}

func TestHLL(t *testing.T) {
	for _, n := range []int{0, 100, 10_000, 200_000} {
		h := NewHLL(14)
		for i := 0; i < n; i++ {
			h.Add(Hash(fmt.Sprint("k", i)))
		}
		assert.InEpsilon(t, float64(n)+1, h.Count()+1, 0.03, "n=%d", n)
	}
	a, b := NewHLL(14), NewHLL(14)
	a.Add(Hash("x"))
	b.Add(Hash("y"))
	require.NoError(t, a.Merge(b))
	assert.InDelta(t, 2, a.Count(), 0.1)
	assert.ErrorIs(t, a.Merge(NewHLL(10)), ErrShape)
	got, rest, err := DecodeHLL(a.AppendBinary(nil))
	require.NoError(t, err)
	assert.Empty(t, rest)
	assert.Equal(t, a.Regs, got.Regs)
}

func TestSpaceSaving(t *testing.T) {
	s := NewSpaceSaving(3)
	for _, k := range []string{"a", "a", "a", "b", "b", "c", "d"} {
		s.Add(k, 1)
	}
	c := s.Counters()
	require.Len(t, c, 3)
	assert.Equal(t, Counter{"a", 3, 0}, c[0])
	// "d" took over "c"'s counter: count 2 with error 1.
	assert.Contains(t, c, Counter{"d", 2, 1})
	o := NewSpaceSaving(3)
	o.Add("a", 5)
	o.Add("z", 1)
	x, y := NewSpaceSaving(3), NewSpaceSaving(3)
	require.NoError(t, x.Merge(s))
	require.NoError(t, x.Merge(o))
	require.NoError(t, y.Merge(o))
	require.NoError(t, y.Merge(s))
	assert.Equal(t, x.Counters(), y.Counters())
	assert.Equal(t, "a", x.Counters()[0].Key)
	assert.Equal(t, uint64(8), x.Counters()[0].Count)
	got, rest, err := DecodeSpaceSaving(x.AppendBinary(nil))
	require.NoError(t, err)
	assert.Empty(t, rest)
	assert.Equal(t, x.Counters(), got.Counters())
	assert.ErrorIs(t, x.Merge(NewSpaceSaving(4)), ErrShape)
}

func FuzzDecode(f *testing.F) {
	cm := NewCountMin(2, 8)
	cm.Add(Hash("a"), 3)
	ss := NewSpaceSaving(2)
	ss.Add("a", 1)
	f.Add(cm.AppendBinary(nil))
	cm.Add(Hash("b"), 70_000) // past 16 bits: kept beside the cells
	f.Add(cm.AppendBinary(nil))
	f.Add(ss.AppendBinary(nil))
	f.Add(NewHLL(4).AppendBinary(nil))
	f.Add(binary.AppendUvarint([]byte{2}, 1<<63)) // depth×width wraps to 0
	f.Fuzz(func(t *testing.T, b []byte) {
		c, rest, err := DecodeCountMin(b)
		c16, rest16, err16 := DecodeCountMin16(b)
		if (err == nil) != (err16 == nil) {
			t.Fatalf("DecodeCountMin: %v, DecodeCountMin16: %v", err, err16)
		}
		if err == nil {
			assert.Len(t, c.Cells, c.Depth*c.Width)
			// The 16-bit sketch holds the same counts: the same encoding
			// and rest, and the same estimates.
			assert.Equal(t, c.AppendBinary(nil), c16.AppendBinary(nil))
			assert.Equal(t, rest, rest16)
			for _, key := range []string{"a", "b", "x"} {
				assert.Equal(t, c.Estimate(Hash(key)), c16.Estimate(Hash(key)), key)
			}
		}
		if s, _, err := DecodeSpaceSaving(b); err == nil {
			s.Add("x", 1)
			assert.LessOrEqual(t, s.Len(), max(s.K, 0))
		}
		if h, _, err := DecodeHLL(b); err == nil {
			_ = h.Count()
		}
	})
}
