//go:build go1.24 && unix

package sentiment_test

import (
	"context"
	"math/rand"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

// uniquePosts is posts(1 << 18), built once: 37 MB, which a benchmark
// that builds it leaves the garbage collector to mark during the next.
var uniquePosts = sync.OnceValue(func() []string { return posts(1 << 18) })

// posts returns n distinct posts of 140 bytes: common words, sentiment
// words and a numbered hashtag, as a stream's original posts are.
func posts(n int) []string {
	rng := rand.New(rand.NewSource(1))
	words := strings.Fields("the a new phone app update battery camera support team is was " +
		"really so not very good great bad awful love hate today again just got my this that " +
		"service price delivery but and it for with :) !! lol")
	out := make([]string, n)
	var b []byte
	for i := range out {
		b = b[:0]
		tag := " #launch" + strconv.Itoa(i)
		for len(b) < 140-len(tag) {
			b = append(b, words[rng.Intn(len(words))]...)
			b = append(b, ' ')
		}
		b = append(b[:140-len(tag)], tag...)
		out[i] = string(b)
	}
	return out
}

// BenchmarkCached measures what sentiment.Cached adds to VADER: over
// 262,144 posts that do not repeat (unique; "vader" is the same without
// the cache) and over 1,000 posts that repeat (repeating). It reports
// CPU time per post.
func BenchmarkCached(b *testing.B) {
	unique := uniquePosts()
	repeating := unique[:1000]
	v := vader.New()
	for _, bc := range []struct {
		name  string
		s     sentiment.Scorer
		texts []string
	}{
		{"vader", v, unique},
		{"unique", sentiment.Cached(v, 10_000), unique},
		{"repeating", sentiment.Cached(v, 10_000), repeating},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			runtime.GC()
			b.ReportAllocs()
			start, n := cpuTime(), 0
			for b.Loop() {
				_, _ = bc.s.Score(ctx, bc.texts[n%len(bc.texts)])
				n++
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
		})
	}
}

// cpuTime returns the process's user+system CPU time, which, unlike the
// wall clock, does not grow when other processes compete for the cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
