package httpx

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParseLink(f *testing.F) {
	f.Add(`<https://m.example/api/v1/timelines/public?max_id=1>; rel="next", <https://m.example/api/v1/timelines/public?min_id=2>; rel="prev"`)
	f.Add(`<a>; rel=next; title="x, \"y\"", <b>`)
	f.Add(`<<>>;;;,,"\`)
	f.Fuzz(func(t *testing.T, v string) {
		for _, l := range ParseLink(v) {
			if l.URL == "" {
				t.Fatalf("empty URL from %q", v)
			}
			if strings.ContainsRune(l.URL, '>') {
				t.Fatalf("URL %q contains '>'", l.URL)
			}
			if l.Rel != strings.ToLower(l.Rel) {
				t.Fatalf("rel not lower-cased: %q", l.Rel)
			}
		}
	})
}

func FuzzRateLimitHeaders(f *testing.F) {
	f.Add("300", "299", "2026-05-13T21:45:00.000000Z", "3000;w=300")
	f.Add("", "596.0", "123", "")
	f.Add("450", "0", "1778708800", "10;w=60, 100;w=3600")
	f.Add("-1", "NaN", "Inf", ";w=")
	at := time.Date(2026, 5, 13, 21, 40, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, limit, remaining, reset, policy string) {
		h := http.Header{}
		for _, p := range []string{"X-RateLimit-", "RateLimit-", "X-Rate-Limit-"} {
			h.Set(p+"Limit", limit)
			h.Set(p+"Remaining", remaining)
			h.Set(p+"Reset", reset)
		}
		h.Set("RateLimit-Policy", policy)
		for _, parse := range []RateLimitParser{ParseMastodon, ParseATProto, ParseReddit, ParseX} {
			rl, _ := parse(h, at)
			if rl.Limit < 0 || (rl.Remaining < 0 && rl.Remaining != -1) || rl.Window < 0 {
				t.Fatalf("negative values: %+v", rl)
			}
			if rl.Reset.After(at.Add(maxResetAhead + time.Second)) {
				t.Fatalf("reset too far ahead: %v", rl.Reset)
			}
		}
		if d, ok := ParseRetryAfter(reset, at); ok && (d < 0 || d > maxResetAhead) {
			t.Fatalf("retry-after out of range: %v", d)
		}
	})
}

func FuzzErrorMessage(f *testing.F) {
	f.Add([]byte(`{"error":"Too many requests"}`))
	f.Add([]byte(`{"message":"Unauthorized","error":401}`))
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := ErrorMessage(b)
		if !utf8.ValidString(m) || len(m) > 204 {
			t.Fatalf("bad message %q", m)
		}
	})
}
