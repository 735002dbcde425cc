package publish_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// call sends one request to h and returns the status, the headers and the
// decoded JSON body.
func call(h http.Handler, method, path, token, body string, header ...string) (int, http.Header, map[string]any) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, rec.Header(), out
}

// TestFakesFollowRealServers checks that the fakes behave as the real
// servers did on loopback (wire-formats.md §12), so that the publishers
// are tested against those habits.
func TestFakesFollowRealServers(t *testing.T) {
	t.Run("gotosocial", func(t *testing.T) {
		f := newFakeMastodon(true)
		var ids []string
		for range 2 {
			code, _, st := call(f, "POST", "/api/v1/statuses", f.Token, `{"status":"same"}`, "Idempotency-Key", "k1")
			require.Equal(t, 200, code)
			ids = append(ids, st["id"].(string))
		}
		assert.Len(t, f.posted(), 2, "Idempotency-Key is ignored")
		ulid := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)
		assert.Regexp(t, ulid, ids[0])
		assert.Less(t, ids[0], ids[1], "ULIDs sort in creation order")
		code, _, body := call(f, "POST", "/api/v1/statuses", f.Token, `{"status":"`+strings.Repeat("a", 5001)+`"}`)
		assert.Equal(t, 400, code, "validation is 400, not 422")
		assert.Contains(t, body["error"], "5000")
		_, _, inst := call(f, "GET", "/api/v2/instance", f.Token, "")
		assert.EqualValues(t, 5000, inst["configuration"].(map[string]any)["statuses"].(map[string]any)["max_characters"])
		f.RateLimited = 1
		code, _, body = call(f, "POST", "/api/v1/statuses", f.Token, `{"status":"x"}`)
		assert.Equal(t, 429, code)
		assert.Equal(t, "rate limit reached", body["error"])
	})
	t.Run("mastodon", func(t *testing.T) {
		f := newFakeMastodon(false)
		for range 2 {
			call(f, "POST", "/api/v1/statuses", f.Token, `{"status":"same"}`, "Idempotency-Key", "k1")
		}
		assert.Len(t, f.posted(), 1, "Idempotency-Key is honoured")
		code, _, _ := call(f, "POST", "/api/v1/statuses", f.Token, `{"status":"`+strings.Repeat("a", 501)+`"}`)
		assert.Equal(t, 422, code)
	})
	t.Run("pds", func(t *testing.T) {
		f := newFakeBluesky()
		code, _, body := call(f, "POST", "/xrpc/com.atproto.server.createSession", "", `{"identifier":"hens.test","password":"wrong"}`)
		assert.Equal(t, 401, code)
		assert.Equal(t, "AuthenticationRequired", body["error"])
		code, _, body = call(f, "GET", "/xrpc/com.atproto.repo.getRecord?repo="+f.DID, "not-a-token", "")
		assert.Equal(t, 400, code)
		assert.Equal(t, "InvalidToken", body["error"])
		_, _, sess := call(f, "POST", "/xrpc/com.atproto.server.createSession", "", `{"identifier":"hens.test","password":"`+f.Password+`"}`)
		tok := sess["accessJwt"].(string)
		rec := `{"repo":"` + f.DID + `","collection":"app.bsky.feed.post","rkey":"%s","record":{"$type":"app.bsky.feed.post","text":"hi","createdAt":"2026-11-22T10:35:24.499Z"}%s}`
		code, _, body = call(f, "POST", "/xrpc/com.atproto.repo.createRecord", tok, fmt.Sprintf(rec, "3n2vg6j7qzk2z", ""))
		require.Equal(t, 200, code)
		assert.Equal(t, "valid", body["validationStatus"])
		code, _, body = call(f, "POST", "/xrpc/com.atproto.repo.createRecord", tok, fmt.Sprintf(rec, "3n2vg6j7qzk2z", ""))
		assert.Equal(t, 500, code, "a duplicate record key is a bare 500")
		assert.Equal(t, "InternalServerError", body["error"])
		code, _, body = call(f, "POST", "/xrpc/com.atproto.repo.putRecord", tok, fmt.Sprintf(rec, "3n2vg6j7qzk2z", `,"swapRecord":null`))
		assert.Equal(t, 400, code)
		assert.Equal(t, "InvalidSwap", body["error"])
		code, _, body = call(f, "POST", "/xrpc/com.atproto.repo.createRecord", tok, fmt.Sprintf(rec, "not-a-tid", ""))
		assert.Equal(t, 400, code)
		assert.Equal(t, "InvalidRequest", body["error"])
		for _, extra := range []string{
			`,"langs":["en","de","fr","it"]`,
			`,"facets":[{"index":{"byteStart":0,"byteEnd":2},"features":[{"$type":"app.bsky.richtext.facet#mention","did":"alice.test"}]}]`,
			`,"facets":[{"index":{"byteStart":0,"byteEnd":2},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"example.com"}]}]`,
			`,"facets":[{"index":{"byteStart":0,"byteEnd":2},"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"` + strings.Repeat("t", 65) + `"}]}]`,
		} {
			bad := strings.Replace(rec, `}%s}`, extra+`}%s}`, 1)
			code, _, body = call(f, "POST", "/xrpc/com.atproto.repo.createRecord", tok, fmt.Sprintf(bad, "3n2vg6j7qzk3z", ""))
			assert.Equal(t, 400, code, extra)
			assert.Equal(t, "InvalidRequest", body["error"], extra)
		}
		assert.Len(t, f.Records, 1)
	})
	t.Run("starting", func(t *testing.T) {
		h := startingUp(newFakeMastodon(true), time.Now().Add(time.Hour))
		code, hdr, _ := call(h, "GET", "/api/v1/accounts/verify_credentials", "masto-secret-token", "")
		assert.Equal(t, 503, code)
		assert.Equal(t, "120", hdr.Get("Retry-After"))
		assert.Len(t, hdr.Values("Retry-After"), 2) // "120", then the same as an HTTP date
	})
}
