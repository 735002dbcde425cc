package x

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

const token = "AAAAAAAAAAAAAAAAAAAAAsecretbearer%3Dtoken"

type fakeTweet struct {
	id, text, author string
	created          time.Time
}

// fakeX is an httptest server for X API v2: recent search (since_id,
// max_results, next_token, expansions, x-rate-limit-* headers) and the
// filtered stream (chunked "\r\n"-delimited JSON, bare "\r\n" keep-alives,
// in-stream errors, 429 TooManyConnections for a second connection), with
// optional fault injection.
type fakeX struct {
	*httptest.Server
	mu        sync.Mutex
	log       []fakeTweet
	total     int
	active    int
	rng       *rand.Rand
	faultRate float64
	faults    faulttest.Counts
	stall     time.Duration
	keepAlive time.Duration
	searches  int
	stop      chan struct{}
	perSearch bool // publish 0-2 tweets per search request once one was answered
	served    bool
	rules     []Rule
	ruleSeq   int
	gzipped   atomic.Int64
	downTill  time.Time // a restart: 503 until then
}

// restarted answers 503 while the server restarts; a restart-state fault
// starts one, cutting every connection. Caller holds f.mu; it reports
// whether it answered.
func (f *fakeX) restarted(w http.ResponseWriter, fault bool) bool {
	switch {
	case time.Now().Before(f.downTill):
		f.faults.Add("restart-503")
	case fault:
		f.faults.Add(faulttest.RestartState)
		f.downTill = time.Now().Add(5 * time.Millisecond)
		go f.Server.CloseClientConnections()
	default:
		return false
	}
	problemJSON(w, http.StatusServiceUnavailable, "Service Unavailable", "Service Unavailable")
	return true
}

// rulesHandler serves GET/POST /2/tweets/search/stream/rules with
// dry_run, duplicate detection and a syntax check (unbalanced parens).
func (f *fakeX) rulesHandler(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	meta := map[string]any{"sent": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodGet {
		json.NewEncoder(w).Encode(map[string]any{"data": f.rules, "meta": meta})
		return
	}
	var body struct {
		Add    []Rule `json:"add"`
		Delete *struct {
			IDs []string `json:"ids"`
		} `json:"delete"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		problemJSON(w, http.StatusBadRequest, "Invalid Request", err.Error())
		return
	}
	dry := r.URL.Query().Get("dry_run") == "true"
	var errs []map[string]any
	var created []Rule
	rules := append([]Rule(nil), f.rules...)
	for _, a := range body.Add {
		dup := false
		for _, have := range rules {
			if have.Value == a.Value {
				dup = true
				errs = append(errs, map[string]any{"value": a.Value, "id": have.ID, "title": "DuplicateRule", "type": "https://api.twitter.com/2/problems/duplicate-rules"})
			}
		}
		if dup {
			continue
		}
		if strings.Count(a.Value, "(") != strings.Count(a.Value, ")") {
			errs = append(errs, map[string]any{"value": a.Value, "details": []string{"Rules must contain balanced parentheses"}, "title": "UnprocessableEntity", "type": "https://api.twitter.com/2/problems/invalid-rules"})
			continue
		}
		f.ruleSeq++
		a.ID = strconv.Itoa(1273026480692322304 + f.ruleSeq)
		rules = append(rules, a)
		created = append(created, a)
	}
	if body.Delete != nil {
		var keep []Rule
		for _, have := range rules {
			if !contains(body.Delete.IDs, have.ID) {
				keep = append(keep, have)
			}
		}
		rules = keep
	}
	if !dry {
		f.rules = rules
	}
	out := map[string]any{"meta": meta}
	if len(created) > 0 {
		out["data"] = created
	}
	if len(errs) > 0 {
		out["errors"] = errs
	}
	json.NewEncoder(w).Encode(out)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func newFakeX(t testing.TB, total int) *fakeX {
	f := &fakeX{total: total, rng: rand.New(rand.NewSource(3)), faults: faulttest.Counts{}, keepAlive: 5 * time.Millisecond, stop: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/2/tweets/search/recent", f.search)
	mux.HandleFunc("/2/tweets/search/stream", f.stream)
	mux.HandleFunc("/2/tweets/search/stream/rules", f.rulesHandler)
	f.Server = httptest.NewServer(faulttest.Gzip(mux, &f.gzipped))
	t.Cleanup(func() { close(f.stop); f.Server.Close() })
	return f
}

// publish appends the next tweet to the log (caller holds mu).
func (f *fakeX) publish() (fakeTweet, bool) {
	if len(f.log) >= f.total {
		return fakeTweet{}, false
	}
	i := len(f.log)
	tw := fakeTweet{
		id:      strconv.FormatInt(1860000000000000000+int64(i)*4096+int64(f.rng.Intn(4000)), 10),
		text:    fmt.Sprintf("tweet %d about #golang with @gopher https://t.co/x%d", i, i),
		author:  strconv.Itoa(2244994945 + i%7),
		created: time.Now().UTC().Truncate(time.Millisecond),
	}
	f.log = append(f.log, tw)
	return tw, true
}

func tweetJSON(tw fakeTweet) map[string]any {
	return map[string]any{
		"id": tw.id, "text": tw.text, "author_id": tw.author, "lang": "en",
		"created_at":      tw.created.Format("2006-01-02T15:04:05.000Z"),
		"conversation_id": tw.id, "edit_history_tweet_ids": []string{tw.id},
		"public_metrics": map[string]int{"retweet_count": 1, "reply_count": 2, "like_count": 3, "quote_count": 0, "bookmark_count": 0, "impression_count": 40},
		"entities": map[string]any{
			"hashtags": []map[string]any{{"start": 16, "end": 23, "tag": "golang"}},
			"mentions": []map[string]any{{"start": 29, "end": 36, "username": "gopher", "id": "99"}},
			"urls":     []map[string]any{{"start": 37, "end": 60, "url": "https://t.co/x", "expanded_url": "https://go.dev/blog"}},
		},
	}
}

func userJSON(id string) map[string]any {
	n, _ := strconv.Atoi(id)
	return map[string]any{"id": id, "name": "User " + id, "username": fmt.Sprintf("user%d", n%100), "public_metrics": map[string]int{"followers_count": n % 1000}}
}

func problemJSON(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"title": title, "detail": detail, "type": "about:blank", "status": status})
}

func (f *fakeX) rateHeaders(w http.ResponseWriter, remaining int) {
	w.Header().Set("x-rate-limit-limit", "450")
	w.Header().Set("x-rate-limit-remaining", strconv.Itoa(remaining))
	// A reset just past: a real wait would be up to 15 minutes.
	w.Header().Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10))
}

func (f *fakeX) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+token {
		problemJSON(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized")
		return false
	}
	return true
}

func (f *fakeX) search(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	q := r.URL.Query()
	if q.Get("query") == "" {
		problemJSON(w, http.StatusBadRequest, "Invalid Request", "The `query` query parameter can not be empty")
		return
	}
	f.mu.Lock()
	f.searches++
	if f.perSearch && f.served {
		for range f.rng.Intn(3) {
			f.publish()
		}
	}
	fault := ""
	if f.faultRate > 0 && f.rng.Float64() < f.faultRate {
		fault = []string{"429", "503", "malformed", "duplicate", faulttest.HTML200, faulttest.HugeRetry, faulttest.FarReset, faulttest.BadItem, faulttest.RestartState}[f.rng.Intn(9)]
		if fault != faulttest.RestartState {
			f.faults.Add("search-" + fault)
		}
	}
	if f.restarted(w, fault == faulttest.RestartState) {
		f.mu.Unlock()
		return
	}
	since := q.Get("since_id")
	var start time.Time
	if st := q.Get("start_time"); st != "" {
		var err error
		if start, err = time.Parse(time.RFC3339, st); err != nil {
			f.mu.Unlock()
			problemJSON(w, http.StatusBadRequest, "Invalid Request", "bad start_time")
			return
		}
	}
	var hits []fakeTweet
	for i := len(f.log) - 1; i >= 0; i-- { // newest first
		if (since == "" || idLess(since, f.log[i].id)) && !f.log[i].created.Before(start) {
			hits = append(hits, f.log[i])
		}
	}
	f.mu.Unlock()
	switch fault {
	case "429":
		f.rateHeaders(w, 0)
		problemJSON(w, http.StatusTooManyRequests, "Too Many Requests", "Too Many Requests")
		return
	case "503":
		problemJSON(w, http.StatusServiceUnavailable, "Service Unavailable", "Service Unavailable")
		return
	case "malformed":
		f.rateHeaders(w, 100)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":[{"id":"1860000000000000001","text":"cut`)
		return
	case faulttest.HTML200:
		faulttest.HTMLPage(w)
		return
	case faulttest.HugeRetry:
		faulttest.HugeRetryAfter(w, []int{429, 503}[len(hits)%2])
		return
	}
	size, _ := strconv.Atoi(q.Get("max_results"))
	if size < 10 || size > 100 {
		size = 10
	}
	off := 0
	if tok := q.Get("next_token"); tok != "" {
		off, _ = strconv.Atoi(strings.TrimPrefix(tok, "t"))
	}
	end := min(off+size, len(hits))
	page := hits[min(off, len(hits)):end]
	data := []map[string]any{}
	users := map[string]bool{}
	var inc []map[string]any
	for _, tw := range page {
		data = append(data, tweetJSON(tw))
		if !users[tw.author] {
			users[tw.author] = true
			inc = append(inc, userJSON(tw.author))
		}
	}
	if fault == "duplicate" && len(page) > 0 {
		data = append(data, tweetJSON(page[0]))
	}
	if fault == faulttest.BadItem {
		// A tweet whose id is a number: skipped, not a failed page.
		data = append(data, map[string]any{"id": 1860000000000000001, "text": "poison"})
	}
	meta := map[string]any{"result_count": len(page)}
	if len(page) > 0 {
		meta["newest_id"], meta["oldest_id"] = page[0].id, page[len(page)-1].id
	}
	if end < len(hits) {
		meta["next_token"] = "t" + strconv.Itoa(end)
	}
	body := map[string]any{"meta": meta}
	if len(page) > 0 {
		body["data"], body["includes"] = data, map[string]any{"users": inc}
	}
	f.rateHeaders(w, 100)
	if fault == faulttest.FarReset {
		// The window is spent until past the client's pause limit (in
		// fractional unix seconds, which the client reads, so tests stay
		// fast).
		w.Header().Set("x-rate-limit-remaining", "0")
		w.Header().Set("x-rate-limit-reset", strconv.FormatFloat(float64(time.Now().Add(12*time.Millisecond).UnixMicro())/1e6, 'f', 6, 64))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(body)
	f.mu.Lock()
	f.served = true
	f.mu.Unlock()
}

func (f *fakeX) stream(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	if f.active > 0 {
		f.faults.Add("too-many-connections")
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"title":"ConnectionException","detail":"This stream is currently at the maximum allowed connection limit.","connection_issue":"TooManyConnections","type":"https://api.twitter.com/2/problems/streaming-connection"}`)
		return
	}
	if f.restarted(w, false) {
		f.mu.Unlock()
		return
	}
	if f.faultRate > 0 && f.rng.Float64() < f.faultRate {
		f.faults.Add("connect-503")
		f.mu.Unlock()
		problemJSON(w, http.StatusServiceUnavailable, "Service Unavailable", "Service Unavailable")
		return
	}
	f.active++
	// Tweets posted while nobody was connected (after the first
	// connection): only a backfill finds them.
	for n := f.rng.Intn(3); n > 0 && len(f.log) > 0; n-- {
		f.publish()
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.active--
		f.mu.Unlock()
	}()
	fl := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	write := func(s string) bool {
		if _, err := fmt.Fprint(w, s); err != nil {
			return false
		}
		fl.Flush()
		return true
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-f.stop:
			return
		default:
		}
		f.mu.Lock()
		tw, ok := f.publish()
		fault := ""
		if ok && f.faultRate > 0 && f.rng.Float64() < f.faultRate {
			kinds := []string{"abort", "eof", "disconnect-error", "stall", "malformed", "duplicate", "keepalive-burst", "rule-error"}
			for range 6 { // issue 19's kinds weigh more
				kinds = append(kinds, faulttest.Trickle, faulttest.BadItem, faulttest.RestartState)
			}
			fault = kinds[f.rng.Intn(len(kinds))]
			f.faults.Add("stream-" + fault)
			if fault == faulttest.RestartState {
				f.downTill = time.Now().Add(5 * time.Millisecond)
				go f.Server.CloseClientConnections() // this one too: the tweet is lost to the stream
			}
		}
		extraKeepAlive := f.rng.Intn(4) == 0
		f.mu.Unlock()
		if !ok {
			// Caught up: keep-alives only.
			if !write("\r\n") {
				return
			}
			time.Sleep(f.keepAlive)
			continue
		}
		msg, _ := json.Marshal(map[string]any{
			"data":           tweetJSON(tw),
			"includes":       map[string]any{"users": []any{userJSON(tw.author)}},
			"matching_rules": []map[string]string{{"id": "1273026480692322304", "tag": "golang"}},
		})
		line := string(msg) + "\r\n"
		switch fault {
		case "abort": // the tweet was published but the connection dies
			panic(http.ErrAbortHandler)
		case "eof":
			return
		case "disconnect-error":
			write(`{"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect","detail":"This stream has been disconnected upstream for operational reasons.","type":"https://api.twitter.com/2/problems/operational-disconnect"}]}` + "\r\n")
			return
		case "stall":
			select {
			case <-time.After(f.stall):
			case <-f.stop:
			}
			return
		case "malformed":
			write(line[:len(line)/2] + "\r\n")
		case "duplicate":
			write(line)
		case "keepalive-burst":
			write("\r\n\r\n\r\n")
		case "rule-error":
			write(`{"errors":[{"title":"rule-error","detail":"rule 7 is invalid","type":"https://api.twitter.com/2/problems/invalid-rules"}]}` + "\r\n")
		case faulttest.BadItem:
			write(`{"data":{"id":1860000000000000001,"text":"poison"}}` + "\r\n")
		case faulttest.RestartState:
			return
		case faulttest.Trickle:
			if faulttest.TrickleWrite(w, []byte(line), 16, 100*time.Microsecond) != nil {
				return
			}
			continue
		}
		if !write(line) {
			return
		}
		if extraKeepAlive && !write("\r\n") {
			return
		}
	}
}
