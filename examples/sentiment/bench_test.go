//go:build go1.24 && unix

package main

import (
	"context"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/internal/shared"
)

// BenchmarkProgram runs this program's loop (read a line, score it, write
// a JSON line) over 210,000 tweets (the 4,200 VADER ground-truth tweets 50
// times) with each scorer. It reports process CPU time per line
// (cpu-ns/line), GC included. The whole program beside one written with
// govader is measured by BenchmarkProgram in the separate module
// sentiment/vader/govaderbench.
func BenchmarkProgram(b *testing.B) {
	var in strings.Builder
	for _, l := range shared.Lines(b, "sentiment/vader_tweets_groundtruth.tsv") {
		if f := strings.SplitN(l, "\t", 3); len(f) == 3 {
			in.WriteString(f[2] + "\n")
		}
	}
	input := strings.Repeat(in.String(), 50)
	lines := strings.Count(input, "\n")
	for _, name := range []string{"vader", "polarity", "emotion"} {
		b.Run(name, func(b *testing.B) {
			p, err := newPrinter(options{Scorer: name})
			if err != nil {
				b.Fatal(err)
			}
			perLine(b, lines, func() error { return newFilter(p, io.Discard).run(context.Background(), strings.NewReader(input)) })
		})
	}
}

func perLine(b *testing.B, lines int, run func() error) {
	b.ReportAllocs()
	start, n := cpuNow(), 0
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
		n += lines
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(n), "cpu-ns/line")
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
