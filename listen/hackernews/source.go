package hackernews

import (
	"context"
	"iter"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/adapter"
)

// Source is a [listen.Source] reading Hacker News: Algolia's search
// ([New]) or the Firebase items ([NewItems]). It is a
// [listen.StatsReporter] and safe for concurrent use.
type Source struct {
	run adapter.Source
}

// Posts implements [listen.Source]; see [New] and [NewItems] for what
// each kind of source yields and when it ends.
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] { return s.run.Posts(ctx) }

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.run.Stats() }

// String describes the source without secrets.
func (s *Source) String() string { return s.run.String() }
