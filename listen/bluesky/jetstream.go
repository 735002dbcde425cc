package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
)

// Jetstream is a [listen.Source] that reads Bluesky's Jetstream firehose
// over WebSocket: new posts, edits and deletes, and optionally reposts and
// likes (see [WithCollections]).
//
// It reconnects with backoff after any failure, resumes from the newest
// event handled (the v2 sequence cursor when the server sends one, else
// time_us rewound by [WithRewind]), and drops replayed and duplicated
// events by (did, collection, rkey, rev). Create it with [NewJetstream]. A
// Jetstream is safe for concurrent use; each Posts call is its own
// connection.
type Jetstream struct {
	endpoint string
	cfg      config
	key      string
	http     *httpx.Client
	counters listen.Counters
}

// NewJetstream returns a source reading the Jetstream at endpoint, e.g.
// "wss://jetstream2.us-east.bsky.network/subscribe".
func NewJetstream(endpoint string, opts ...Option) (*Jetstream, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("bluesky: bad Jetstream URL %q", httpx.RedactURLString(endpoint))
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
	default:
		return nil, fmt.Errorf("bluesky: Jetstream URL needs a ws, wss, http or https scheme, got %q", u.Scheme)
	}
	j := &Jetstream{endpoint: endpoint, cfg: cfg}
	j.key = cfg.key
	if j.key == "" {
		j.key = "bluesky:jetstream:" + u.Host + u.Path + "?c=" + strings.Join(cfg.collections, ",") + "&d=" + strings.Join(cfg.dids, ",")
	}
	j.http = &httpx.Client{Platform: Platform, HTTP: cfg.httpClient, UserAgent: cfg.userAgent, Limiter: cfg.limiter, Logger: cfg.logger}
	return j, nil
}

// Stats implements [listen.StatsReporter].
func (j *Jetstream) Stats() listen.Stats { return j.counters.Stats() }

// String describes the source without secrets.
func (j *Jetstream) String() string {
	return "bluesky.Jetstream(" + httpx.RedactURLString(j.endpoint) + ")"
}

// maxQueryDIDs is the most DIDs put in the subscribe URL; more are sent
// in an options_update message after connecting (requireHello), since a
// URL with thousands of DIDs is refused by servers and proxies.
const maxQueryDIDs = 50

func (j *Jetstream) hello() bool { return len(j.cfg.dids) > maxQueryDIDs }

// optionsUpdate is the client message that sets the filters.
func (j *Jetstream) optionsUpdate() []byte {
	b, _ := json.Marshal(map[string]any{"type": "options_update", "payload": map[string]any{
		"wantedCollections": j.cfg.collections, "wantedDids": j.cfg.dids, "maxMessageSizeBytes": j.cfg.maxMessage}})
	return b
}

func (j *Jetstream) subscribeURL(cursor string) string {
	u, _ := url.Parse(j.endpoint)
	q := u.Query()
	for _, c := range j.cfg.collections {
		q.Add("wantedCollections", c)
	}
	if j.hello() {
		q.Set("requireHello", "true")
	} else {
		for _, d := range j.cfg.dids {
			q.Add("wantedDids", d)
		}
	}
	q.Set("maxMessageSizeBytes", fmt.Sprint(j.cfg.maxMessage))
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (j *Jetstream) log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if j.cfg.logger != nil {
		j.cfg.logger.Log(ctx, level, "bluesky: jetstream: "+msg, args...)
	}
}

// Posts implements [listen.Source]. The sequence runs until ctx is done,
// the loop breaks, or reconnecting has failed for longer than
// [WithMaxRetryTime] (then it yields the last error). A refused handshake
// other than 408, 429 and 5xx is final at once.
func (j *Jetstream) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		st := newStreamState(j.cfg.dedupe)
		if j.cfg.store != nil {
			c, err := j.cfg.store.Load(ctx, j.key)
			if err != nil {
				if ctx.Err() == nil {
					yield(listen.Post{}, fmt.Errorf("bluesky: load cursor: %w", err))
				}
				return
			}
			if err := st.restore(c); err != nil {
				yield(listen.Post{}, fmt.Errorf("bluesky: saved cursor for %q: %w", j.key, err))
				return
			}
		}
		r := &run{j: j, st: st, yield: yield, lastSave: time.Now(), handles: newHandles(10_000)}
		defer r.save(context.WithoutCancel(ctx))
		r.loop(ctx)
	}
}

// run is the state of one Posts call.
type run struct {
	j        *Jetstream
	st       *streamState
	yield    func(listen.Post, error) bool
	lastSave time.Time
	dirty    bool
	stalls   int
	startUS  int64 // when the first live-tail dial was made
	handles  *handles
}

// errStop ends the loop without a further yield: the consumer broke out,
// ctx is done, or the final error has been yielded.
var errStop = errors.New("stop")

func (r *run) loop(ctx context.Context) {
	j := r.j
	bo := httpx.NewBackoff(httpx.Retry{Initial: j.cfg.minBackoff, Max: j.cfg.maxBackoff, MaxElapsed: j.cfg.maxRetry})
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			j.counters.Reconnect()
		}
		got, wait, err := r.connect(ctx)
		if errors.Is(err, errStop) || ctx.Err() != nil {
			return
		}
		if got > 0 {
			bo.Reset()
		}
		if err := r.save(ctx); err != nil {
			r.yield(listen.Post{}, err)
			return
		}
		d, more := bo.Next()
		if wait > d {
			d = wait
		}
		if !more || d > bo.Remaining() {
			r.yield(listen.Post{}, fmt.Errorf("bluesky: jetstream: giving up after %v: %w", bo.Elapsed().Round(time.Millisecond), err))
			return
		}
		j.log(ctx, slog.LevelDebug, "reconnecting", "wait", d, "err", err.Error())
		if httpx.Sleep(ctx, d) != nil {
			return
		}
	}
}

// connect runs one connection. It returns how many frames arrived, the
// least wait before the next dial (Retry-After), and why it ended:
// errStop, or the transient error to retry after.
func (r *run) connect(ctx context.Context) (got int, wait time.Duration, err error) {
	j := r.j
	if err := j.http.WaitTurn(ctx); err != nil {
		return 0, 0, errStop
	}
	if r.st.maxTimeUS == 0 && r.st.maxSeq == 0 {
		// Nothing handled yet: the first dial tails live; later dials
		// resume from when the first one was made, so events sent while
		// reconnecting are not lost.
		if r.startUS == 0 {
			r.startUS = time.Now().UnixMicro()
			r.st.floorSeq, r.st.floorTimeUS = 0, 0
		} else {
			r.st.maxTimeUS = r.startUS
		}
	}
	cursor := ""
	if r.st.maxTimeUS != 0 || r.st.maxSeq != 0 {
		cursor = r.st.resume(j.cfg.rewind.Microseconds())
	}
	// Sequence cursors are local to one server instance, and a host name
	// may lead to another. The replay must start at the event last
	// handled; if its time is far off, resume by time instead.
	checkSeq := r.st.floorSeq > 0
	resumeUS := r.st.maxTimeUS
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	hdr := http.Header{}
	hdr.Set("User-Agent", j.cfg.userAgent)
	conn, resp, err := websocket.Dial(dctx, j.subscribeURL(cursor), &websocket.DialOptions{HTTPClient: j.cfg.httpClient, HTTPHeader: hdr})
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return 0, 0, errStop
		}
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			var body []byte
			if resp.Body != nil {
				body, _ = io.ReadAll(io.LimitReader(resp.Body, 4096))
				resp.Body.Close()
			}
			herr := j.http.StatusError(resp, body)
			if !httpx.IsRetryable(herr) {
				r.yield(listen.Post{}, fmt.Errorf("bluesky: jetstream: handshake refused: %w", herr))
				return 0, 0, errStop
			}
			var rle *listen.RateLimitError
			if errors.As(herr, &rle) {
				wait = rle.RetryAfter
			} else if ra, ok := httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = ra
			}
			return 0, wait, herr
		}
		return 0, 0, fmt.Errorf("bluesky: jetstream: dial %s: %v", httpx.RedactURLString(j.endpoint), err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(j.cfg.maxMessage)
	if j.hello() {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := conn.Write(wctx, websocket.MessageText, j.optionsUpdate())
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return 0, 0, errStop
			}
			return 0, 0, fmt.Errorf("bluesky: jetstream: send options_update: %v", err)
		}
	}

	var ev event
	for {
		rctx, rcancel := context.WithTimeout(ctx, j.cfg.idle)
		typ, data, err := conn.Read(rctx)
		idle := err != nil && ctx.Err() == nil && rctx.Err() != nil
		rcancel()
		if err != nil {
			if ctx.Err() != nil {
				return got, 0, errStop
			}
			if idle {
				if checkSeq {
					// A sequence resume that brought nothing may point past
					// the end of another instance's log: use time next.
					r.st.noSeq = true
				}
				r.stalls++
				serr := &httpx.StallError{Platform: Platform, Idle: j.cfg.idle}
				if j.cfg.maxStalls > 0 && r.stalls >= j.cfg.maxStalls {
					r.yield(listen.Post{}, fmt.Errorf("bluesky: jetstream: %d silent connections in a row: %w", r.stalls, serr))
					return got, 0, errStop
				}
				return got, 0, serr
			}
			if s := websocket.CloseStatus(err); s != -1 {
				return got, 0, fmt.Errorf("bluesky: jetstream: closed by server: %d", s)
			}
			return got, 0, fmt.Errorf("bluesky: jetstream: read: %v", err)
		}
		got++
		r.stalls = 0
		if typ != websocket.MessageText {
			j.counters.Skip()
			continue
		}
		if err := decodeEvent(data, &ev); err != nil {
			j.counters.Skip()
			j.log(ctx, slog.LevelDebug, "skipping undecodable frame", "err", err.Error(), "bytes", len(data))
			continue
		}
		if checkSeq {
			checkSeq = false
			// No sequence at all: an older server took the number for a
			// time far in the past.
			if d := time.Duration(ev.TimeUS-resumeUS) * time.Microsecond; ev.Seq == nil || d > j.cfg.seqJump || d < -j.cfg.seqJump {
				r.st.noSeq = true
				j.log(ctx, slog.LevelInfo, "sequence cursor belongs to another instance; resuming by time", "offset", d)
				return got, 0, errors.New("bluesky: jetstream: sequence cursor from another instance")
			}
		}
		if !r.handle(ctx, &ev) {
			return got, 0, errStop
		}
	}
}

// handle delivers ev if it is a new post event and advances the cursor.
// It returns false when the consumer broke out or the final error was
// yielded.
func (r *run) handle(ctx context.Context, ev *event) bool {
	j, st := r.j, r.st
	if ev.Kind != "commit" || ev.Commit == nil {
		// Identity and account events: nothing to deliver, but a new
		// handle is remembered for the account's next posts.
		if ev.Kind == "identity" && ev.Identity != nil && ev.Identity.Handle != "" {
			r.handles.set(ev.DID, ev.Identity.Handle)
		}
		st.handled(ev)
		return true
	}
	if st.replayed(ev) {
		j.counters.Duplicate()
		return true
	}
	p, ok := toPost(ev)
	if !ok {
		st.handled(ev)
		return true
	}
	if !st.add(keyHash(ev), ev.TimeUS) {
		j.counters.Duplicate()
		st.handled(ev)
		return true
	}
	if h, ok := r.handles.m[ev.DID]; ok {
		p.Author.Handle = h
	}
	now := time.Now()
	j.counters.Deliver(usTime(ev.TimeUS), now)
	cont := r.yield(p, nil)
	st.handled(ev) // the loop body has run: the post is handled
	r.dirty = true
	if !cont {
		return false
	}
	if j.cfg.store != nil && now.Sub(r.lastSave) >= j.cfg.saveEvery {
		if err := r.save(ctx); err != nil {
			r.yield(listen.Post{}, err)
			return false
		}
	}
	return true
}

// save writes the cursor if anything changed since the last save.
func (r *run) save(ctx context.Context) error {
	j := r.j
	if j.cfg.store == nil || !r.dirty {
		return nil
	}
	c := r.st.marshal(j.cfg.rewind.Microseconds(), j.cfg.savedKeys)
	if err := j.cfg.store.Save(ctx, j.key, c); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("bluesky: save cursor: %w", err)
	}
	r.dirty = false
	r.lastSave = time.Now()
	return nil
}
