// Package httpx is the HTTP layer shared by the listen adapters (and story
// publishers): request execution, retries, rate limiting, error mapping,
// Link headers, stall detection and secret redaction, in one place.
//
// # Requests
//
// Build one [Client] per platform (and credential) when the adapter is
// constructed, and call [Client.Do] for every request:
//
//	c := &httpx.Client{
//		Platform:  "mastodon",
//		HTTP:      cfg.httpClient,         // host's *http.Client; nil = DefaultHTTPClient()
//		UserAgent: "earshot/1.0",
//		Limiter:   cfg.limiter,            // *rate.Limiter, optional
//		RateLimit: httpx.ParseMastodon,    // header format, optional
//		Retry:     httpx.Retry{MaxElapsed: cfg.maxRetry},
//		Counters:  &src.counters,          // Retry() counted here
//		Secrets:   []httpx.Secret{cfg.token},
//	}
//	resp, err := c.Do(ctx, req) // resp.Body is the whole body (<= MaxBody)
//
// Do waits for the limiter and for any pause demanded by exhausted
// rate-limit headers, sends the User-Agent, bounds each attempt by
// RequestTimeout (a server that never answers), reads at most MaxBody
// bytes (50 MB by default; more is a permanent [*TooLargeError]), and
// retries network errors, 408, 425, 429 and 5xx with exponential backoff
// and jitter (cenkalti/backoff, kept internal: policies are plain
// durations in [Retry]). The wait before a retry is the longest of the
// backoff interval, Retry-After (seconds or HTTP date), the rate-limit
// reset from the headers, and the platform floors MinRateLimitWait and
// MinServerWait. A wait that would pass MaxElapsed ends the retries.
//
// Errors that reach the caller are final and typed:
//   - [*listen.RateLimitError] (unwraps to listen.ErrRateLimited) for 429,
//   - [*listen.HTTPError] for any other status; 401 and 403 unwrap to
//     listen.ErrAuth and are never retried, 404 and 410 to listen.ErrNotFound,
//   - [*TooLargeError] for a body over the limit,
//   - a network error naming the method and the redacted URL,
//   - ctx.Err() when ctx is done (adapters then end quietly).
//
// 304 Not Modified is a success (conditional GET). [Client.Open] is Do for
// streams: it returns the response with the body unread; wrap the body in
// [IdleReader] to turn ten silent minutes into a [*StallError]
// (unwrapping to listen.ErrStalled) instead of a hang.
//
// Adapters that run their own reconnect loops (WebSocket dials) use
// [NewBackoff], [Sleep], [Client.WaitTurn] and [Client.StatusError].
//
// # Rate-limit headers
//
// [RateLimit] is one struct for the four header dialects:
// [ParseMastodon] (ISO 8601 instant with microseconds), [ParseATProto]
// (unix seconds plus RateLimit-Policy window), [ParseReddit] (float
// remaining, seconds-until reset) and [ParseX] (unix seconds). Set one as
// Client.RateLimit: an exhausted window pauses the client until the
// reset, and a Limiter is slowed to spread the remaining requests over
// the rest of the window (never raised above the host's own rate).
// [ParseRetryAfter] reads Retry-After.
//
// # Links
//
// [ParseLinks] and [LinkRel] read RFC 8288 Link headers (Mastodon paging).
//
// # Secrets
//
// Store credentials as [Secret]: it prints as "[REDACTED]". List them in
// Client.Secrets so they are scrubbed from error messages and logs.
// [RedactURL] hides access_token and similar query values; every URL in
// an error from this package is redacted.
//
// # Concurrency
//
// A Client is safe for concurrent use once configured. A [Backoff] is not.
package httpx
