package bluesky

import (
	"context"
	"iter"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/adapter"
)

// Source is a [listen.Source] reading Bluesky: the Jetstream firehose
// ([NewJetstream]) or a search ([NewSearch]). It is safe for concurrent
// use.
type Source struct {
	run adapter.Source
}

// Posts implements [listen.Source]; see [NewJetstream] and [NewSearch]
// for what each kind of source yields and when it ends.
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] { return s.run.Posts(ctx) }

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.run.Stats() }

// String describes the source without secrets.
func (s *Source) String() string { return s.run.String() }
