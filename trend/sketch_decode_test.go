package trend_test

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

// emptySketch encodes, as MarshalBinary would, a sketch of the given
// shape that has observed nothing, with extra bytes before the checksum
// (so the checksum is valid: it is not authentication). A count-min of
// zeros takes a few bytes (one run of zeros), whatever its claimed size.
func emptySketch(history, k, width, depth int, extra []byte) []byte {
	b := append([]byte("ETSK"), 1)
	b = binary.AppendVarint(b, int64(15*time.Minute))
	for _, v := range []int{history, k, width, depth} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(trend.DefaultMinCount))
	b = append(b, 0)       // not started
	b = append(b, 0, 0, 0) // current and first slot, late observations
	for range history + 1 {
		b = binary.AppendUvarint(b, uint64(depth))
		b = binary.AppendUvarint(b, uint64(width))
		b = append(b, 0)
		b = binary.AppendUvarint(b, uint64(width*depth))
	}
	for range 2 { // candidates: K, and no counters
		b = binary.AppendUvarint(b, uint64(k))
		b = append(b, 0)
	}
	b = append(b, 14)                     // HyperLogLog precision
	b = append(b, make([]byte, 1<<14)...) // and empty registers
	b = append(b, extra...)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestSketchUnmarshalHostile checks that an input with a valid checksum
// but claims it does not back (2^28 counters, 2^20 candidates) fails
// before UnmarshalBinary allocates what it claims: at most 1 MiB for
// inputs of about 16 KiB, where decoding the claims would take about
// 1.5 GiB.
func TestSketchUnmarshalHostile(t *testing.T) {
	var s trend.Sketch
	require.Equal(t, marshal(t, &trend.Sketch{History: 3, K: 4, Width: 16, Depth: 4}),
		emptySketch(3, 4, 16, 4, nil), "emptySketch encodes as MarshalBinary does")
	require.NoError(t, s.UnmarshalBinary(emptySketch(3, 4, 16, 4, nil)))

	full := emptySketch(3, 4, 1<<24, 4, nil)
	truncated := full[:40:40] // the header and part of the first slot
	truncated = binary.LittleEndian.AppendUint32(truncated, crc32.ChecksumIEEE(truncated))
	for name, data := range map[string][]byte{
		"2^28 counters, slots cut short":   truncated,
		"2^28 counters, a trailing byte":   emptySketch(3, 4, 1<<24, 4, []byte{0}),
		"2^20 candidates, a trailing byte": emptySketch(3, 1<<20, 16, 4, []byte{0}),
	} {
		var err error
		n := allocated(func() { err = s.UnmarshalBinary(data) })
		t.Logf("%s: %d bytes of input, %d allocated", name, len(data), n)
		assert.ErrorIs(t, err, trend.ErrCorrupt, name)
		assert.LessOrEqual(t, n, uint64(1<<20), "%s: %d bytes of input, %d allocated", name, len(data), n)
	}
}
