package httpx

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestRateLimitParsers(t *testing.T) {
	at := time.Date(2026, 5, 13, 21, 40, 0, 0, time.UTC)
	tests := []struct {
		name  string
		parse RateLimitParser
		h     http.Header
		want  RateLimit
		ok    bool
	}{
		{"mastodon", ParseMastodon, hdr("X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "299", "X-RateLimit-Reset", "2026-05-13T21:45:00.000000Z"),
			RateLimit{Limit: 300, Remaining: 299, Reset: time.Date(2026, 5, 13, 21, 45, 0, 0, time.UTC)}, true},
		{"mastodon micro", ParseMastodon, hdr("X-RateLimit-Reset", "2026-05-13T21:45:00.123456Z"),
			RateLimit{Remaining: -1, Reset: time.Date(2026, 5, 13, 21, 45, 0, 123456000, time.UTC)}, true},
		{"mastodon none", ParseMastodon, hdr(), RateLimit{Remaining: -1}, false},
		{"mastodon garbage", ParseMastodon, hdr("X-RateLimit-Reset", "soon", "X-RateLimit-Remaining", "NaN"), RateLimit{Remaining: -1}, false},
		{"atproto", ParseATProto, hdr("RateLimit-Limit", "3000", "RateLimit-Remaining", "2999", "RateLimit-Reset", "1778708700", "RateLimit-Policy", "3000;w=300"),
			RateLimit{Limit: 3000, Remaining: 2999, Reset: time.Unix(1778708700, 0), Window: 300 * time.Second}, true},
		{"reddit", ParseReddit, hdr("X-Ratelimit-Used", "4", "X-Ratelimit-Remaining", "596.0", "X-Ratelimit-Reset", "123"),
			RateLimit{Limit: 600, Remaining: 596, Reset: at.Add(123 * time.Second)}, true},
		{"reddit fractional", ParseReddit, hdr("X-Ratelimit-Remaining", "0.5", "X-Ratelimit-Reset", "7"),
			RateLimit{Remaining: 0.5, Reset: at.Add(7 * time.Second)}, true},
		{"x", ParseX, hdr("x-rate-limit-limit", "450", "x-rate-limit-remaining", "0", "x-rate-limit-reset", "1778708800"),
			RateLimit{Limit: 450, Remaining: 0, Reset: time.Unix(1778708800, 0)}, true},
		{"x far future ignored", ParseX, hdr("x-rate-limit-reset", "99999999999"), RateLimit{Remaining: -1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.parse(tc.h, at)
			assert.Equal(t, tc.ok, ok)
			assert.True(t, tc.want.Reset.Equal(got.Reset), "reset %v want %v", got.Reset, tc.want.Reset)
			got.Reset, tc.want.Reset = time.Time{}, time.Time{}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestExhausted(t *testing.T) {
	at := time.Now()
	assert.True(t, RateLimit{Remaining: 0, Reset: at.Add(time.Second)}.Exhausted(at))
	assert.False(t, RateLimit{Remaining: 0, Reset: at.Add(-time.Second)}.Exhausted(at))
	assert.False(t, RateLimit{Remaining: -1, Reset: at.Add(time.Second)}.Exhausted(at))
}

func TestParseRetryAfter(t *testing.T) {
	at := time.Date(2015, 10, 21, 7, 27, 0, 0, time.UTC)
	d, ok := ParseRetryAfter("120", at)
	assert.True(t, ok)
	assert.Equal(t, 2*time.Minute, d)
	d, ok = ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", at)
	assert.True(t, ok)
	assert.Equal(t, time.Minute, d)
	d, ok = ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", at)
	assert.True(t, ok)
	assert.Equal(t, time.Duration(0), d)
	for _, bad := range []string{"", "-1", "soon", "1e99"} {
		_, ok = ParseRetryAfter(bad, at)
		assert.False(t, ok, bad)
	}
}

func TestParseLink(t *testing.T) {
	v := `<https://mastodon.example/api/v1/timelines/tag/cats?max_id=103206185588894565>; rel="next", ` +
		`<https://mastodon.example/api/v1/timelines/tag/cats?min_id=103206804533200177>; rel="prev"`
	links := ParseLink(v)
	require.Len(t, links, 2)
	assert.Equal(t, "https://mastodon.example/api/v1/timelines/tag/cats?max_id=103206185588894565", links[0].URL)
	assert.Equal(t, "next", links[0].Rel)
	assert.Equal(t, "prev", links[1].Rel)

	h := hdr("Link", `<a,b>; rel=next; title="x, \"y\""`, "Link", `junk, <c>; REL="Prev Last"; rel=ignored`)
	all := ParseLinks(h)
	require.Len(t, all, 2)
	assert.Equal(t, "a,b", all[0].URL)
	assert.Equal(t, `x, "y"`, all[0].Params["title"])
	assert.True(t, all[1].HasRel("last"))
	assert.Equal(t, "c", LinkRel(h, "prev"))
	assert.Equal(t, "", LinkRel(h, "first"))
	assert.Empty(t, ParseLink(`<unterminated; rel=next`))
}
