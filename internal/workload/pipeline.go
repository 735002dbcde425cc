package workload

import (
	"context"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/trend"
)

// NegativeKey is the key under which Pipeline's spikes count negative
// posts.
const NegativeKey = Key + "/negative"

// Pipeline is what a host writes with earshot for one brand: the query,
// VADER behind a cache, spikes of mentions and of negative mentions,
// trending hashtags, a sentiment shift and mention metrics, every
// detector at its defaults.
type Pipeline struct {
	Query    *listen.Query
	Scorer   sentiment.Scorer
	Spikes   trend.Spikes
	Trending trend.Sketch
	Shift    trend.Shift
	Metrics  trend.Metrics
}

// NewPipeline returns a Pipeline for [Query].
func NewPipeline() *Pipeline {
	return &Pipeline{Query: listen.MustCompile(Query), Scorer: sentiment.Cached(vader.New(), 10_000)}
}

// Observe runs one post through the pipeline and reports whether it
// matched the query.
func (p *Pipeline) Observe(ctx context.Context, post *listen.Post) bool {
	if !p.Query.Match(post) {
		return false
	}
	s, err := p.Scorer.Score(ctx, post.Text)
	if err != nil {
		return true // VADER does not fail; a remote scorer would be counted
	}
	at := post.Created
	p.Spikes.Observe(Key, at, 1)
	if s.Compound <= trend.DefaultNegative {
		p.Spikes.Observe(NegativeKey, at, 1)
	}
	for tag := range trend.EachHashtag(post.Text) {
		p.Trending.Observe(tag, at, 1)
	}
	p.Shift.Observe(Key, at, s.Compound, post.ID, post.Text)
	p.Metrics.Add(Mention(post, s.Compound))
	return true
}

// Mention is the post as [trend.Metrics] takes it.
func Mention(post *listen.Post, compound float64) trend.Mention {
	return trend.Mention{
		Key: Key, At: post.Created, ID: post.ID, Text: post.Text, Source: post.Platform,
		Author: post.Author.Handle, Followers: post.Author.Followers,
		Likes: post.Likes, Reposts: post.Reposts, Replies: post.Replies, Quotes: post.Quotes,
		Sentiment: compound,
	}
}
