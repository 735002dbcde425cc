package sketch

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// TestCountMin16 runs the same random additions (small counts, counts
// near and past 65,535, saturation), merges and subtractions through a
// CountMin16 and a CountMin, and checks that every estimate, the running
// totals and the encoding agree.
func TestCountMin16(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 16))
	a, b := NewCountMin16(4, 64), NewCountMin16(4, 64)
	ra, rb := NewCountMin(4, 64), NewCountMin(4, 64)
	total, rtotal := NewCountMin(4, 64), NewCountMin(4, 64)
	counts := []uint32{1, 1, 1, 3, 100, 30_000, 65_534, 65_535, 70_000, math.MaxUint32 - 5, math.MaxUint32}
	for round := range 200 {
		for range 50 {
			h, n := r.Uint64()%40, counts[r.IntN(len(counts))]
			if r.IntN(4) > 0 {
				n = 1
			}
			a.Add(h, n)
			ra.Add(h, n)
			b.Add(h^1, n)
			rb.Add(h^1, n)
		}
		if err := a.Merge(b); err != nil {
			t.Fatal(err)
		}
		if err := ra.Merge(rb); err != nil {
			t.Fatal(err)
		}
		a.AddTo(total)
		if err := rtotal.Merge(ra); err != nil {
			t.Fatal(err)
		}
		for h := range uint64(40) {
			if got, want := a.Estimate(h), ra.Estimate(h); got != want {
				t.Fatalf("round %d: estimate of %d = %d, want %d", round, h, got, want)
			}
		}
		if got, want := a.AppendBinary(nil), ra.AppendBinary(nil); !bytes.Equal(got, want) {
			t.Fatalf("round %d: encodings differ", round)
		}
		d, rest, err := DecodeCountMin16(a.AppendBinary(nil))
		if err != nil || len(rest) != 0 || !bytes.Equal(d.AppendBinary(nil), a.AppendBinary(nil)) {
			t.Fatalf("round %d: decoding does not round-trip (%v)", round, err)
		}
		if round%3 == 0 {
			b.SubFrom(total)
			rtotal.Sub(rb)
		}
		if round%7 == 0 {
			a.Reset()
			ra.Reset()
		}
		if !bytes.Equal(total.AppendBinary(nil), rtotal.AppendBinary(nil)) {
			t.Fatalf("round %d: running totals differ", round)
		}
	}
	if len(a.big)+len(b.big) == 0 {
		t.Fatal("no counter reached 65,535: the test does not reach the map")
	}
}
