package social_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTweets scores the 4,200 ground-truth tweets, one per op, with
// the social scorer and, for its cost ratio, the VADER scorer. cpu-ns/op
// is the process's CPU time per op, steadier than ns/op on a busy machine.
func BenchmarkTweets(b *testing.B) {
	var texts []string
	for _, d := range vaderGroundTruth(b) {
		texts = append(texts, d.text)
	}
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		s    interface {
			Score(context.Context, string) (sentiment.Score, error)
		}
	}{{"social", social.New()}, {"vader", vader.New()}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				_, _ = bc.s.Score(ctx, texts[i%len(texts)])
			}
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

func BenchmarkTypical(b *testing.B) {
	s := social.New()
	ctx := context.Background()
	for _, bc := range []struct{ name, text string }{
		{"ascii", "The new update is SO good, but the battery life is kind of terrible!! Not happy :( @acme"},
		{"emoji", "Loving the new phone 😍😍 but support is a joke 🙄 #fail #NotHappy https://t.co/x"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, _ = s.Score(ctx, bc.text)
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	social.New() // the shared tables, built once per process
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = social.New()
	}
}
