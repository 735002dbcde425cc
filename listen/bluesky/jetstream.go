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
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/config"
	"github.com/earshot-dev/earshot/listen/internal/seen"
)

// jetstream is the source of [NewJetstream].
type jetstream struct {
	endpoint string
	opt      jetOptions
	b        *adapter.Base
}

// NewJetstream returns a source reading Bluesky's Jetstream firehose at
// endpoint, e.g. "wss://jetstream2.us-east.bsky.network/subscribe", over
// WebSocket: new posts, edits and deletes, and optionally reposts and
// likes (see [WithCollections]).
//
// It reconnects with backoff after any failure, resumes from the newest
// event handled (the v2 sequence cursor when the server sends one, else
// time_us rewound by [WithRewind]), and drops replayed and duplicated
// events by (did, collection, rkey, rev). Each Posts call is its own
// connection. The sequence runs until ctx is done, the loop breaks, or
// reconnecting has failed for longer than the retry budget
// ([listen.WithMaxRetryTime]; connections that stay silent count as
// failures). A refused handshake other than 408, 429 and 5xx is final at
// once.
//
// It takes the shared options of package listen (WithStallTimeout 1m by
// default, WithCursorStore, WithSaveInterval 1s by default,
// WithDedupeSize, WithMaxRetryTime, ...) and WithCollections, WithDIDs,
// WithRewind and WithMaxMessageSize.
func NewJetstream(endpoint string, opts ...listen.Option) (*Source, error) {
	cfg, o := jetDefaults()
	if err := config.Apply("bluesky.NewJetstream", &cfg, &o, opts); err != nil {
		return nil, err
	}
	if err := cfg.Check(Platform, 0, 0); err != nil {
		return nil, err
	}
	if err := o.validate(); err != nil {
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
	if cfg.Key == "" {
		cfg.Key = "bluesky:jetstream:" + u.Host + u.Path + "?c=" + strings.Join(o.collections, ",") + "&d=" + strings.Join(o.dids, ",")
	}
	return &Source{&jetstream{endpoint: endpoint, opt: o, b: adapter.New(Platform, cfg, nil, adapter.URLSecrets(endpoint)...)}}, nil
}

func (j *jetstream) Stats() listen.Stats { return j.b.Stats() }

func (j *jetstream) String() string {
	return "bluesky.Jetstream(" + httpx.RedactURLString(j.endpoint) + ")"
}

// maxQueryDIDs is the most DIDs put in the subscribe URL; more are sent
// in an options_update message after connecting (requireHello), since a
// URL with thousands of DIDs is refused by servers and proxies.
const maxQueryDIDs = 50

func (j *jetstream) hello() bool { return len(j.opt.dids) > maxQueryDIDs }

// optionsUpdate is the client message that sets the filters.
func (j *jetstream) optionsUpdate() []byte {
	b, _ := json.Marshal(map[string]any{"type": "options_update", "payload": map[string]any{
		"wantedCollections": j.opt.collections, "wantedDids": j.opt.dids, "maxMessageSizeBytes": j.opt.maxMessage}})
	return b
}

func (j *jetstream) subscribeURL(cursor string) string {
	u, _ := url.Parse(j.endpoint)
	q := u.Query()
	for _, c := range j.opt.collections {
		q.Add("wantedCollections", c)
	}
	if j.hello() {
		q.Set("requireHello", "true")
	} else {
		for _, d := range j.opt.dids {
			q.Add("wantedDids", d)
		}
	}
	q.Set("maxMessageSizeBytes", fmt.Sprint(j.opt.maxMessage))
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (j *jetstream) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return j.b.Posts(ctx, func(ar *adapter.Run) (adapter.Cursor, func(context.Context) error) {
		r := &run{Run: ar, j: j, st: newStreamState(j.b.Settings.Dedupe), handles: seen.NewMap[string, string](10_000), bots: seen.NewMap[string, bool](10_000)}
		return r, func(ctx context.Context) error { return ar.Stream(ctx, r.connect) }
	})
}

// run is the state of one Posts call.
type run struct {
	*adapter.Run
	j       *jetstream
	st      *streamState
	startUS int64 // when the first live-tail dial was made
	handles *seen.Map[string, string]
	bots    *seen.Map[string, bool] // accounts whose profile carries the "bot" self-label
}

// Restore implements [adapter.Cursor].
func (r *run) Restore(saved string) error { return r.st.restore(saved) }

// Marshal implements [adapter.Cursor].
func (r *run) Marshal() string {
	if r.st.maxTimeUS == 0 && r.st.maxSeq == 0 {
		return ""
	}
	return r.st.marshal(r.j.opt.rewind.Microseconds(), savedKeys)
}

// connect runs one connection. It reports progress when frames arrived.
func (r *run) connect(ctx context.Context) (bool, error) {
	j := r.j
	if err := j.b.Client.WaitTurn(ctx); err != nil {
		return false, err
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
		cursor = r.st.resume(j.opt.rewind.Microseconds())
	}
	// Sequence cursors are local to one server instance, and a host name
	// may lead to another. The replay must start at the event last
	// handled; if its time is far off, resume by time instead.
	checkSeq := r.st.floorSeq > 0
	resumeUS := r.st.maxTimeUS
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	hdr := http.Header{}
	hdr.Set("User-Agent", j.b.Settings.UserAgent)
	u := j.subscribeURL(cursor)
	conn, resp, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: j.b.Settings.HTTPClient, HTTPHeader: hdr})
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return false, adapter.ErrStop
		}
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			var body []byte
			if resp.Body != nil {
				body, _ = io.ReadAll(io.LimitReader(resp.Body, 4096))
				resp.Body.Close()
			}
			return false, fmt.Errorf("bluesky: jetstream: handshake refused: %w", j.b.Client.StatusError(resp, body))
		}
		pu, _ := url.Parse(u)
		return false, j.b.Client.DialError(pu, err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(j.opt.maxMessage)
	if j.hello() {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := conn.Write(wctx, websocket.MessageText, j.optionsUpdate())
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return false, adapter.ErrStop
			}
			return false, httpx.Again(fmt.Errorf("bluesky: jetstream: send options_update: %v", err), 0)
		}
	}

	idle := j.b.Settings.StallTimeout
	got := 0
	var ev event
	for {
		rctx, rcancel := context.WithTimeout(ctx, idle)
		typ, data, err := conn.Read(rctx)
		silent := err != nil && ctx.Err() == nil && rctx.Err() != nil
		rcancel()
		if err != nil {
			switch {
			case ctx.Err() != nil:
				return got > 0, adapter.ErrStop
			case silent:
				if checkSeq {
					// A sequence resume that brought nothing may point past
					// the end of another instance's log: use time next.
					r.st.noSeq = true
				}
				return got > 0, &httpx.StallError{Platform: Platform, Idle: idle}
			}
			if s := websocket.CloseStatus(err); s != -1 {
				return got > 0, httpx.Again(fmt.Errorf("bluesky: jetstream: closed by server: %d", s), 0)
			}
			return got > 0, httpx.Again(fmt.Errorf("bluesky: jetstream: read: %v", err), 0)
		}
		got++
		if typ != websocket.MessageText {
			r.Skip(ctx, "", data, errors.New("binary frame"))
			continue
		}
		if err := decodeEvent(data, &ev); err != nil {
			r.Skip(ctx, adapter.ItemID(data, "commit.rkey", "did"), data, err)
			continue
		}
		if checkSeq {
			checkSeq = false
			// No sequence at all: an older server took the number for a
			// time far in the past.
			if d := time.Duration(ev.TimeUS-resumeUS) * time.Microsecond; ev.Seq == nil || d > j.opt.seqJump || d < -j.opt.seqJump {
				r.st.noSeq = true
				j.b.Log(ctx, slog.LevelInfo, "jetstream: sequence cursor belongs to another instance; resuming by time", "offset", d)
				return true, httpx.Again(errors.New("bluesky: jetstream: sequence cursor from another instance"), 0)
			}
		}
		if err := r.handle(ctx, &ev); err != nil {
			return true, err
		}
	}
}

// handle delivers ev if it is a new post event; the cursor moves past it
// once the host has handled it.
func (r *run) handle(ctx context.Context, ev *event) error {
	j, st := r.j, r.st
	if ev.Kind != "commit" || ev.Commit == nil {
		// Identity and account events: nothing to deliver, but a new
		// handle is remembered for the account's next posts.
		if ev.Kind == "identity" && ev.Identity != nil && ev.Identity.Handle != "" && ev.DID != "" {
			r.handles.Put(ev.DID, ev.Identity.Handle)
		}
		st.handled(ev)
		r.Commit()
		return nil
	}
	if st.replayed(ev) {
		j.b.Counters.Duplicate()
		return nil
	}
	if ev.Commit.Collection == CollectionProfile && ev.Commit.Record != nil {
		r.bots.Put(ev.DID, ev.Commit.Record.Labels.has("bot"))
	}
	p, ok := toPost(ev)
	if !ok {
		st.handled(ev)
		r.Commit()
		return nil
	}
	key := keyHash(ev)
	if st.has(key) {
		j.b.Counters.Duplicate()
		st.handled(ev)
		return nil
	}
	if h, ok := r.handles.Get(ev.DID); ok {
		p.Author.Handle = h
	}
	if bot, _ := r.bots.Get(ev.DID); bot {
		p.Author.Bot = true
	}
	timeUS, seq := ev.TimeUS, int64(0)
	if ev.Seq != nil {
		seq = *ev.Seq // ev is reused for the next frame
	}
	return r.Deliver(ctx, p, func() {
		st.add(key, timeUS)
		st.handledAt(timeUS, seq)
	})
}
