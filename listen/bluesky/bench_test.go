package bluesky

import (
	"bufio"
	"bytes"
	"os"
	"testing"
)

// benchEvent is the §12 commit event from a current Jetstream build: a
// reply with a mention, a link, a tag, an emoji and a sequence cursor.
func benchEvent(b *testing.B) []byte {
	b.Helper()
	raw, err := os.ReadFile("testdata/jetstream.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	return line
}

// BenchmarkDecodePost measures decoding one realistic Jetstream post
// commit event and mapping it to a listen.Post. Goal: >= 200,000 per
// second per core (<= 5,000 ns/op).
func BenchmarkDecodePost(b *testing.B) {
	line := benchEvent(b)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	var ev event
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := decodeEvent(line, &ev); err != nil {
			b.Fatal(err)
		}
		p, ok := toPost(&ev)
		if !ok || p.Text == "" {
			b.Fatal("not a post")
		}
	}
	b.StopTimer()
	// CPU time per event (GC included): on a shared machine wall time
	// overstates the cost per core. events/cpu-s is the throughput of one
	// fully used core.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "events/cpu-s")
	}
}

// BenchmarkDecodeMixed decodes every event of the fixture file in turn
// (posts, likes, reposts, deletes, identity and account events).
func BenchmarkDecodeMixed(b *testing.B) {
	f, err := os.Open("testdata/jetstream.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	b.ReportAllocs()
	var ev event
	for i := 0; i < b.N; i++ {
		if err := decodeEvent(lines[i%len(lines)], &ev); err != nil {
			b.Fatal(err)
		}
		toPost(&ev)
	}
}
