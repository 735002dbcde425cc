// Package publish posts story threads to Mastodon (and Mastodon-API
// servers such as GoToSocial), Bluesky and X, or records them with
// [DryRun], and never posts a part twice.
//
// # Exactly once
//
// Every publisher keeps a journal of parts in a [story.Store] (default:
// memory; give it a [story.FileStore] or a database to survive restarts).
// Before each request the part is saved as pending, with its idempotency
// material: Mastodon's Idempotency-Key "earshot/<thread>/<part>", Bluesky's
// record key (a TID). A success saves the part as sent with its ID; a
// refusal (validation, auth) saves it as failed. When the outcome is
// unclear (timeout, connection reset, 5xx, X's 403 duplicate), the
// publisher looks the post up before any retry: Mastodon reads the
// account's recent statuses (GoToSocial ignores Idempotency-Key), Bluesky
// asks getRecord for the key (the reference PDS answers a duplicate key
// with a bare 500), X reads the user's recent posts. A part left pending by
// a crash is looked up the same way when the thread is published again, so
// publishing the same [story.Thread] (same ID) resumes after the last part
// really posted.
//
// Every post request is sent once per attempt: the shared HTTP layer the
// publishers send through keeps net/http (the host's client too) from
// sending a post again by itself. Left alone, http.Transport replays a
// request with an Idempotency-Key header and a rewindable body when a
// reused keep-alive connection fails after the request was written; with
// a server that ignores the key (GoToSocial) that made a second post the
// publisher never knew about. Every retry is the publisher's own, after
// its look-up.
//
// A failure that proves the request never reached the server (connection
// refused, a name that does not resolve, a certificate the client
// refuses) ends Publish at once with [ErrNotSent]: nothing to look up,
// nothing to wait for. A refusal by the platform (validation,
// authentication) is [ErrNotSent] too. Only a failure after the request
// may have arrived leads to a look-up, and to [ErrUnconfirmed] when the
// look-up cannot settle it; a look-up that cannot connect reports
// ErrUnconfirmed at once.
//
// Threads are posted in order, each part replying to the previous one
// (Mastodon in_reply_to_id; Bluesky reply root = part 1 and parent = the
// previous part, from createRecord's uri and cid; X
// reply.in_reply_to_tweet_id). A thread that answers someone else's post
// ([story.Thread] ReplyTo) starts with a reply to it. On Mastodon a post
// with a URL is first resolved to this server's ID (/api/v2/search with
// resolve=true), since IDs differ between instances; on Bluesky its CID
// and thread root are looked up with app.bsky.feed.getPosts. Every part is checked against the
// platform's [story.Rules] before the first request, so a thread is never
// left half-posted because of a part that was too long.
//
// # Rate limits and retries
//
// Requests go through the shared internal/httpx client: an injected
// [rate.Limiter] ([WithLimiter]) shares an API budget, the platforms'
// rate-limit headers (X-RateLimit-*, RateLimit-*, x-rate-limit-*) pause
// the client, and 429 is waited out (Retry-After or the reset, whichever
// is later). Posts are sent one attempt at a time; the publisher decides
// on retries with exponential backoff bounded by [WithMaxRetryTime]. Reads
// (look-ups, sessions) are retried by httpx.
//
// # Ownership: context, goroutines, errors
//
// The caller owns ctx; cancelling it stops Publish at once, leaving the
// current part pending in the journal for the next run. Publishers start
// no goroutines. Each is safe for concurrent use and publishes one thread
// at a time. Errors from Publish are [*PartError] values naming the
// thread and part; they unwrap to [ErrUnconfirmed] (the part may have
// been posted and the look-up could not settle it: publish again later,
// and the next run looks first), [ErrNotSent] (certainly not posted; with
// a [*listen.HTTPError] for a refusal, listen.ErrAuth for bad
// credentials), [ErrThreadChanged], [ErrMedia], a [*story.LengthError],
// or ctx.Err(). Tokens and passwords never appear in errors, logs or
// String/GoString output.
//
// # Images
//
// Images travel with their alt text in [story.Part]. Mastodon uploads them
// with POST /api/v2/media (alt text as description, at most 4, 1,500
// characters) and Bluesky with uploadBlob (an app.bsky.embed.images embed,
// at most 4, 1,000,000 bytes each); alt text is required. Uploads are kept
// in the journal so a retried post reuses them. X media upload is not
// implemented: the X publisher refuses parts with images ([ErrMedia])
// rather than drop them. [DryRun] records them.
package publish
