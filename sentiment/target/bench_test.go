package target

import (
	"context"
	"testing"

	"github.com/earshot-dev/earshot/sentiment/polarity"
)

func BenchmarkScore(b *testing.B) {
	s := New(polarity.English(), "acme", "acme corp")
	ctx := context.Background()
	text := "love my new phone but @acme support is a joke, waited 2 hours on hold #fail"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := s.Score(ctx, text); err != nil {
			b.Fatal(err)
		}
	}
}
