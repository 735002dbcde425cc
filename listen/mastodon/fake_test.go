package mastodon

import (
	"context"
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

	"github.com/coder/websocket"

	"github.com/earshot-dev/earshot/internal/faulttest"
)

// fake is a Mastodon server: timelines with min_id/max_id paging and
// Link headers, X-RateLimit headers with ISO resets, SSE and WebSocket
// streams with the real framing, and optional fault injection.
type fake struct {
	t        *testing.T
	srv      *httptest.Server
	template map[string]any

	mu           sync.Mutex
	statuses     [][]byte // JSON, ascending IDs
	ids          []string
	subs         map[chan int]struct{} // stream subscribers get indexes of new statuses
	rng          *rand.Rand
	faults       faulttest.Counts
	faultPct     int // percentage of REST requests that fail, per fault kind
	streamPct    int // percentage of stream events that fail, per fault kind
	requests     int
	tokenReq     string          // required bearer token, if set
	sseOff       bool            // answer 404 on SSE paths (GoToSocial)
	wsQuery      bool            // the WebSocket needs access_token in the query (GoToSocial)
	tagSilent    bool            // hashtag streams accept but never deliver (GoToSocial)
	untagged     map[string]bool // statuses without #golang (not on the tag timeline)
	follows      []string        // tags followed through the API
	nextUntagged bool
	silentSSE    int // this many SSE connections send the greeting, then nothing

	// gts switches to GoToSocial's dialect (wire-formats §12): 26-character
	// ULID ids, 404 "tag was not found" for a hashtag no status has used
	// yet, 429 body "rate limit reached", no SSE, a token in the
	// WebSocket's query, hashtag streams that never deliver, and an
	// instance document advertising wss:// on plain http.
	gts bool
	// restartUntil: until then every request is answered 503 with
	// Retry-After: 120, as GoToSocial does for 0.7 to 16 s while it starts.
	restartUntil time.Time
	farReset     time.Duration // how far ahead a far-reset fault puts the reset
	restartFor   time.Duration // how long a restart answers 503
	gzipped      atomic.Int64  // responses compressed
	edits        []string      // ids of statuses edited, in order (status.update events)
	deletes      []string      // ids of statuses deleted (delete events)
	events       []event       // edit and delete events to stream, in order
}

// event is a stream event other than a new status.
type event struct {
	name string // "status.update" or "delete"
	i    int    // index of the status
	data []byte
}

func newFake(t *testing.T) *fake {
	raw, err := os.ReadFile("testdata/status.json")
	if err != nil {
		t.Fatal(err)
	}
	f := &fake{t: t, subs: map[chan int]struct{}{}, rng: rand.New(rand.NewSource(1)), faults: faulttest.Counts{}, untagged: map[string]bool{}}
	if err := json.Unmarshal(raw, &f.template); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/timelines/tag/", f.timeline)
	mux.HandleFunc("/api/v1/timelines/public", f.timeline)
	mux.HandleFunc("/api/v1/timelines/home", f.timeline)
	mux.HandleFunc("/api/v2/search", f.timeline)
	mux.HandleFunc("/api/v1/streaming/", f.sse)
	mux.HandleFunc("/api/v1/streaming", f.ws)
	mux.HandleFunc("/api/v2/instance", func(w http.ResponseWriter, r *http.Request) {
		// GoToSocial says wss:// even on a plain-http instance.
		fmt.Fprintf(w, `{"domain":%q,"configuration":{"urls":{"streaming":"wss://%s"},"statuses":{"max_characters":5000,"characters_reserved_per_url":25}}}`, r.Host, r.Host)
	})
	mux.HandleFunc("/api/v1/tags/", func(w http.ResponseWriter, r *http.Request) {
		tag, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/tags/"), "/follow")
		if r.Method != http.MethodPost || !ok {
			http.NotFound(w, r)
			return
		}
		if !f.authorized(w, r) {
			return
		}
		f.mu.Lock()
		f.follows = append(f.follows, tag)
		f.mu.Unlock()
		fmt.Fprintf(w, `{"name":%q,"url":"http://%s/tags/%s","history":[],"following":true}`, tag, r.Host, tag)
	})
	f.farReset, f.restartFor = 12*time.Millisecond, 20*time.Millisecond
	f.srv = httptest.NewServer(faulttest.Gzip(mux, &f.gzipped))
	t.Cleanup(f.close)
	return f
}

// newGoToSocial is a fake in GoToSocial's dialect: ULIDs, a token for
// everything, WebSocket streaming only (with the token in the query),
// hashtag streams that never deliver, 404 for a tag no status has used.
func newGoToSocial(t *testing.T, token string) *fake {
	f := newFake(t)
	f.gts, f.sseOff, f.wsQuery, f.tagSilent, f.tokenReq = true, true, true, true, token
	return f
}

func (f *fake) close() {
	f.srv.CloseClientConnections()
	f.srv.Close()
}

func fakeID(i int) string { return strconv.FormatInt(109348677773283527+int64(i)*1000, 10) }

// ulid is a GoToSocial id: 26 characters of Crockford base32, a 48-bit
// millisecond time then randomness; they sort as the server orders them.
func ulid(i int) string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	ms := uint64(1795343000000 + i*37)
	var b [26]byte
	for k := 9; k >= 0; k-- {
		b[k] = alphabet[ms&31]
		ms >>= 5
	}
	r := uint64(i)*0x9E3779B97F4A7C15 + 12345
	for k := 25; k >= 10; k-- {
		b[k] = alphabet[r&31]
		r >>= 5
	}
	return string(b[:])
}

// id returns the i-th status id in the fake's dialect.
func (f *fake) id(i int) string {
	if f.gts {
		return ulid(i)
	}
	return fakeID(i)
}

func (f *fake) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// restarting answers as GoToSocial does while it starts (503, Retry-After:
// 120 and as a date, an HTML page).
func (f *fake) restarting(w http.ResponseWriter) bool {
	f.mu.Lock()
	down := time.Now().Before(f.restartUntil)
	if down {
		f.faults.Add("restart-503")
	}
	f.mu.Unlock()
	if down {
		faulttest.Starting(w)
	}
	return down
}

// restart is a server restart that loses its state: every connection
// (streams included) is cut, and for a moment every request is answered
// 503 with Retry-After: 120. Caller holds f.mu.
func (f *fake) restart() {
	f.restartUntil = time.Now().Add(f.restartFor)
	for ch := range f.subs {
		delete(f.subs, ch) // streams lose their subscriptions
		close(ch)
	}
	go f.srv.CloseClientConnections()
}

// edit publishes an edit of status i (a status.update event on the
// streams; REST pages show the new content but keep the id).
func (f *fake) edit(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var st map[string]any
	json.Unmarshal(f.statuses[i], &st)
	st["edited_at"] = time.Now().UTC().Format("2006-01-02T15:04:05.000Z") + strconv.Itoa(len(f.edits))
	st["content"] = fmt.Sprintf("<p>edit %d of %s</p>", len(f.edits), f.ids[i])
	b, _ := json.Marshal(st)
	f.statuses[i] = b
	f.edits = append(f.edits, f.ids[i])
	f.notify(event{name: "status.update", i: i, data: b})
}

// remove publishes the deletion of status i (a delete event).
func (f *fake) remove(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes = append(f.deletes, f.ids[i])
	f.notify(event{name: "delete", i: i, data: []byte(f.ids[i])})
}

// notify hands an event to the streams. Caller holds f.mu.
func (f *fake) notify(e event) {
	f.events = append(f.events, e)
	for ch := range f.subs {
		select {
		case ch <- -len(f.events): // negative: an index into f.events
		default:
		}
	}
}

// publishUntagged adds one status without the hashtag.
func (f *fake) publishUntagged() string {
	f.mu.Lock()
	f.nextUntagged = true
	f.mu.Unlock()
	id := f.publish(1)[0]
	f.mu.Lock()
	defer f.mu.Unlock()
	f.untagged[id] = true
	return id
}

// publish adds n statuses and notifies the streams.
func (f *fake) publish(n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := 0; k < n; k++ {
		i := len(f.statuses)
		id := f.id(i)
		st := make(map[string]any, len(f.template))
		for key, v := range f.template {
			st[key] = v
		}
		st["id"] = id
		st["uri"] = "https://mastodon.example/users/alice/statuses/" + id
		st["url"] = "https://mastodon.example/@alice/" + id
		st["created_at"] = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		st["content"] = fmt.Sprintf(`<p>post %d about <a href="https://mastodon.example/tags/golang" class="mention hashtag" rel="tag">#<span>golang</span></a> &amp; friends</p>`, i)
		if f.nextUntagged {
			st["tags"] = []any{}
			st["content"] = fmt.Sprintf("<p>post %d without a tag</p>", i)
			f.nextUntagged = false
		}
		b, _ := json.Marshal(st)
		f.statuses = append(f.statuses, b)
		f.ids = append(f.ids, id)
		out = append(out, id)
		for ch := range f.subs {
			select {
			case ch <- i:
			default: // a slow stream misses events; REST backfill covers them
			}
		}
	}
	return out
}

// fault draws a REST fault; streamFault a stream one. Caller holds f.mu.
func (f *fake) fault(kind string) bool { return f.faults.Hit(f.rng, f.faultPct, kind) }

func (f *fake) streamFault(kind string) bool { return f.faults.Hit(f.rng, f.streamPct, kind) }

func (f *fake) issue19Faults() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.faults.Of(faulttest.Issue19()...)
}

func rateHeaders(w http.ResponseWriter, remaining int, reset time.Time) {
	w.Header().Set("X-RateLimit-Limit", "300")
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	w.Header().Set("X-RateLimit-Reset", reset.UTC().Format("2006-01-02T15:04:05.000000Z"))
}

func (f *fake) authorized(w http.ResponseWriter, r *http.Request) bool {
	if f.tokenReq == "" {
		return true
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if q := r.URL.Query().Get("access_token"); q != "" {
		tok = q
	}
	if tok != f.tokenReq {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"The access token is invalid"}`)
		return false
	}
	return true
}

func (f *fake) timeline(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	f.mu.Unlock()
	if f.restarting(w) || !f.authorized(w, r) {
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	switch {
	case limit <= 0:
		limit = 20
	case limit > 40:
		limit = 40 // both servers cap a page at 40
	}
	f.mu.Lock()
	if f.gts && strings.Contains(r.URL.Path, "/timelines/tag/") && len(f.statuses) == len(f.untagged) {
		// GoToSocial: no status has used the tag yet.
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":"Not Found: tag was not found, or not useable/listable on this instance"}`)
		return
	}
	// Faults that answer instead of the page.
	switch {
	case f.fault("429"):
		f.mu.Unlock()
		rateHeaders(w, 0, time.Now().Add(2*time.Millisecond))
		w.WriteHeader(http.StatusTooManyRequests)
		if f.gts {
			io.WriteString(w, `{"error":"rate limit reached"}`)
		} else {
			io.WriteString(w, `{"error":"Too many requests"}`)
		}
		return
	case f.fault("5xx"):
		code := []int{500, 502, 503, 504}[f.rng.Intn(4)]
		f.mu.Unlock()
		w.WriteHeader(code)
		io.WriteString(w, `<html><body>Bad gateway</body></html>`)
		return
	case f.fault(faulttest.HTML200):
		f.mu.Unlock()
		faulttest.HTMLPage(w)
		return
	case f.fault(faulttest.HugeRetry):
		code := []int{429, 503}[f.rng.Intn(2)]
		f.mu.Unlock()
		faulttest.HugeRetryAfter(w, code)
		return
	case f.fault(faulttest.RestartState):
		f.restart()
		f.mu.Unlock()
		faulttest.Starting(w)
		return
	}
	farReset := f.fault(faulttest.FarReset)
	// Page selection as Mastodon does it: min_id = the limit items right
	// after it; max_id = before it; none = newest. Always newest first.
	lo, hi := 0, len(f.ids)
	if v := q.Get("max_id"); v != "" {
		hi = sort.Search(len(f.ids), func(i int) bool { return !idLess(f.ids[i], v) })
	}
	var sel []int
	if v := q.Get("min_id"); v != "" {
		lo = sort.Search(len(f.ids), func(i int) bool { return idLess(v, f.ids[i]) })
		for i := lo; i < hi && len(sel) < limit; i++ {
			sel = append(sel, i)
		}
	} else {
		for i := hi - 1; i >= lo && len(sel) < limit; i-- {
			sel = append(sel, i)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(sel)))
	items := make([][]byte, 0, len(sel)+1)
	onTag := strings.Contains(r.URL.Path, "/timelines/tag/")
	for _, i := range sel {
		if onTag && f.untagged[f.ids[i]] {
			continue
		}
		items = append(items, f.statuses[i])
	}
	if len(items) > 1 && f.fault("reorder") {
		f.rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	}
	if len(items) > 0 && f.fault("duplicate") {
		items = append(items, items[f.rng.Intn(len(items))])
	}
	if f.fault(faulttest.BadItem) {
		// A status whose id is a number: it must be skipped, not fail the page.
		bad := []byte(`{"id":` + strconv.Itoa(1000+f.rng.Intn(1000)) + `,"created_at":"2022-11-15T16:06:48.410Z","content":"<p>poison</p>","account":{"acct":"x"}}`)
		k := f.rng.Intn(len(items) + 1)
		items = append(items[:k], append([][]byte{bad}, items[k:]...)...)
	}
	truncate := f.fault("truncated")
	drop := f.fault("drop")
	var newest, oldest string
	if len(sel) > 0 {
		newest, oldest = f.ids[sel[0]], f.ids[sel[len(sel)-1]]
	}
	f.mu.Unlock()

	body := "[" + string(joinJSON(items)) + "]"
	if q.Get("type") == "statuses" {
		body = `{"accounts":[],"statuses":` + body + `,"hashtags":[]}`
	}
	if len(sel) > 0 {
		// Like Mastodon, the links keep the other parameters (limit, ...).
		link := func(key, id string) string {
			lq := r.URL.Query()
			lq.Del("min_id")
			lq.Del("max_id")
			lq.Del("since_id")
			lq.Set(key, id)
			return "http://" + r.Host + r.URL.Path + "?" + lq.Encode()
		}
		w.Header().Add("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="prev"`, link("max_id", oldest), link("min_id", newest)))
	}
	if farReset {
		// The window is spent until past the client's pause limit.
		rateHeaders(w, 0, time.Now().Add(f.farReset))
	} else {
		rateHeaders(w, 250, time.Now().Add(5*time.Minute))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch {
	case truncate:
		io.WriteString(w, body[:len(body)/2])
	case drop:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body[:len(body)/3])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // cut the connection mid-body
	default:
		io.WriteString(w, body)
	}
}

func joinJSON(items [][]byte) []byte {
	var b []byte
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it...)
	}
	return b
}

// subscribe registers a stream; events are indexes into f.statuses.
func (f *fake) subscribe() (chan int, func()) {
	ch := make(chan int, 1024)
	f.mu.Lock()
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	return ch, func() {
		f.mu.Lock()
		delete(f.subs, ch)
		f.mu.Unlock()
	}
}

// frames turns new statuses, edits and deletes into stream events,
// injecting stream faults: a dropped connection, malformed frames,
// duplicates, reordering and slow trickles. send writes one event; slow
// asks it to trickle.
func (f *fake) frames(r *http.Request, ch chan int, send func(event, data string, slow bool) error) {
	var held []int
	for {
		var i int
		var ok bool
		select {
		case <-r.Context().Done():
			return
		case i, ok = <-ch:
			if !ok {
				return // the server restarted
			}
		}
		f.mu.Lock()
		name, data := "update", ""
		if i < 0 {
			e := f.events[-i-1]
			name, data = e.name, string(e.data)
		} else {
			data = string(f.statuses[i])
		}
		if f.streamFault(faulttest.RestartState) {
			f.restart() // cuts this connection too
			f.mu.Unlock()
			return
		}
		drop := f.streamFault("stream-drop")
		bad := !drop && f.streamFault("stream-malformed")
		dup := !drop && !bad && f.streamFault("stream-duplicate")
		reorder := !drop && !bad && !dup && i >= 0 && f.streamFault("stream-reorder")
		slow := f.streamFault(faulttest.Trickle)
		f.mu.Unlock()
		switch {
		case drop:
			return
		case bad:
			if send("update", data[:len(data)/2], false) != nil {
				return
			}
			if i >= 0 {
				continue // the REST backfill brings the status
			}
		case reorder:
			held = append(held, i)
			continue
		}
		if send(name, data, slow) != nil {
			return
		}

		if dup && send(name, data, false) != nil {
			return
		}
		for _, h := range held {
			f.mu.Lock()
			st := f.statuses[h]
			f.mu.Unlock()
			if send("update", string(st), false) != nil {
				return
			}
		}
		held = held[:0]
	}
}

func (f *fake) sse(w http.ResponseWriter, r *http.Request) {
	if f.sseOff {
		http.NotFound(w, r)
		return
	}
	if !f.authorized(w, r) {
		return
	}
	if !strings.HasSuffix(r.URL.Path, "/hashtag") && !strings.HasSuffix(r.URL.Path, "/public") && !strings.HasSuffix(r.URL.Path, "/user") {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":"Unknown channel requested"}`)
		return
	}
	f.mu.Lock()
	silent := f.silentSSE > 0
	if silent {
		f.silentSSE--
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	io.WriteString(w, ":)\n")
	fl.Flush()
	if silent { // a dead socket: no events, no heartbeats
		<-r.Context().Done()
		return
	}
	ch, unsub := f.subscribe()
	defer unsub()
	f.frames(r, ch, func(event, data string, slow bool) error {
		msg := []byte(fmt.Sprintf(":thump\nevent: %s\ndata: %s\n\n", event, data))
		if slow {
			return faulttest.TrickleWrite(w, msg, 64, 50*time.Microsecond)
		}
		_, err := w.Write(msg)
		fl.Flush()
		return err
	})
}

func (f *fake) ws(w http.ResponseWriter, r *http.Request) {
	if f.wsQuery && r.URL.Query().Get("access_token") == "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if !f.authorized(w, r) {
		return
	}
	stream := r.URL.Query().Get("stream")
	if stream != "hashtag" && stream != "public" && stream != "user" && stream != "public:local" {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":"Unknown stream type"}`)
		return
	}
	silent := f.tagSilent && strings.HasPrefix(stream, "hashtag")
	var ch chan int
	if !silent {
		// Subscribed before the handshake completes, as a real server is
		// by the time the client can read.
		var unsub func()
		ch, unsub = f.subscribe()
		defer unsub()
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context())
	if silent {
		<-ctx.Done() // accepted, never delivers
		return
	}
	r = r.WithContext(ctx)
	f.frames(r, ch, func(event, data string, slow bool) error {
		var frame []byte
		if event != "delete" && !json.Valid([]byte(data)) {
			frame = []byte(`{"stream":["` + stream + `"],"event":"update","payload":"{\"id\":` + `}`) // broken JSON
		} else {
			payload, _ := json.Marshal(data)
			frame = []byte(`{"stream":["` + stream + `"],"event":"` + event + `","payload":` + string(payload) + `}`)
		}
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if !slow {
			return c.Write(wctx, websocket.MessageText, frame)
		}
		// A message in small fragments, slowly.
		wr, err := c.Writer(wctx, websocket.MessageText)
		if err != nil {
			return err
		}
		for len(frame) > 0 {
			n := min(64, len(frame))
			if _, err := wr.Write(frame[:n]); err != nil {
				return err
			}
			frame = frame[n:]
			time.Sleep(50 * time.Microsecond)
		}
		return wr.Close()
	})
}
