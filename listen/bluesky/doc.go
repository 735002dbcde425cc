// Package bluesky reads Bluesky posts as a [listen.Source], in two ways,
// both a [Source]:
//
//   - [NewJetstream] follows the Jetstream firehose over WebSocket: every new
//     post (or, with [WithCollections], every repost and like, as
//     [listen.KindRepost] and [listen.KindLike] events whose Subject is
//     the at:// URI of the post) as it happens, with edits and deletes.
//   - [NewSearch] polls app.bsky.feed.searchPosts with an app password, for
//     keyword listening without the firehose: one pass, or, with
//     [listen.Follow], until ctx is done.
//
// # Posts
//
// A post's ID is its at:// URI (at://did/app.bsky.feed.post/rkey), its URL
// the bsky.app page, Author.ID the DID. Created is the record's createdAt,
// or the server's time_us when that is missing or malformed (createdAt is
// client-declared; order by time_us when it matters). Facets become Tags,
// Mentions (the handle as written, else the DID) and Links; reply refs
// become ReplyTo and Thread.
//
// # Delivery and resuming
//
// Jetstream reconnects with exponential backoff after any failure and
// replaces a connection that stays silent for [listen.WithStallTimeout] (Jetstream
// sends no heartbeat). It resumes from the newest event handled: with the
// sequence cursor when the server sends one (newer Jetstream builds; an
// exact replay), else with time_us rewound by [WithRewind], since events
// arrive out of time order and a time cursor replays a whole storage
// block. Sequence numbers are local to one server instance: when a
// sequence resume does not land on the last event handled (the host name
// led to another instance), the source resumes by time instead. Replays
// and duplicates are dropped by (did, collection, rkey,
// rev) in a bounded set ([listen.WithDedupeSize]). Identity and account events
// are not delivered, but a handle announced by an identity event is
// remembered (up to 10,000 accounts) and set as Author.Handle on that
// account's later posts. Author.Bot is set from a "bot" self-label on
// the post, or on the account's profile when [CollectionProfile] is among
// the collections (search results carry the profile's labels). A frame
// or result that does not decode is skipped and reported (counted in
// Stats().Skipped, logged at warn, handed to [listen.WithOnSkip]).
//
// With [listen.WithCursorStore] the cursor, with the keys of the newest events inside
// the rewind window (up to 4,096 of them), is saved after posts are
// handled (at most every [listen.WithSaveInterval], and when Posts returns), so
// a restarted process resumes without gaps and without repeats; after a
// crash, posts handled since the last save come again (at-least-once), as
// do, after a time-cursor restart, events beyond the 4,096 saved keys
// when more than that arrived within the rewind window.
//
// Search logs in once (com.atproto.server.createSession), refreshes the
// session when the server answers ExpiredToken (rotating the refresh
// token) and logs in again only when refreshing fails. It pages with the
// opaque cursor, sorts by latest, drops results already delivered by URI,
// and honours RateLimit-* headers and 429.
//
// # Backpressure
//
// Frames are read inside the iterator, one at a time, so a slow loop body
// slows the connection down instead of filling a queue. Jetstream drops a
// subscriber that falls 10,000 events behind; the source then reconnects
// from its cursor and catches up by replay, losing nothing as long as the
// server still holds the events (about a day).
//
// # Concurrency and errors
//
// Sources are safe for concurrent use; each Posts call runs on its own.
// The sequence ends quietly when ctx is done or the loop breaks, and all
// goroutines have stopped by then. An error yielded is final: transient
// failures were retried for up to [listen.WithMaxRetryTime]. Refused credentials
// unwrap to [listen.ErrAuth]; secrets never appear in errors, logs or
// String.
package bluesky
