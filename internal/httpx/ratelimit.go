package httpx

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit is a platform's rate-limit state as reported in response
// headers, normalised from the four reset formats into one time.Time.
// Limit and Remaining are floats because Reddit sends "596.0". A zero
// Reset means the header was absent.
type RateLimit struct {
	Limit     float64       // requests allowed in the window; 0 when unknown
	Remaining float64       // requests left in the window; -1 when unknown
	Reset     time.Time     // when the window resets; zero when unknown
	Window    time.Duration // window length (atproto RateLimit-Policy "3000;w=300"); 0 when unknown
}

// Exhausted reports whether no request is left in the window before Reset.
func (r RateLimit) Exhausted(at time.Time) bool {
	return r.Remaining == 0 && r.Reset.After(at)
}

// RateLimitParser reads a platform's rate-limit headers. at is the time
// the response arrived (needed for Reddit's seconds-until reset). It
// reports false when the headers carry no rate-limit information.
type RateLimitParser func(h http.Header, at time.Time) (RateLimit, bool)

// maxResetAhead bounds a reset instant: anything further in the future
// than this is treated as garbage rather than honoured.
const maxResetAhead = 48 * time.Hour

func parseNum(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, false
	}
	return f, true
}

// unixSeconds parses an integer or fractional unix time in seconds.
func unixSeconds(s string, at time.Time) (time.Time, bool) {
	f, ok := parseNum(s)
	if !ok || f > float64(at.Add(maxResetAhead).Unix()) {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

func secondsUntil(s string, at time.Time) (time.Time, bool) {
	f, ok := parseNum(s)
	if !ok || f > maxResetAhead.Seconds() {
		return time.Time{}, false
	}
	return at.Add(time.Duration(f * float64(time.Second))), true
}

func isoInstant(s string, at time.Time) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil || t.After(at.Add(maxResetAhead)) {
		return time.Time{}, false
	}
	return t, true
}

func fill(h http.Header, limitKey, remKey, resetKey string, at time.Time, reset func(string, time.Time) (time.Time, bool)) (RateLimit, bool) {
	rl := RateLimit{Remaining: -1}
	found := false
	if v, ok := parseNum(h.Get(limitKey)); ok {
		rl.Limit, found = v, true
	}
	if v, ok := parseNum(h.Get(remKey)); ok {
		rl.Remaining, found = v, true
	}
	if t, ok := reset(h.Get(resetKey), at); ok {
		rl.Reset, found = t, true
	}
	return rl, found
}

// ParseMastodon reads Mastodon's X-RateLimit-Limit, -Remaining and -Reset,
// where Reset is an ISO 8601 instant with microseconds
// ("2026-05-13T21:45:00.000000Z"). GoToSocial uses the same headers.
func ParseMastodon(h http.Header, at time.Time) (RateLimit, bool) {
	return fill(h, "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", at, isoInstant)
}

// ParseATProto reads atproto's RateLimit-Limit, -Remaining, -Reset (unix
// seconds) and RateLimit-Policy ("3000;w=300": the window in seconds).
func ParseATProto(h http.Header, at time.Time) (RateLimit, bool) {
	rl, ok := fill(h, "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", at, unixSeconds)
	if p := h.Get("RateLimit-Policy"); p != "" {
		// First policy item only: "<limit>;w=<seconds>[;...], ..."
		if i := strings.IndexByte(p, ','); i >= 0 {
			p = p[:i]
		}
		for _, part := range strings.Split(p, ";")[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			if strings.EqualFold(k, "w") {
				if f, ok2 := parseNum(v); ok2 && f <= maxResetAhead.Seconds() {
					rl.Window, ok = time.Duration(f*float64(time.Second)), true
				}
			}
		}
	}
	return rl, ok
}

// ParseReddit reads Reddit's X-Ratelimit-Used, -Remaining (a float as
// text, "596.0") and -Reset (seconds until the window ends, counted from
// at). Limit is Used+Remaining when both are present.
func ParseReddit(h http.Header, at time.Time) (RateLimit, bool) {
	rl, ok := fill(h, "", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", at, secondsUntil)
	if used, ok2 := parseNum(h.Get("X-Ratelimit-Used")); ok2 {
		ok = true
		if rl.Remaining >= 0 {
			rl.Limit = used + rl.Remaining
		}
	}
	return rl, ok
}

// ParseX reads X's x-rate-limit-limit, -remaining and -reset (unix seconds).
func ParseX(h http.Header, at time.Time) (RateLimit, bool) {
	return fill(h, "X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset", at, unixSeconds)
}

// ParseRetryAfter reads a Retry-After value: delay seconds ("120") or an
// HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"), relative to at. It reports
// false for an absent or malformed value. A date in the past is 0.
func ParseRetryAfter(v string, at time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if f, ok := parseNum(v); ok {
		if f > maxResetAhead.Seconds() {
			return 0, false
		}
		return time.Duration(f * float64(time.Second)), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(at)
	if d < 0 {
		d = 0
	}
	if d > maxResetAhead {
		return 0, false
	}
	return d, true
}
