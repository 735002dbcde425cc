//go:build go1.24 && unix

package earshot_test

import (
	"context"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/internal/workload"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/trend"
)

// benchPosts are the posts every sub-benchmark of BenchmarkPipeline
// cycles through: 2^18 distinct texts (37 MB), so that the scorer's cache
// of 10,000 never sees a text again while it could remember it.
var benchPosts = sync.OnceValue(func() []listen.Post { return workload.Posts(1 << 18) })

// compounds are VADER's compound scores of benchPosts, for the parts that
// take a score.
var compounds = sync.OnceValue(func() []float64 {
	ctx, v, posts := context.Background(), vader.New(), benchPosts()
	out := make([]float64, len(posts))
	for i := range posts {
		s, _ := v.Score(ctx, posts[i].Text)
		out[i] = s.Compound
	}
	return out
})

// BenchmarkPipeline runs realistic 140-byte posts that all match a
// ten-term query through the whole pipeline a host writes (the query,
// VADER behind sentiment.Cached, spikes of mentions and of negative
// mentions, trending hashtags, a sentiment shift and mention metrics:
// workload.Pipeline), and, in the same run, each part on its own over the
// same posts; whole-uncached is the whole with VADER not behind the cache,
// to show what the cache costs when no text repeats. One op is one post;
// cpu-ns/op is the process's CPU time per post (getrusage), the figure to
// read on a shared machine. The whole should cost at most 1.3 times the
// sum of the parts.
func BenchmarkPipeline(b *testing.B) {
	scores := compounds()
	ctx := context.Background()
	b.Run("whole", func(b *testing.B) {
		p := workload.NewPipeline()
		perPost(b, func(i int, post *listen.Post) { p.Observe(ctx, post) })
	})
	b.Run("whole-uncached", func(b *testing.B) { // the same without sentiment.Cached
		p := workload.NewPipeline()
		p.Scorer = vader.New()
		perPost(b, func(i int, post *listen.Post) { p.Observe(ctx, post) })
	})
	b.Run("query", func(b *testing.B) {
		q := listen.MustCompile(workload.Query)
		perPost(b, func(i int, post *listen.Post) { q.Match(post) })
	})
	b.Run("vader", func(b *testing.B) {
		v := vader.New()
		perPost(b, func(i int, post *listen.Post) { _, _ = v.Score(ctx, post.Text) })
	})
	b.Run("spikes", func(b *testing.B) {
		var d trend.Spikes
		perPost(b, func(i int, post *listen.Post) {
			d.Observe(workload.Key, post.Created, 1)
			if scores[i] <= trend.DefaultNegative {
				d.Observe(workload.NegativeKey, post.Created, 1)
			}
		})
	})
	b.Run("trending", func(b *testing.B) {
		var s trend.Sketch
		perPost(b, func(i int, post *listen.Post) {
			for tag := range trend.EachHashtag(post.Text) {
				s.Observe(tag, post.Created, 1)
			}
		})
	})
	b.Run("shift", func(b *testing.B) {
		var d trend.Shift
		perPost(b, func(i int, post *listen.Post) {
			d.Observe(workload.Key, post.Created, scores[i], post.ID, post.Text)
		})
	})
	b.Run("metrics", func(b *testing.B) {
		var m trend.Metrics
		perPost(b, func(i int, post *listen.Post) { m.Add(workload.Mention(post, scores[i])) })
	})
}

// perPost calls op with each post in turn, its time set as the stream
// moves on, and reports CPU time per post.
func perPost(b *testing.B, op func(i int, post *listen.Post)) {
	posts := benchPosts()
	runtime.GC()
	b.ReportAllocs()
	start, n := cpuTime(), 0
	for b.Loop() {
		i := n & (len(posts) - 1)
		post := &posts[i]
		post.Created = workload.At(n)
		op(i, post)
		n++
	}
	d := cpuTime() - start
	b.ReportMetric(float64(d)/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(n)/d.Seconds(), "posts/cpu-s")
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
