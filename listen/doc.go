// Package listen hears what is said: the [Post] type every platform's
// posts are turned into, the [Source] interface that yields them, and
// the pieces a host combines with an ordinary for loop.
//
//	src, _ := mastodon.New("https://mastodon.social", mastodon.Hashtag("coffee"), listen.Follow())
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
// [ErrAuth], [ErrNotFound], [ErrStalled], [ErrTooLarge] and
// [ErrUnreachable]; typed errors ([RateLimitError], [HTTPError],
// [NetworkError], [DecodeError]) carry the details. Credentials never
// appear in an error, a log record or a source's String.
//
// # Shared options
//
// Every adapter takes the options of this package; the adapters add their
// own (mastodon.WithToken, bluesky.WithDIDs), of the same [Option] type.
// Each shared option means the same everywhere:
//
//   - HTTP: [WithHTTPClient], [WithLimiter] (slowed further by the
//     platform's rate-limit headers), [WithUserAgent], [WithMaxBody],
//     [WithRequestTimeout] (one attempt), [WithStallTimeout] (a silent
//     stream).
//   - Retries: [WithRetryBackoff] (exponential, with jitter),
//     [WithMaxRetryTime] (how long transient failures are retried before
//     the last one is final), [WithRetryAfterCap] (the longest Retry-After
//     honoured on a 5xx), [WithPauseLimit] (the longest single wait; a
//     longer one is an error instead of a silent pause).
//   - Polling: [Follow], [WithInterval], [WithPageSize], [WithMaxPages].
//   - Position: [WithCursorStore], [WithSaveInterval], [WithDedupeSize].
//   - Visibility: [WithLogger], [WithOnSkip].
//
// Defaults that depend on the platform (its polling interval, its page
// sizes, its heartbeat) are given in each adapter's constructor.
//
// # Failures
//
// Network errors, 408, 425, 429, 5xx, garbled pages and dropped or silent
// streams are retried, honouring Retry-After (on a 5xx up to
// [WithRetryAfterCap]) and the rate-limit headers, for up to
// [WithMaxRetryTime]. Refused credentials (after one token refresh where
// the platform has one), a DNS name that does not exist, a TLS certificate
// that does not verify and an HTTP answer to an HTTPS request are final
// at once. Every wait of 5 s or more (a rate-limit reset, a Retry-After, a
// long backoff) is logged at info and counted in [Stats].Pauses; a wait
// longer than [WithPauseLimit] ends the run with a [*RateLimitError]
// instead of pausing for hours without a word.
//
// An item that cannot be decoded (an ID of the wrong type, a broken
// field) is skipped: counted in [Stats].Skipped, logged at warn with its
// ID and reason, and handed to the [WithOnSkip] hook; the rest of its page
// is delivered. A page over the size limit is asked for again with half
// the page size, down to the platform's smallest. A single item too large
// on its own is skipped past with a logged gap where the platform names
// it (Mastodon's Link header), and is a final [ErrTooLarge] elsewhere:
// raise [WithMaxBody].
//
// # Cursors: what is committed
//
// With [WithCursorStore], a source saves its position (a resume cursor:
// an opaque string) in a [CursorStore] as the host handles posts, and a
// new run resumes from it: [MemoryStore] for tests, [FileStore] for one
// process (atomic renames). A post is committed, and the cursor moved past
// it, only when the loop body returns normally for it with ctx still
// live. A post whose body broke out of the loop, panicked, or ran while
// ctx ended is not committed: a restarted run delivers it again. So a
// host that cannot handle a post breaks out and loses nothing, and a host
// that wants to stop after handling a post returns normally and breaks
// out on the next one. Delivery is at least once: after a crash, the posts
// handled since the last save come again ([Dedupe] drops them).
//
// Sources that count their work implement [StatsReporter]; export [Stats]
// to Prometheus, expvar or logs as the host prefers.
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
// longer than 64 KiB or nested deeper than 64 parentheses is a
// [*QueryError], and Compile and Match cost linear in its size.
package listen
