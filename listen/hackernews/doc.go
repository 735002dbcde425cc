// Package hackernews reads Hacker News as a [listen.Source], through
// Algolia's search API ([New]) or the official Firebase API ([NewItems]);
// both return a [Source].
//
// # Search
//
// [New] polls search_by_date (newest first) with
// numericFilters=created_at_i>=T, where T is the newest delivered
// created_at_i minus an overlap ([WithOverlap], default 10 minutes):
// Algolia indexes items late, and a strict ">" would lose items of the
// same second. Hits are deduplicated by objectID and yielded oldest
// first. The cursor saved through [listen.WithCursorStore] holds T and the
// objectIDs delivered inside the overlap window, so a restart neither
// skips nor repeats. Algolia caps a query at 1,000 hits; when more
// matched, the source slices by time (created_at_i<= the oldest second
// reached) until it has them all.
//
// # Items
//
// [NewItems] walks item IDs from the saved cursor (the last processed ID) up
// to maxitem.json, reading item/{id}.json. An ID that answers null (not
// yet visible) is retried on later polls instead of being skipped;
// deleted and dead items are skipped.
//
// Both retry network errors, 429 and 5xx with backoff and truncated
// bodies like any transient failure, and end with a typed error from
// package listen when retrying does not help. Item and comment HTML
// becomes plain text; a story's title comes first; the story URL and
// links in the text are in Post.Links.
package hackernews
