package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/earshot-dev/earshot/internal/faulttest"
)

// fakeEvent is one event in the fake Jetstream's log, in emission order.
type fakeEvent struct {
	seq    int64
	timeUS int64
	did    string
	kind   string // commit, identity, account
	coll   string
	frame  string // the v1 frame, without the sequence cursor
	// want is the delivery key ("at://...#kind") the client must yield,
	// "" for events that must not be delivered.
	want string
}

// fakeJetstream is an httptest server speaking Jetstream's /subscribe
// wire: wantedCollections (with ".*"), wantedDids, cursor as time_us
// (replaying from the start of a storage block) or, in seq mode, as the
// v2 sequence number (exact replay), and optional fault injection.
type fakeJetstream struct {
	*httptest.Server
	seqMode bool
	blockUS int64

	mu        sync.Mutex
	log       []fakeEvent
	published int // events sent at least once (prefix of log)
	conns     int
	cursors   []string
	faults    faulttest.Counts
	rng       *rand.Rand
	faultRate float64 // probability of a fault per frame sent, 0 = none
	stall     time.Duration
	reject    int // refuse the next n handshakes with 503
	stop      chan struct{}
	hellos    int
	// From connection shiftAfter on, the fake is "another instance":
	// its sequence numbers are shifted by shift.
	shiftAfter int
	shift      int64
	v1After    int // from this connection on, serve the v1 wire (no sequence)
}

func newFakeJetstream(t testing.TB, events []fakeEvent, seqMode bool) *fakeJetstream {
	f := &fakeJetstream{seqMode: seqMode, blockUS: 50_000, log: events, faults: faulttest.Counts{}, stop: make(chan struct{})}
	f.Server = httptest.NewServer(http.HandlerFunc(f.subscribe))
	t.Cleanup(func() {
		close(f.stop)
		f.Server.Close()
	})
	return f
}

func (f *fakeJetstream) wsURL() string {
	return "ws" + strings.TrimPrefix(f.URL, "http") + "/subscribe"
}

func (f *fakeJetstream) frame(e fakeEvent) string {
	f.mu.Lock()
	seqMode := f.seqMode
	f.mu.Unlock()
	if !seqMode {
		return e.frame
	}
	f.mu.Lock()
	if f.shiftAfter > 0 && f.conns > f.shiftAfter {
		e.seq += f.shift
	}
	f.mu.Unlock()
	// The v2 server adds "cursor" right after time_us.
	i := strings.Index(e.frame, `"kind":`)
	return e.frame[:i] + `"cursor":` + strconv.FormatInt(e.seq, 10) + "," + e.frame[i:]
}

func wanted(patterns []string, coll string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if p == coll || (strings.HasSuffix(p, ".*") && strings.HasPrefix(coll, strings.TrimSuffix(p, "*"))) {
			return true
		}
	}
	return false
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (f *fakeJetstream) subscribe(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/subscribe" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	f.conns++
	f.cursors = append(f.cursors, q.Get("cursor"))
	if f.reject > 0 {
		f.reject--
		f.mu.Unlock()
		w.Header().Set("Retry-After", "0")
		http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
		return
	}
	if f.faultRate > 0 && f.rng.Float64() < 0.1 {
		code := http.StatusServiceUnavailable
		switch f.rng.Intn(4) {
		case 0:
			code = http.StatusTooManyRequests
			f.faults.Add("handshake-429")
		case 1:
			f.faults.Add("handshake-503")
		default:
			// Retry-After: 86400; a 503's is capped, a 429's is a pause
			// past the limit: the run ends, the host restarts it.
			f.faults.Add("handshake-" + faulttest.HugeRetry)
			code = []int{429, 503}[f.rng.Intn(2)]
			f.mu.Unlock()
			faulttest.HugeRetryAfter(w, code)
			return
		}
		f.mu.Unlock()
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"error":"%s"}`, http.StatusText(code))
		return
	}
	// Where to start: live tail, exact sequence, or the start of the
	// storage block holding the time_us cursor.
	start, floorUS := f.published, int64(-1)
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			f.mu.Unlock()
			http.Error(w, "bad cursor", http.StatusBadRequest)
			return
		}
		start = 0
		if f.v1After > 0 && f.conns > f.v1After {
			f.seqMode = false // an older server behind the same name
		}
		if f.seqMode && n < 1e15 {
			if f.shiftAfter > 0 && f.conns > f.shiftAfter {
				n -= f.shift
			}
			for start < len(f.log) && f.log[start].seq < n {
				start++
			}
		} else {
			floorUS = n - n%f.blockUS
		}
	}
	f.mu.Unlock()

	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	colls, dids := q["wantedCollections"], q["wantedDids"]
	if q.Get("requireHello") == "true" {
		// Nothing is sent until the client's options_update arrives.
		typ, msg, err := conn.Read(r.Context())
		if err != nil || typ != websocket.MessageText {
			return
		}
		var m struct {
			Type    string `json:"type"`
			Payload struct {
				WantedCollections []string `json:"wantedCollections"`
				WantedDids        []string `json:"wantedDids"`
			} `json:"payload"`
		}
		if json.Unmarshal(msg, &m) != nil || m.Type != "options_update" {
			conn.Close(websocket.StatusPolicyViolation, "invalid options_update")
			return
		}
		colls, dids = m.Payload.WantedCollections, m.Payload.WantedDids
		f.mu.Lock()
		f.hellos++
		f.mu.Unlock()
	}
	ctx := conn.CloseRead(r.Context())

	send := func(s string) bool {
		return conn.Write(ctx, websocket.MessageText, []byte(s)) == nil
	}
	var held *fakeEvent // an event held back to be sent after the next (reordering)
	for i := start; i < len(f.log); i++ {
		e := f.log[i]
		f.mu.Lock()
		if i < f.published && floorUS >= 0 && e.timeUS < floorUS {
			f.mu.Unlock()
			continue
		}
		if len(dids) > 0 && !contains(dids, e.did) || e.kind == "commit" && !wanted(colls, e.coll) {
			if i >= f.published {
				f.published = i + 1
			}
			f.mu.Unlock()
			continue
		}
		action := ""
		if f.faultRate > 0 && f.rng.Float64() < f.faultRate {
			kinds := []string{"drop-1006", "close-1000", "garbage", "truncated", "duplicate", "reorder", "binary", "stall", "truncated-drop"}
			for range 3 { // issue 19's kinds weigh more
				kinds = append(kinds, faulttest.BadItem, faulttest.Trickle, faulttest.RestartState)
			}
			action = kinds[f.rng.Intn(len(kinds))]
			if action == "reorder" && (f.seqMode || held != nil) {
				action = "duplicate"
			}
			if action == "stall" && f.stall == 0 {
				action = "garbage"
			}
			// Connection-ending faults only on frames not sent before, so
			// every connection makes progress past its replay.
			if i < f.published && (action == "drop-1006" || action == "close-1000" || action == "truncated-drop" || action == "stall" || action == faulttest.RestartState) {
				action = "duplicate"
			}
			f.faults.Add(action)
			if action == faulttest.RestartState && f.seqMode {
				// The restarted server numbers its events anew.
				f.shiftAfter, f.shift = f.conns, f.shift+100_000
			}
		}
		if i >= f.published {
			f.published = i + 1
			if e.want != "" && (strings.HasSuffix(e.want, "#delete") || strings.HasSuffix(e.want, "#update")) {
				f.faults.Add(faulttest.EditDelete)
			}
		}
		f.mu.Unlock()
		fr := f.frame(e)
		switch action {
		case "drop-1006":
			return // CloseNow: the client sees an abnormal closure
		case "close-1000":
			conn.Close(websocket.StatusNormalClosure, "")
			return
		case "truncated-drop":
			send(fr[:len(fr)/2])
			return
		case "garbage":
			send(`{"did":"did:plc:x","time_us":` + strconv.FormatInt(e.timeUS, 10) + `,"kind":"commit","commit":{"rev":`)
		case "truncated":
			send(fr[:len(fr)*2/3])
		case "binary":
			conn.Write(ctx, websocket.MessageBinary, []byte{0x28, 0xb5, 0x2f, 0xfd})
		case "duplicate":
			send(fr)
		case "stall":
			select {
			case <-time.After(f.stall):
			case <-ctx.Done():
				return
			case <-f.stop:
				return
			}
		case "reorder":
			held = &e
			continue
		case faulttest.BadItem:
			// Well-formed, but the record's text is a number.
			send(`{"did":"did:plc:x","time_us":` + strconv.FormatInt(e.timeUS, 10) + `,"kind":"commit","commit":{"rev":"3bad","operation":"create","collection":"app.bsky.feed.post","rkey":"3bad","record":{"text":7}}}`)
		case faulttest.RestartState:
			return // the connection dies with the server
		case faulttest.Trickle:
			// The frame in small fragments, slowly.
			wr, err := conn.Writer(ctx, websocket.MessageText)
			if err != nil {
				return
			}
			for b := []byte(f.frame(e)); len(b) > 0; b = b[min(48, len(b)):] {
				if _, err := wr.Write(b[:min(48, len(b))]); err != nil {
					return
				}
				time.Sleep(50 * time.Microsecond)
			}
			if wr.Close() != nil {
				return
			}
			continue
		}
		if !send(fr) {
			return
		}
		if held != nil {
			if !send(f.frame(*held)) {
				return
			}
			held = nil
		}
	}
	if held != nil {
		send(f.frame(*held))
	}
	// Caught up: stay open and silent, as Jetstream does between events.
	select {
	case <-ctx.Done():
	case <-f.stop:
	}
}

// genEvents builds a realistic log of n events: mostly posts (with facets,
// replies, languages), plus likes, reposts, edits, deletes, follows and
// identity/account events. time_us rises 1ms per event with up to ±20ms of
// jitter, so the log is not in time order. With nolike, likes and
// reposts are left out.
func genEvents(n int, seed int64) []fakeEvent {
	rng := rand.New(rand.NewSource(seed))
	// The log lies a little in the future: every event happens after the
	// client first connects, as on a live stream.
	base := time.Now().Add(time.Hour).UnixMicro()
	out := make([]fakeEvent, 0, n)
	var posts []string // uris of created posts
	edited := map[string]bool{}
	for i := 0; i < n; i++ {
		e := fakeEvent{seq: int64(i + 1), timeUS: base + int64(i)*1000 + rng.Int63n(40_000) - 20_000, kind: "commit"}
		e.did = fmt.Sprintf("did:plc:fakeuser%04d", rng.Intn(200))
		rkey := fmt.Sprintf("3n2v%09d", i)
		rev := fmt.Sprintf("3n2r%09d", i)
		created := time.UnixMicro(e.timeUS).UTC().Add(-300 * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
		commit := func(op, coll, record string) string {
			rec := ""
			if record != "" {
				rec = `,"record":` + record + `,"cid":"bafyreicid` + rkey + `"`
			}
			return fmt.Sprintf(`{"did":%q,"time_us":%d,"kind":"commit","commit":{"rev":%q,"operation":%q,"collection":%q,"rkey":%q%s}}`, e.did, e.timeUS, rev, op, coll, rkey, rec)
		}
		switch r := rng.Intn(100); {
		case r < 4:
			e.kind = "identity"
			e.frame = fmt.Sprintf(`{"did":%q,"time_us":%d,"kind":"identity","identity":{"did":%q,"handle":"user%d.test","seq":%d,"time":%q}}`, e.did, e.timeUS, e.did, i, 30340180350+i, created)
		case r < 6:
			e.kind = "account"
			e.frame = fmt.Sprintf(`{"did":%q,"time_us":%d,"kind":"account","account":{"active":false,"status":"deactivated","did":%q,"seq":%d,"time":%q}}`, e.did, e.timeUS, e.did, 30340180350+i, created)
		case r < 9:
			e.coll = "app.bsky.graph.follow"
			e.frame = commit("create", e.coll, fmt.Sprintf(`{"$type":"app.bsky.graph.follow","createdAt":%q,"subject":"did:plc:fakeuser0001"}`, created))
		case r < 16 && len(posts) > 0:
			e.coll = CollectionLike
			e.frame = commit("create", e.coll, fmt.Sprintf(`{"$type":"app.bsky.feed.like","createdAt":%q,"subject":{"cid":"bafyreisubject","uri":%q}}`, created, posts[rng.Intn(len(posts))]))
			e.want = atURI(e.did, e.coll, rkey) + "#like"
		case r < 20 && len(posts) > 0:
			e.coll = CollectionRepost
			e.frame = commit("create", e.coll, fmt.Sprintf(`{"$type":"app.bsky.feed.repost","createdAt":%q,"subject":{"cid":"bafyreisubject","uri":%q}}`, created, posts[rng.Intn(len(posts))]))
			e.want = atURI(e.did, e.coll, rkey) + "#repost"
		case r < 23:
			e.coll = CollectionPost
			e.frame = commit("delete", e.coll, "")
			e.want = atURI(e.did, e.coll, rkey) + "#delete"
		case r < 26 && len(posts) > 0 && !edited[posts[len(posts)-1]]:
			// An edit of an earlier post (each edited once): its did and
			// rkey, a new rev.
			uri := posts[len(posts)-1]
			edited[uri] = true
			parts := strings.Split(strings.TrimPrefix(uri, "at://"), "/")
			e.did, e.coll = parts[0], CollectionPost
			e.frame = fmt.Sprintf(`{"did":%q,"time_us":%d,"kind":"commit","commit":{"rev":%q,"operation":"update","collection":%q,"rkey":%q,"record":{"$type":"app.bsky.feed.post","createdAt":%q,"text":"edited %d"},"cid":"bafyreiedit%d"}}`,
				e.did, e.timeUS, rev, e.coll, parts[2], created, i, i)
			e.want = uri + "#update"
		default:
			e.coll = CollectionPost
			text := fmt.Sprintf("post %d café 👋🏽 #golang https://example.com/%d", i, i)
			ts := strings.Index(text, "#golang")
			ls := strings.Index(text, "https://")
			reply := ""
			if len(posts) > 0 && rng.Intn(3) == 0 {
				p := posts[rng.Intn(len(posts))]
				reply = fmt.Sprintf(`,"reply":{"parent":{"cid":"bafyreiparent","uri":%q},"root":{"cid":"bafyreiroot","uri":%q}}`, p, p)
			}
			rec := fmt.Sprintf(`{"$type":"app.bsky.feed.post","createdAt":%q,"facets":[{"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"golang"}],"index":{"byteEnd":%d,"byteStart":%d}},{"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://example.com/%d"}],"index":{"byteEnd":%d,"byteStart":%d}}],"langs":["en"]%s,"text":%q}`,
				created, ts+7, ts, i, len(text), ls, reply, text)
			e.frame = commit("create", e.coll, rec)
			uri := atURI(e.did, e.coll, rkey)
			posts = append(posts, uri)
			e.want = uri + "#post"
		}
		out = append(out, e)
	}
	return out
}

// wantKeys returns the delivery keys the client must yield for events.
func wantKeys(events []fakeEvent) map[string]bool {
	m := map[string]bool{}
	for _, e := range events {
		if e.want != "" {
			m[e.want] = true
		}
	}
	return m
}

// ctxTimeout is a test context that ends with the test.
func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }
