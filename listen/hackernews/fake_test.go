package hackernews

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/internal/faulttest"
)

// fake serves Algolia's search_by_date (newest first, numericFilters
// created_at_i>=T, hitsPerPage/page, the 1,000-hit cap) and Firebase's
// maxitem/item endpoints (null for not yet visible items), with faults.
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	hits     []map[string]any // all published hits
	visible  int              // hits[:visible] are indexed
	items    map[int64][]byte // Firebase items; absent = null
	maxItem  int64
	rng      *rand.Rand
	faultPct int
	faults   faulttest.Counts
	template map[string]any
	gzipped  atomic.Int64
	downTill time.Time // a restart: 503 until then
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, rng: rand.New(rand.NewSource(7)), faults: faulttest.Counts{}, items: map[int64][]byte{}}
	raw, err := os.ReadFile("testdata/hit_comment.json")
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(raw, &f.template)
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/search_by_date", f.search)
	mux.HandleFunc("/v0/maxitem.json", f.maxitem)
	mux.HandleFunc("/v0/item/", f.item)
	f.srv = httptest.NewServer(faulttest.Gzip(mux, &f.gzipped))
	t.Cleanup(func() { f.srv.CloseClientConnections(); f.srv.Close() })
	return f
}

// publish adds n hits created at the given second; lag of them stay
// unindexed until the next publish (Algolia indexes late).
func (f *fake) publish(n int, at int64) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for i := 0; i < n; i++ {
		id := strconv.Itoa(42000000 + len(f.hits))
		h := map[string]any{}
		for k, v := range f.template {
			h[k] = v
		}
		h["objectID"] = id
		h["created_at_i"] = at
		h["comment_text"] = fmt.Sprintf("comment %s &amp; more", id)
		f.hits = append(f.hits, h)
		ids = append(ids, id)
	}
	f.visible = len(f.hits)
	return ids
}

// fault draws whether to inject a fault of kind (caller holds f.mu).
func (f *fake) fault(kind string) bool { return f.faults.Hit(f.rng, f.faultPct, kind) }

// common faults; returns true if it answered.
func (f *fake) injected(w http.ResponseWriter) (bool, bool, bool) {
	switch {
	case time.Now().Before(f.downTill):
		f.faults.Add("restart-503")
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusServiceUnavailable)
		return true, false, false
	case f.fault(faulttest.RestartState):
		// A restart: every connection cut, 503 for a moment.
		f.downTill = time.Now().Add(5 * time.Millisecond)
		go f.srv.CloseClientConnections()
		w.WriteHeader(http.StatusServiceUnavailable)
		return true, false, false
	case f.fault(faulttest.HTML200):
		faulttest.HTMLPage(w)
		return true, false, false
	case f.fault(faulttest.HugeRetry):
		faulttest.HugeRetryAfter(w, []int{429, 503, 503, 503}[f.rng.Intn(4)]) // a 429 ends the run (pause limit): rarer
		return true, false, false
	case f.fault("429"):
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"message":"Too many requests","status":429}`)
		return true, false, false
	case f.fault("5xx"):
		w.WriteHeader(http.StatusBadGateway)
		return true, false, false
	}
	return false, f.fault("truncated"), f.fault("drop")
}

func write(w http.ResponseWriter, body string, truncated, drop bool) {
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

func (f *fake) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	done, truncated, drop := f.injected(w)
	if done {
		f.mu.Unlock()
		return
	}
	var since, upper int64
	upper = 1 << 62
	if nf := q.Get("numericFilters"); nf != "" {
		for _, cond := range strings.Split(nf, ",") {
			if v, ok := strings.CutPrefix(cond, "created_at_i>="); ok {
				since, _ = strconv.ParseInt(v, 10, 64)
			} else if v, ok := strings.CutPrefix(cond, "created_at_i<="); ok {
				upper, _ = strconv.ParseInt(v, 10, 64)
			} else {
				f.mu.Unlock()
				w.WriteHeader(400)
				io.WriteString(w, `{"message":"unsupported filter","status":400}`)
				return
			}
		}
	}
	per, _ := strconv.Atoi(q.Get("hitsPerPage"))
	if per <= 0 {
		per = 20
	}
	page, _ := strconv.Atoi(q.Get("page"))
	var match []map[string]any
	for _, h := range f.hits[:f.visible] {
		if at := h["created_at_i"].(int64); at >= since && at <= upper {
			match = append(match, h)
		}
	}
	// newest first; same-second order by objectID descending
	sort.SliceStable(match, func(i, j int) bool {
		a, b := match[i]["created_at_i"].(int64), match[j]["created_at_i"].(int64)
		if a != b {
			return a > b
		}
		return match[i]["objectID"].(string) > match[j]["objectID"].(string)
	})
	nb := len(match)
	if len(match) > 1000 {
		match = match[:1000]
	}
	lo, hi := page*per, (page+1)*per
	if lo > len(match) {
		lo = len(match)
	}
	if hi > len(match) {
		hi = len(match)
	}
	pageHits := append([]map[string]any(nil), match[lo:hi]...)
	if len(pageHits) > 1 && f.fault("reorder") {
		f.rng.Shuffle(len(pageHits), func(i, j int) { pageHits[i], pageHits[j] = pageHits[j], pageHits[i] })
	}
	if len(pageHits) > 0 && f.fault("duplicate") {
		pageHits = append(pageHits, pageHits[0])
	}
	if f.fault(faulttest.BadItem) {
		// A hit whose objectID is a number: skipped, not a failed page.
		pageHits = append(pageHits, map[string]any{"objectID": 1e6 + f.rng.Intn(1000), "created_at_i": since})
	}
	nbPages := (min(nb, 1000) + per - 1) / per
	body, _ := json.Marshal(map[string]any{"hits": pageHits, "nbHits": nb, "page": page, "nbPages": nbPages,
		"hitsPerPage": per, "processingTimeMS": 1, "query": q.Get("query"), "params": r.URL.RawQuery})
	f.mu.Unlock()
	write(w, string(body), truncated, drop)
}

func (f *fake) maxitem(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	done, truncated, drop := f.injected(w)
	m := f.maxItem
	f.mu.Unlock()
	if !done {
		write(w, strconv.FormatInt(m, 10), truncated, drop)
	}
}

func (f *fake) item(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v0/item/"), ".json"), 10, 64)
	if err != nil {
		w.WriteHeader(400)
		return
	}
	f.mu.Lock()
	done, truncated, drop := f.injected(w)
	b, ok := f.items[id]
	f.mu.Unlock()
	if done {
		return
	}
	if !ok {
		write(w, "null", false, false)
		return
	}
	write(w, string(b), truncated, drop)
}

// addItems creates n Firebase items after maxItem; the last hidden ones
// answer null until reveal.
func (f *fake) addItems(n, hidden int) []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []int64
	for i := 0; i < n; i++ {
		f.maxItem++
		id := f.maxItem
		ids = append(ids, id)
		if i >= n-hidden {
			continue
		}
		f.items[id] = itemJSON(id)
	}
	return ids
}

func itemJSON(id int64) []byte {
	if id%10 == 0 {
		return []byte(fmt.Sprintf(`{"id":%d,"type":"story","by":"pg","time":1314211127,"title":"Story %d","url":"https://example.com/%d","score":5,"descendants":0}`, id, id, id))
	}
	return []byte(fmt.Sprintf(`{"by":"norvig","id":%d,"parent":%d,"text":"Comment %d<p>two","time":1314211127,"type":"comment"}`, id, id-1, id))
}

func (f *fake) reveal(ids ...int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		f.items[id] = itemJSON(id)
	}
}
