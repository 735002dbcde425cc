package reddit

import (
	"encoding/base64"
	"fmt"
	"io"
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

const testUA = "linux:dev.earshot.test:v0.1.0 (by /u/earshot_test)"

// fake is Reddit: the token endpoint (Basic auth, client_credentials),
// oauth listings newest first with after paging, X-Ratelimit headers
// (float remaining, seconds-until reset), UA checks and faults.
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	posts     [][]byte // ascending creation
	names     []string
	tokens    map[string]time.Time // token -> expiry
	id        string               // client credentials, when not cid:csecret
	secret    string
	tokenReqs int
	used      map[string]int // requests served per token
	ttl       time.Duration
	rng       *rand.Rand
	faultPct  int
	faults    faulttest.Counts
	gzipped   atomic.Int64
	downTill  time.Time // a restart: 503 until then
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, tokens: map[string]time.Time{}, used: map[string]int{}, ttl: time.Hour, rng: rand.New(rand.NewSource(3)), faults: faulttest.Counts{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/access_token", f.token)
	mux.HandleFunc("/r/golang/new", f.listing)
	mux.HandleFunc("/r/golang/search", f.listing)
	f.srv = httptest.NewServer(faulttest.Gzip(mux, &f.gzipped))
	t.Cleanup(func() { f.srv.CloseClientConnections(); f.srv.Close() })
	return f
}

func (f *fake) publish(n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for i := 0; i < n; i++ {
		k := len(f.posts)
		id := strconv.FormatInt(int64(1_000_000+k), 36)
		name := "t3_" + id
		created := 1547618271.0 + float64(k/2) // pairs share a second
		edited := `false`
		if k%3 == 0 {
			edited = `1547619000.5`
		}
		score := strconv.Itoa(k)
		if k%5 == 0 {
			score = "null"
		}
		b := fmt.Sprintf(`{"kind":"t3","data":{"subreddit":"golang","selftext":"body %d & <stuff>","author_fullname":"t2_x%d","title":"Post %d","name":"%s","is_self":true,"edited":%s,"id":"%s","author":"user%d","num_comments":%d,"permalink":"/r/golang/comments/%s/post/","url":"https://www.reddit.com/r/golang/comments/%s/post/","created_utc":%.1f,"score":%s,"upvote_ratio":0.9,"over_18":false,"link_flair_text":null}}`,
			k, k, k, name, edited, id, k, k, id, id, created, score)
		f.posts = append(f.posts, []byte(b))
		f.names = append(f.names, name)
		out = append(out, name)
	}
	return out
}

// fault draws whether to inject a fault of kind (caller holds f.mu).
func (f *fake) fault(kind string) bool { return f.faults.Hit(f.rng, f.faultPct, kind) }

func badUA(ua string) bool {
	return ua == "" || strings.HasPrefix(ua, "Go-http-client")
}

func (f *fake) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenReqs++
	if badUA(r.UserAgent()) {
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	id, secret := "cid", "csecret"
	if f.secret != "" {
		id, secret = f.id, f.secret
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	if r.Method != http.MethodPost || r.Header.Get("Authorization") != want {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message": "Unauthorized", "error": 401}`)
		return
	}
	r.ParseForm()
	if r.PostForm.Get("grant_type") != "client_credentials" {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error": "unsupported_grant_type"}`)
		return
	}
	if f.fault("token-5xx") {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	tok := fmt.Sprintf("tok-%d-Zq8RmW3xKp", f.tokenReqs)
	f.tokens[tok] = time.Now().Add(f.ttl)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token": %q, "token_type": "bearer", "expires_in": %d, "scope": "*"}`, tok, int(f.ttl/time.Second))
}

func (f *fake) listing(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if badUA(r.UserAgent()) {
		f.mu.Unlock()
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, ok := f.tokens[tok]
	// A token that already served requests may be revoked early (the
	// refresh-once path); a fresh one is always honoured.
	if time.Now().Before(f.downTill) {
		f.faults.Add("restart-503")
		f.mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if f.fault(faulttest.RestartState) {
		// A restart that forgets the tokens in use (a token issued since,
		// not yet used, is honoured: a client refreshes once, then its
		// 401 is final).
		for tok, n := range f.used {
			if n > 0 {
				delete(f.tokens, tok)
			}
		}
		f.downTill = time.Now().Add(5 * time.Millisecond)
		f.mu.Unlock()
		go f.srv.CloseClientConnections()
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if !ok || time.Now().After(exp) || (f.used[tok] > 0 && f.fault(faulttest.TokenExpiry)) {
		delete(f.tokens, tok)
		f.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message": "Unauthorized", "error": 401}`)
		return
	}
	w.Header().Set("X-Ratelimit-Used", "4")
	switch {
	case f.fault("429"):
		f.mu.Unlock()
		w.Header().Set("X-Ratelimit-Remaining", "0.0")
		w.Header().Set("X-Ratelimit-Reset", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `<html><body>Too Many Requests</body></html>`)
		return
	case f.fault("5xx"):
		f.mu.Unlock()
		w.WriteHeader(http.StatusBadGateway)
		return
	case f.fault(faulttest.HTML200):
		f.mu.Unlock()
		faulttest.HTMLPage(w)
		return
	case f.fault(faulttest.HugeRetry):
		code := []int{429, 503, 503, 503}[f.rng.Intn(4)]
		f.mu.Unlock()
		faulttest.HugeRetryAfter(w, code)
		return
	}
	farReset := f.fault(faulttest.FarReset)
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 25
	}
	limit = 7 // small pages make paging happen in tests
	start := len(f.posts) - 1
	if a := q.Get("after"); a != "" {
		start = -1
		for i, n := range f.names {
			if n == a {
				start = i - 1
			}
		}
	}
	var items [][]byte
	var last string
	for i := start; i >= 0 && len(items) < limit; i-- {
		items = append(items, f.posts[i])
		last = f.names[i]
	}
	if len(items) > 1 && f.fault("reorder") {
		f.rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	}
	if len(items) > 0 && f.fault("duplicate") {
		items = append(items, items[0])
	}
	if f.fault(faulttest.BadItem) {
		// A post whose score is not a number: skipped, not a failed page.
		items = append(items, []byte(`{"kind":"t3","data":{"id":"zzbad","name":"t3_zzbad","title":"bad","score":"lots","created_utc":1547618271.0}}`))
	}
	if f.fault("more-stub") {
		items = append(items, []byte(`{"kind":"more","data":{"count":1,"name":"t1_fye3844","id":"fye3844","parent_id":"t1_jkl","depth":6,"children":["fye3844"]}}`))
	}
	truncated, drop := f.fault("truncated"), f.fault("drop")
	if !truncated && !drop {
		f.used[tok]++ // the client has certainly used this token
	}
	f.mu.Unlock()
	after := "null"
	if len(items) >= limit && last != "" {
		after, _ = strconv.Unquote(strconv.Quote(last))
		after = `"` + after + `"`
	}
	var parts []string
	for _, it := range items {
		parts = append(parts, string(it))
	}
	body := fmt.Sprintf(`{"kind":"Listing","data":{"after":%s,"before":null,"dist":%d,"modhash":null,"children":[%s]}}`, after, len(items), strings.Join(parts, ","))
	w.Header().Set("X-Ratelimit-Remaining", "596.0")
	w.Header().Set("X-Ratelimit-Reset", "1") // seconds until the window ends
	if farReset {
		// The window is spent until past the client's pause limit (in
		// fractional seconds, which the client reads, so tests stay fast).
		w.Header().Set("X-Ratelimit-Remaining", "0.0")
		w.Header().Set("X-Ratelimit-Reset", "0.012")
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	switch {
	case truncated:
		io.WriteString(w, body[:len(body)/2])
	case drop:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body[:len(body)/3])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	default:
		io.WriteString(w, body)
	}
}
