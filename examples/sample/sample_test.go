package sample_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/examples/sample"
	"github.com/earshot-dev/earshot/examples/sample/internal/gen"
	"github.com/earshot-dev/earshot/listen"
)

var update = flag.Bool("update", false, "rewrite posts.jsonl.gz from the generator")

// The embedded file must be exactly what the generator writes; run
// `go generate ./examples/sample` after changing the generator.
func TestEmbeddedMatchesGenerator(t *testing.T) {
	var fresh bytes.Buffer
	require.NoError(t, gen.Generate(&fresh))
	if *update {
		var z bytes.Buffer
		zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
		require.NoError(t, err)
		_, err = zw.Write(fresh.Bytes())
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		require.NoError(t, os.WriteFile("posts.jsonl.gz", z.Bytes(), 0o644))
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(sample.Data()))
	require.NoError(t, err)
	embedded, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.True(t, bytes.Equal(embedded, fresh.Bytes()), "posts.jsonl.gz is stale: run go generate ./examples/sample")
	assert.Equal(t, gen.ViralID, sample.ViralID)
}

func TestTheStoryIsInTheData(t *testing.T) {
	q := listen.MustCompile("larkspur OR @larkspur")
	perHour := map[time.Time]int{}
	rivals := listen.MustCompile("brightcup OR \"hollow oak\" OR @hollowoak")
	var reposts, story, rival, flood, bots, platforms = 0, 0, 0, 0, 0, map[string]bool{}
	last := time.Time{}
	src := sample.Source()
	for p, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		require.False(t, p.Created.Before(last), "sorted by time")
		last = p.Created
		assert.False(t, p.Created.Before(gen.Start()) || !p.Created.Before(gen.End()), "inside the three days: %v", p)
		platforms[p.Platform] = true
		switch {
		case p.Kind == listen.KindRepost:
			assert.Equal(t, sample.ViralID, p.Subject)
			reposts++
		case q.Match(&p):
			perHour[p.Created.Truncate(time.Hour)]++
		case rivals.Match(&p):
			rival++
		}
		if bytes.Contains([]byte(p.Text), []byte("code OAK50")) {
			flood++
		}
		if p.Author.Bot {
			bots++
		}
		if bytes.Contains([]byte(p.Text), []byte("wedding ring")) {
			story++
		}
	}
	assert.Zero(t, src.Stats().Skipped)
	assert.Len(t, platforms, 5)
	assert.Greater(t, reposts, 800, "the viral post is reshared widely")
	assert.Greater(t, story, 20, "the ring story spreads")
	assert.Greater(t, rival, 400, "the competitors are talked about")
	assert.Equal(t, gen.FloodPosts, flood, "the copy-paste flood")
	assert.Equal(t, gen.BotPosts, bots, "the bot's posts")

	before := perHour[gen.Announcement().Add(-2*time.Hour)] + perHour[gen.Announcement().Add(-3*time.Hour)]
	during := perHour[gen.Announcement().Add(3*time.Hour)] + perHour[gen.Announcement().Add(4*time.Hour)]
	assert.Greater(t, during, 8*before, "the complaint wave is far above the usual volume (%d vs %d)", during, before)
}

// Two people rarely write the same text: besides the bot's (left out
// here, as the examples leave them out before looking for
// near-duplicates), near-duplicates are the copy-paste flood (collapsed
// to one post) and a few percent of the rest, about as many as in real
// tweets.
func TestNearDuplicatesAreTheFlood(t *testing.T) {
	d := listen.NewNearDuplicates(0)
	posts, flood, others := 0, 0, 0
	for p, err := range sample.Source().Posts(context.Background()) {
		require.NoError(t, err)
		if p.Kind != listen.KindPost || p.Author.Bot {
			continue
		}
		posts++
		if d.Add(p.Text) {
			if bytes.Contains([]byte(p.Text), []byte("code OAK50")) {
				flood++
			} else {
				others++
			}
		}
	}
	assert.Equal(t, gen.FloodPosts-1, flood)
	assert.Less(t, float64(others), 0.05*float64(posts), "%d of %d posts", others, posts)
	t.Logf("%d posts: %d flood copies and %d others near-duplicate", posts, flood, others)
}
