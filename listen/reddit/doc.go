// Package reddit polls Reddit listings as a [listen.Source], with
// application-only OAuth.
//
//	src, err := reddit.New(clientID, clientSecret,
//		"linux:com.example.listener:v1.0.0 (by /u/yourname)",
//		reddit.Posts("golang"), listen.Follow(),
//		listen.WithCursorStore(store, "reddit:golang"))
//
// # Auth and User-Agent
//
// The source asks the token endpoint for an application-only token
// (client_credentials grant, HTTP Basic auth with the app's client id and
// secret), caches it and refreshes it a minute before it expires. A 401
// from the API refreshes the token once; a fresh token that is refused
// too ends the run with an error unwrapping to [listen.ErrAuth]. Bad
// client credentials are final at once. The secret and tokens are never
// printed.
//
// Reddit throttles default library User-Agents and bans browser
// look-alikes, so [New] rejects a missing or generic one; use
// "<platform>:<app ID>:<version> (by /u/<username>)".
//
// # Polling
//
// Each poll reads the first page of the listing ([Posts], [Comments],
// [Search], [SiteSearch]; limit=100, raw_json=1) and follows "after"
// while every item on a page is new, so a burst larger than a page is not
// lost. Unseen items are yielded oldest first (created_utc). A bounded
// seen-set of fullnames replaces the fragile "before" cursor, which
// returns nothing forever once its post is deleted. The cursor saved
// through [listen.WithCursorStore] is the list of recently delivered fullnames.
//
// # Rate limits and errors
//
// By default requests are spaced for the free tier (100 per minute per
// client id); [listen.WithLimiter] shares one budget among sources. The
// X-Ratelimit-Remaining (a float, "596.0") and X-Ratelimit-Reset (seconds
// until the window ends) headers slow the limiter down and pause requests
// when the window is exhausted. 429, 5xx, network errors and truncated
// bodies are retried with backoff; decoding tolerates Reddit's quirks
// (replies "", edited false or a timestamp, null numbers, "more" stubs),
// and a post that still does not decode is skipped and reported (see
// [listen.WithOnSkip]) while the rest of its page is delivered. When
// [listen.WithMaxPages] pages of new posts do not reach known ones, the
// older posts are skipped with a logged gap.
package reddit
