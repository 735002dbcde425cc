//go:build go1.24

package trend_test

import (
	"math/rand"
	"strconv"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

// BenchmarkSketchUnmarshal decodes a default Sketch that has observed a
// day of a stream, so every slot has counts (about 6.5 MiB decoded).
func BenchmarkSketchUnmarshal(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	var s trend.Sketch
	for m := range 24 * 60 {
		at := t0.Add(time.Duration(m) * time.Minute)
		for j := range 20 {
			s.Observe("#t"+strconv.Itoa(r.Intn(2000)), at.Add(time.Duration(j)*time.Second), 1)
		}
	}
	data, err := s.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	c0, n := cpuTime(), 0
	for b.Loop() {
		var back trend.Sketch
		if err := back.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportCPU(b, c0, n)
}
