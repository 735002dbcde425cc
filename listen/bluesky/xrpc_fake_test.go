package bluesky

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/internal/faulttest"
)

const (
	testHandle   = "alice.test"
	testPassword = "abcd-efgh-ijkl-mnop"
)

// fakeXRPC is an httptest server for the XRPC calls Search makes:
// createSession (counted), refreshSession with rotation, ExpiredToken
// (400) after a number of uses of an access token, searchPosts
// (sort=latest, since, limit, opaque cursor) with RateLimit-* headers,
// and optional faults: 429, 5xx, truncated JSON, duplicates.
type fakeXRPC struct {
	*httptest.Server
	mu        sync.Mutex
	posts     []postView // oldest first
	logins    int
	refreshes int
	access    map[string]int // live access tokens -> uses left
	refresh   map[string]bool
	ttl       int // uses per access token
	n         int
	rng       *rand.Rand
	faultRate float64
	faults    faulttest.Counts
	requests  int
	total     int  // publish up to this many posts, one or two per request once served
	served    bool // a search has been answered
	gzipped   atomic.Int64
	downTill  time.Time      // a restart: 503 until then
	answered  map[string]int // pages served per access token
}

func newFakeXRPC(t testing.TB) *fakeXRPC {
	f := &fakeXRPC{access: map[string]int{}, refresh: map[string]bool{}, ttl: 1 << 30, rng: rand.New(rand.NewSource(9)), faults: faulttest.Counts{}, answered: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/xrpc/com.atproto.server.createSession", f.createSession)
	mux.HandleFunc("/xrpc/com.atproto.server.refreshSession", f.refreshSession)
	mux.HandleFunc("/xrpc/app.bsky.feed.searchPosts", f.searchPosts)
	f.Server = httptest.NewServer(faulttest.Gzip(mux, &f.gzipped))
	t.Cleanup(f.Server.Close)
	return f
}

func xrpcErr(w http.ResponseWriter, status int, name, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": name, "message": msg})
}

// publish adds a post indexed now (caller holds mu).
func (f *fakeXRPC) publish() {
	i := len(f.posts)
	now := time.Now().UTC()
	did := fmt.Sprintf("did:plc:author%03d", i%40)
	v := postView{URI: atURI(did, CollectionPost, fmt.Sprintf("3lq7%09d", i)), CID: "bafyreiexample" + strconv.Itoa(i), IndexedAt: now.Format("2006-01-02T15:04:05.000Z"),
		ReplyCount: i % 3, RepostCount: i % 5, LikeCount: i % 7, QuoteCount: i % 2}
	v.Author.DID, v.Author.Handle, v.Author.DisplayName = did, fmt.Sprintf("author%d.example", i%40), "Author"
	v.Record = record{Text: fmt.Sprintf("Read this post %d #golang", i), CreatedAt: now.Add(-time.Second).Format(time.RFC3339Nano), Langs: []string{"en"}}
	f.posts = append(f.posts, v)
}

func (f *fakeXRPC) newSession() map[string]string {
	f.n++
	a, r := fmt.Sprintf("eyJhbGciOi.access%d.sig", f.n), fmt.Sprintf("eyJhbGciOi.refresh%d.sig", f.n)
	f.access[a] = f.ttl
	f.refresh[r] = true
	return map[string]string{"did": "did:plc:alice", "handle": testHandle, "accessJwt": a, "refreshJwt": r}
}

func (f *fakeXRPC) createSession(w http.ResponseWriter, r *http.Request) {
	var body struct{ Identifier, Password string }
	json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logins++
	if body.Identifier != testHandle || body.Password != testPassword {
		xrpcErr(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
		return
	}
	json.NewEncoder(w).Encode(f.newSession())
}

func (f *fakeXRPC) refreshSession(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.refresh[tok] {
		xrpcErr(w, http.StatusBadRequest, "ExpiredToken", "Token has been revoked")
		return
	}
	delete(f.refresh, tok) // rotation: a refresh token works once
	f.refreshes++
	json.NewEncoder(w).Encode(f.newSession())
}

func (f *fakeXRPC) searchPosts(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	f.requests++
	if time.Now().Before(f.downTill) {
		f.faults["restart-503"]++
		f.mu.Unlock()
		xrpcErr(w, http.StatusServiceUnavailable, "NotEnoughResources", "starting")
		return
	}
	uses, ok := f.access[tok]
	if !ok {
		f.mu.Unlock()
		xrpcErr(w, http.StatusBadRequest, "InvalidToken", "Bad token")
		return
	}
	if uses <= 0 {
		f.mu.Unlock()
		xrpcErr(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
		return
	}
	f.access[tok] = uses - 1
	if f.served {
		for n := f.rng.Intn(3); n > 0 && len(f.posts) < f.total; n-- {
			f.publish()
		}
	}
	reset := strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10)
	w.Header().Set("RateLimit-Limit", "3000")
	w.Header().Set("RateLimit-Policy", "3000;w=300")
	w.Header().Set("RateLimit-Reset", reset)
	fault := ""
	if f.faultRate > 0 && f.rng.Float64() < f.faultRate {
		fault = []string{"429", "502", "truncated", "duplicate", faulttest.TokenExpiry,
			faulttest.BadItem, faulttest.HTML200, faulttest.HugeRetry, faulttest.FarReset, faulttest.RestartState}[f.rng.Intn(10)]
		f.faults[fault]++
	}
	if fault == faulttest.RestartState && f.answered[tok] == 0 {
		// A session that has not been answered yet was made after the last
		// restart: a client that renews once must be able to use it.
		fault = ""
		f.faults[faulttest.RestartState]--
	}
	if fault == faulttest.RestartState {
		// The PDS restarts and forgets every session: access and refresh
		// tokens alike; the client logs in again.
		f.access, f.refresh = map[string]int{}, map[string]bool{}
		f.downTill = time.Now().Add(5 * time.Millisecond)
		f.mu.Unlock()
		go f.Server.CloseClientConnections()
		xrpcErr(w, http.StatusServiceUnavailable, "NotEnoughResources", "restarting")
		return
	}
	q := r.URL.Query()
	if q.Get("q") == "" {
		f.mu.Unlock()
		xrpcErr(w, http.StatusBadRequest, "BadQueryString", "q is required")
		return
	}
	var since time.Time
	if s := q.Get("since"); s != "" {
		since, _ = time.Parse(time.RFC3339Nano, s)
	}
	var hits []postView // newest first
	for i := len(f.posts) - 1; i >= 0; i-- {
		if t := parseTime(f.posts[i].IndexedAt); !t.Before(since) {
			hits = append(hits, f.posts[i])
		}
	}
	if fault == faulttest.TokenExpiry {
		f.access[tok] = 0
	}
	f.mu.Unlock()
	switch fault {
	case "429":
		w.Header().Set("RateLimit-Remaining", "0")
		xrpcErr(w, http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
		return
	case "502":
		xrpcErr(w, http.StatusBadGateway, "UpstreamFailure", "Upstream Failure")
		return
	case faulttest.HTML200:
		faulttest.HTMLPage(w)
		return
	case faulttest.HugeRetry:
		faulttest.HugeRetryAfter(w, []int{429, 503}[len(hits)%2])
		return
	case faulttest.FarReset:
		// The window is spent until past the client's pause limit (in
		// fractional unix seconds, which the client reads, so tests stay
		// fast); the page itself is served.
		reset = strconv.FormatFloat(float64(time.Now().Add(12*time.Millisecond).UnixMicro())/1e6, 'f', 6, 64)
		w.Header().Set("RateLimit-Reset", reset)
		w.Header().Set("RateLimit-Remaining", "0")
	}
	if fault != faulttest.FarReset {
		w.Header().Set("RateLimit-Remaining", "2999")
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 25
	}
	off, _ := strconv.Atoi(q.Get("cursor"))
	end := min(off+limit, len(hits))
	page := hits[min(off, len(hits)):end]
	if fault == "duplicate" && len(page) > 0 {
		page = append(page, page[0])
	}
	posts := make([]any, 0, len(page)+1)
	for _, v := range page {
		posts = append(posts, v)
	}
	if fault == faulttest.BadItem {
		// A post view whose uri is a number: skipped, not a failed page.
		posts = append(posts, map[string]any{"uri": 5, "record": map[string]string{"text": "poison"}})
	}
	out := map[string]any{"posts": posts}
	if end < len(hits) {
		out["cursor"] = strconv.Itoa(end)
	}
	b, _ := json.Marshal(out)
	if fault == "truncated" {
		b = b[:len(b)/2]
	} else {
		f.mu.Lock()
		f.served = true
		f.answered[tok]++
		f.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
