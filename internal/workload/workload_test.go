package workload_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/workload"
	"github.com/earshot-dev/earshot/listen"
)

func TestPosts(t *testing.T) {
	posts := workload.Posts(5000)
	q := listen.MustCompile(workload.Query)
	seen := map[string]bool{}
	tagged := 0
	for i := range posts {
		p := &posts[i]
		require.True(t, q.Match(p), p.Text)
		assert.False(t, seen[p.Text], "repeated text %q", p.Text)
		seen[p.Text] = true
		assert.GreaterOrEqual(t, len(p.Text), 120, p.Text)
		assert.LessOrEqual(t, len(p.Text), 140, p.Text)
		if len(p.Tags) > 0 {
			tagged++
		}
	}
	assert.InDelta(t, len(posts)/3, tagged, float64(len(posts))/20)
}

func TestPipeline(t *testing.T) {
	posts := workload.Posts(20_000)
	p := workload.NewPipeline()
	ctx := context.Background()
	for i := range posts {
		posts[i].Created = workload.At(i)
		require.True(t, p.Observe(ctx, &posts[i]))
	}
	end := workload.At(len(posts))
	s := p.Metrics.Sum(workload.Key, workload.Start, end)
	assert.EqualValues(t, len(posts), s.Mentions)
	assert.Positive(t, s.Negative)
	assert.Positive(t, s.Positive)
	assert.NotEmpty(t, p.Trending.Top(end, 3))
}
