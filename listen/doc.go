// Package listen hears what is said: the [Post] type every platform's
// posts are turned into, the [Source] interface that yields them, and
// the pieces a host combines with an ordinary for loop.
//
//	src, _ := mastodon.New("https://mastodon.social", mastodon.Hashtag("coffee"), mastodon.Follow())
//	q := listen.MustCompile(`larkspur OR @larkspur -giveaway`)
//	for p, err := range listen.Dedupe(listen.Filter(src, q.Keep), 50_000).Posts(ctx) {
//		if err != nil {
//			return err // final: transient failures were retried inside
//		}
//		handle(p)
//	}
//
// # Sources
//
// A [Source] is configured when it is built and only runs in Posts, which
// returns an iter.Seq2[Post, error]. One sub-package per platform builds
// sources: listen/mastodon, listen/bluesky, listen/reddit,
// listen/hackernews, listen/rss and listen/x; listen/replay reads and
// writes recordings, and listen/listentest is the conformance suite every
// source passes.
//
// The caller owns ctx. The sequence ends when the source is exhausted,
// quietly when ctx is done, or right after an error, which is always
// final: adapters retry transient failures themselves, with backoff and
// the platform's rate-limit headers. Breaking out of the loop stops
// everything the source started; no goroutine outlives the loop. Sources
// pull: the next page is fetched, or the next frame read, only after the
// loop body returns, so a slow host slows the source instead of filling a
// queue.
//
// Errors a host acts on unwrap to sentinels: [ErrRateLimited],
// [ErrAuth], [ErrNotFound], [ErrStalled] and [ErrTooLarge]; typed errors
// ([RateLimitError], [HTTPError], [DecodeError]) carry the details.
//
// # Combining sources
//
// [Merge] runs several sources at once (fan-in), [Filter] keeps the posts
// a function accepts, and [Dedupe] drops posts already delivered, in
// bounded memory. [DetectLang] fills in the language of posts that
// arrive without one (with package langid, or any detector). Each returns
// a Source, so they nest. [SourceFunc] turns a function into a Source.
//
// # Queries
//
// [Compile] turns a query such as `larkspur OR "price hike" -refund
// lang:en` into a [Query] whose Match is case- and accent-insensitive,
// works on whole words and does not allocate. See [Query] for the syntax.
// A query from a user or a file cannot crash or stall the program: one
// longer than [MaxQueryBytes] or nested deeper than [MaxDepth] is a
// [*QueryError], and Compile and Match cost linear in its size.
//
// # Cursors and counters
//
// Adapters save a resume cursor in a [CursorStore] after the host has
// handled each post, so a restarted program resumes without a gap:
// [MemoryStore] for tests, [FileStore] for one process (atomic renames).
// Sources that count their work implement [StatsReporter]; export
// [Stats] to Prometheus, expvar or logs as the host prefers.
package listen
