// Package rss reads RSS, Atom and JSON Feed documents as a
// [listen.Source]. Parsing is done by github.com/mmcdole/gofeed; fetching
// is done here, because gofeed's ParseURL has no conditional GET and
// reports 304 as an error.
//
// # Polling
//
// One [Source] polls several feeds: once each, or, with [listen.Follow], until
// ctx is done, each at its own interval ([Feed.Interval], else
// [listen.WithInterval]; a longer Cache-Control max-age
// from the server wins). Every request carries If-None-Match and
// If-Modified-Since from the previous answer, so an unchanged feed costs
// a 304 without a body; servers that ignore validators are handled by the
// item dedupe. Bodies are fetched with gzip and limited in size
// ([listen.WithMaxBody]).
//
// Transient failures (network errors, 429 with Retry-After in seconds or
// as a date, 5xx) are retried with backoff; a feed that still fails, or
// sends a document that does not parse (an HTML page, say: skipped and
// reported), is polled again later with exponential backoff, logged at
// warn; a Retry-After is honoured up to [listen.WithPauseLimit]. A permanent redirect (301, 308) moves the feed to
// its new URL; 410 Gone stops polling it. Refused credentials (401, 403)
// end the source with an error unwrapping to [listen.ErrAuth], and so
// does every feed being gone ([listen.ErrNotFound]).
//
// # Items
//
// Items are yielded oldest first. The first poll of a feed yields what it
// holds; later polls only items not seen before, keyed by GUID (Atom id,
// JSON Feed id), else link, else a hash of title, date and description.
// An item whose updated date moves forward comes again as
// [listen.KindUpdate]. A post's ID is the key when it is an absolute URI
// (http, tag:, urn:), else the feed URL + "#" + key; Text is the title and
// the content (or description) converted from HTML to plain text, with
// the links of the content in Links and the categories in Tags.
//
// With [listen.WithCursorStore], each feed's validators, current URL and seen keys
// ([listen.WithDedupeSize] of them, at least twice the feed's length) are saved after
// every poll and when Posts returns, so a restart neither repeats nor
// skips items.
//
// # Concurrency
//
// A Source is safe for concurrent use; each Posts call polls on its own.
// The sequence ends quietly when ctx is done or the loop breaks.
package rss
