// Package httpx is the outbound HTTP layer shared by the listen adapters
// and the story publishers: request execution, the one retry loop, rate
// limiting, error types, Link headers, stall detection and secret
// redaction. It imports no domain package; package listen re-exports its
// error types (listen.HTTPError is HTTPError).
//
// # Requests
//
// Build one [Client] per platform (and credential) when the adapter is
// constructed, and call [Client.Do] for every request:
//
//	c := &httpx.Client{
//		Platform:  "mastodon",
//		HTTP:      hostClient,          // nil = DefaultHTTPClient()
//		UserAgent: "earshot/1.0",
//		Limiter:   limiter,             // *rate.Limiter, optional
//		RateLimit: httpx.ParseMastodon, // header format, optional
//		Retry:     httpx.Retry{MaxElapsed: maxRetry},
//		Counters:  &counters,           // retries and pauses counted here
//		Secrets:   []httpx.Secret{token},
//	}
//	resp, err := c.Do(ctx, req) // resp.Body is the whole body (<= MaxBody)
//
// Do waits for the limiter and for any pause demanded by exhausted
// rate-limit headers, sends the User-Agent, bounds each attempt by
// RequestTimeout, reads at most MaxBody bytes (50 MB by default; more is
// a permanent [*TooLargeError]), and retries network errors, 408, 425,
// 429 and 5xx through [Client.Run]. A request that is not idempotent
// (POST) reaches the server at most once per attempt: net/http's own
// silent replay on a broken keep-alive connection is turned off for it.
//
// # The retry loop
//
// [Client.Run] is the one retry loop: Do's requests, the adapters' polls
// and stream connections all go through it. The wait before a retry is
// the longest of the backoff interval (exponential with jitter), a 429's
// Retry-After or rate-limit reset, a 5xx's Retry-After up to
// Retry.RetryAfterCap (5 s by default: a restarting server's
// "Retry-After: 120" must not become a two-minute gap), and the platform
// floors. A wait that would pass MaxElapsed ends the retries; a wait over
// MaxPause is not slept but returned as the error that asked for it.
// Waits of [LongWait] or more are logged at info and counted as pauses.
// Errors are classified by type (see [IsRetryable]); an operation marks
// an error of its own as transient with [Again].
//
// Errors that reach the caller are final and typed: [*RateLimitError]
// (unwraps to [ErrRateLimited]), [*HTTPError] (401 and 403 unwrap to
// [ErrAuth] and are never retried, 404 and 410 to [ErrNotFound]),
// [*TooLargeError], [*NetworkError] (permanent ones, such as a DNS name
// not found, a TLS certificate that does not verify or an HTTP answer to
// HTTPS, unwrap to [ErrUnreachable] and are never retried), or ctx.Err().
//
// 304 Not Modified is a success (conditional GET). [Client.Open] is Do for
// streams: it returns the response with the body unread; wrap the body in
// [IdleReader] to turn a silent stream into a [*StallError] instead of a
// hang. Adapters that dial WebSockets themselves call [Client.WaitTurn]
// before a dial and map a refused handshake with [Client.StatusError].
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
// Client.Secrets, and [Client.Register] those learnt at run time
// (refreshed tokens): they are scrubbed, with their URL-encoded forms,
// from every error message (before it is cut to length) and every line
// logged through [Client.Log]. [RedactURL] hides user info and
// access_token and similar query values; every URL in an error from this
// package is redacted.
//
// # Concurrency
//
// A Client is safe for concurrent use once configured. A [Backoff] is not.
package httpx
