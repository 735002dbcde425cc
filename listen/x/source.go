package x

import (
	"context"
	"iter"

	"github.com/earshot-dev/earshot/listen"
)

// Source is a [listen.Source] reading X: the recent search ([NewSearch])
// or the filtered stream ([NewStream]). It is safe for concurrent use.
type Source struct {
	c     *client
	name  string
	posts func(ctx context.Context) iter.Seq2[listen.Post, error]
}

// Posts implements [listen.Source]; see [NewSearch] and [NewStream] for
// what each kind of source yields and when it ends.
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] { return s.posts(ctx) }

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.c.b.Stats() }

// String describes the source without the token.
func (s *Source) String() string { return s.name }
