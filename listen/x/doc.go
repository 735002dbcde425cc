// Package x reads posts from the X API v2 as a [listen.Source], with an
// app-only bearer token:
//
//   - [NewSearch] polls recent search (/2/tweets/search/recent) with
//     since_id, paging with next_token, and yields new posts oldest first:
//     one poll, or, with [listen.Follow], until ctx is done.
//   - [NewStream] reads the filtered stream (/2/tweets/search/stream) with
//     the rules already set on the app, and, with [WithBackfill], fills
//     every reconnect gap with a recent search since the newest post seen.
//
// Both return a [Source].
//   - [Rules] lists, adds (with dry_run) and deletes the stream's rules;
//     [Rules.Sync] makes them equal to a wanted set at startup.
//
// # Posts
//
// A post's ID is the tweet ID (a decimal string, never parsed as a
// number), its URL the x.com status page. The author comes from the
// author_id expansion (handle, name, followers). Hashtags, mentions and
// expanded URLs come from entities; replies set ReplyTo, and Thread is
// the conversation ID; a retweet is a [listen.KindRepost] whose Subject is
// the retweeted ID. Public metrics fill Likes, Reposts, Replies and Quotes.
// The API reports no bot flag, so Author.Bot stays false. A tweet that
// does not decode is skipped and reported ([listen.WithOnSkip]).
//
// # Limits, retries and stalls
//
// Requests honour the x-rate-limit-* headers (reset in unix seconds): an
// exhausted window pauses the source until the reset, and a shared
// [rate.Limiter] from [listen.WithLimiter] is slowed down to spread what is left.
// Following X's guidance, retries wait at least 60 seconds after a 429
// (including the TooManyConnections refusal of a second stream
// connection) and 5 seconds after a 5xx, with exponential backoff above
// that. The stream is reconnected when it drops, when the server sends a
// disconnect error in the stream, or when nothing arrives, not even the
// keep-alive sent every ~20 s, for [listen.WithStallTimeout].
//
// With [listen.WithCursorStore] the newest post ID handled is saved as the since_id,
// so a restart (with [WithBackfill] for the stream) resumes without gaps
// or repeats.
//
// # Concurrency and errors
//
// Sources are safe for concurrent use; X allows one stream connection per
// app on most tiers. The sequence ends quietly when ctx is done or the
// loop breaks. Errors are final: a refused token ([listen.ErrAuth]), a
// rejected query, or failures that outlasted [listen.WithMaxRetryTime]. The
// token never appears in errors, logs or String.
package x
