//go:build unix

package langid

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDetectTweets detects the language of the shared val tweets of
// the eight languages in turn (one op is one tweet) and reports posts
// per CPU-second from getrusage, which other processes cannot inflate.
func BenchmarkDetectTweets(b *testing.B) {
	var texts []string
	var bytes int
	for _, set := range tweetSets {
		for _, t := range readLines(b, filepath.Join("sentiment/multilingual", set.dir, "val_text.txt")) {
			texts = append(texts, t)
			bytes += len(t)
		}
	}
	d := New()
	b.SetBytes(int64(bytes / len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	start := processCPU()
	for i := 0; i < b.N; i++ { // b.Loop needs go 1.24; go.mod says 1.23
		d.Detect(texts[i%len(texts)])
	}
	cpu := processCPU() - start
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "posts/cpu-s")
}
