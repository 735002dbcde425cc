//go:build go1.24 && unix

package story_test

import (
	"strings"
	"testing"

	"github.com/earshot-dev/earshot/story"
)

// BenchmarkSplit splits texts of growing size: the time per byte stays
// flat when Split is linear in the text's length.
func BenchmarkSplit(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"8KB", 8 << 10}, {"32KB", 32 << 10}, {"128KB", 128 << 10}, {"1MB", 1 << 20}} {
		text := benchText(b, size.n)
		for _, c := range []splitConfig{splitConfigs[0], splitConfigs[4], splitConfigs[6]} {
			b.Run(size.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(text)))
				cpu := startCPU()
				for b.Loop() {
					if _, err := story.Split(text, c.rules, c.numbered); err != nil {
						b.Fatal(err)
					}
				}
				cpu.report(b, len(text))
			})
		}
	}
}

func BenchmarkCount(b *testing.B) {
	text := strings.Repeat("Clementine laid her first egg 🥚 https://example.com/diary 我们 ", 5)
	for _, c := range []struct {
		name string
		r    story.Rules
	}{{"mastodon", story.MastodonRules{}}, {"bluesky", story.BlueskyRules{}}, {"x", story.XRules{}}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				c.r.Count(text)
			}
		})
	}
}
