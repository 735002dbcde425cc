// Package mastodon reads posts from Mastodon-API servers (Mastodon,
// GoToSocial, Pleroma and others) as a [listen.Source].
//
//	src, err := mastodon.New("https://mastodon.social", mastodon.Hashtag("golang"),
//		listen.Follow(),                                  // keep polling
//		listen.WithCursorStore(store, "mastodon:golang")) // resume after restarts
//	for p, err := range src.Posts(ctx) { ... }
//
// # Timelines and transports
//
// A [Source] reads one [Timeline]: [Public], [Local], [Hashtag], [Search]
// (needs a token and full-text search on the server) or [Home] (the
// token owner's home timeline and "user" stream).
//
// By default it polls REST: it walks forward with min_id, which never
// skips posts (since_id would), taking the next page at once while pages
// are full. Without [listen.Follow] it ends once caught up; with Follow it polls
// every [listen.WithInterval].
//
// [WithStream] reads the streaming API over [SSE] or [WebSocket] instead.
// The streaming API has no replay, so after every (re)connect the source
// backfills through REST from the last IDs it delivered, and drops
// duplicates by status ID. A malformed frame triggers a backfill too.
// Edits arrive as [listen.KindUpdate], deletions as [listen.KindDelete]
// (only ID set). A stream silent for longer than [listen.WithStallTimeout] is
// reconnected; reconnects back off exponentially.
//
// GoToSocial offers only the WebSocket, always needs a token, advertises
// a wrong wss:// URL on plain-http hosts (the source derives the
// WebSocket URL from the instance URL) and never delivers on hashtag
// streams: [WithFollowTag] follows the tag with the token's account and
// reads the "user" stream, keeping only statuses with the tag.
//
// # IDs and cursors
//
// Status IDs are opaque strings in the server's order: numeric strings on
// Mastodon (compared by length, then lexically), 26-character ULIDs on
// GoToSocial. With [listen.WithCursorStore] the newest delivered ID is saved after
// the loop body returns for each post, and a new run starts from it.
// Without a saved cursor, a run starts with the newest page.
//
// # Text
//
// Status HTML becomes plain text: paragraphs and <br> become newlines,
// entities are unescaped, links keep their full URL (including Mastodon's
// invisible spans), mentions and hashtags stay in the text as "@user" and
// "#tag" and are also listed in Post.Mentions and Post.Tags; links are in
// Post.Links. A content warning (spoiler_text) is put before the text.
//
// # Failures
//
// Network errors, 429 (waiting for X-RateLimit-Reset), 5xx (honouring a
// Retry-After up to [listen.WithRetryAfterCap]: GoToSocial answers 503
// with "Retry-After: 120" for a moment while it starts) and garbled pages
// are retried with backoff up to [listen.WithMaxRetryTime]; 401 and 403
// end the run at once with an error that unwraps to [listen.ErrAuth]. A
// status that does not decode is skipped and reported (see
// [listen.WithOnSkip]), and the rest of its page delivered. A page over
// the body limit is asked for again in smaller pages; a single status
// over it is skipped past through the page's Link header, with a logged
// gap. GoToSocial answers 404 ("tag was not found, or not
// useable/listable") for a hashtag no status has used yet: that is an
// empty timeline, logged once, and polling goes on. The token and the
// instance URL's user info are never printed. [Source.Stats] reports
// delivered posts, duplicates dropped, skipped items, retries, pauses,
// reconnects and lag. Author.Bot is the account's bot flag.
//
// # Concurrency
//
// A Source is safe for concurrent use; each call of Posts is an
// independent run. All goroutines and connections a run starts are gone
// when its loop ends.
package mastodon
