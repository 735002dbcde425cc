// Package earshot is an embeddable toolkit for social listening and
// engagement: hear what is said about a business across networks, recognise
// a negative trend or a post taking off, and answer with posts, threads and
// stories.
//
// earshot is a set of small packages that a host connects with an ordinary
// for loop; there is no framework to start and nothing registers itself:
//
//   - [github.com/earshot-dev/earshot/listen]: the [listen.Post] type, the
//     [listen.Source] interface, queries, fan-in, dedupe, cursors and replay
//     files; one sub-package per platform (Mastodon, Bluesky, Reddit,
//     Hacker News, RSS/Atom, X).
//   - [github.com/earshot-dev/earshot/sentiment]: scorers, from a fast
//     VADER-compatible lexicon scorer to a trainable one and sentiment
//     towards a named target.
//   - [github.com/earshot-dev/earshot/trend]: volume spikes, trending
//     keys, sentiment shifts and virality, online and bounded in memory.
//   - [github.com/earshot-dev/earshot/story]: posts and threads within each
//     platform's limits, series, idempotent publishing and reply drafts.
//
// The runnable programs under examples/ are the starting points to copy;
// `go run ./examples/monitor` replays an embedded sample data set through
// the whole pipeline.
package earshot
