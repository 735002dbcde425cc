package mastodon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/adapter"
)

// maxFrame bounds one SSE line or WebSocket message.
const maxFrame = 16 << 20

// events reads one stream connection.
type events interface {
	// next returns the next event name and payload. For WebSocket the
	// payload is already unwrapped from its JSON string.
	next(ctx context.Context) (event string, data []byte, err error)
	close()
}

// stream runs the streaming loop: connect, backfill through REST from the
// last seen ID, read events; the adapter's reconnect loop retries.
func (r *run) stream(ctx context.Context) error {
	if r.src.opt.followTag {
		if err := r.followTag(ctx); err != nil {
			return err
		}
	}
	base := r.streamBase(ctx)
	return r.Stream(ctx, func(ctx context.Context) (bool, error) {
		ev, err := r.connect(ctx, base)
		if err != nil {
			return false, err
		}
		defer ev.close()
		if err := r.backfill(ctx); err != nil {
			return false, err
		}
		return r.readEvents(ctx, ev)
	})
}

// backfill reads the timeline through REST from a little before the newest
// status delivered until caught up.
func (r *run) backfill(ctx context.Context) error {
	r.min, r.next = r.backfillFrom(), ""
	r.next = r.pageURL(r.min, r.limit)
	for {
		more, err := r.page(ctx)
		if err != nil {
			if errors.Is(err, adapter.ErrStop) || httpx.IsAgain(err) {
				return err
			}
			return httpx.Final(err) // the requests have had their retries
		}
		if !more {
			return nil
		}
	}
}

// fatalError ends the stream for good (e.g. the server rejected the stream name).
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// backfillFrom is the ID to backfill from after a (re)connect: a little
// before the newest delivered ID, so that events the stream delivered out
// of order before a drop are covered too. Duplicates are dropped by ID.
func (r *run) backfillFrom() string {
	from := r.cursor
	for _, id := range r.recent {
		if idLess(id, from) {
			from = id
		}
	}
	return from
}

// readEvents reads and delivers events until the connection ends. It
// reports progress when anything arrived.
func (r *run) readEvents(ctx context.Context, ev events) (progress bool, err error) {
	for {
		name, data, err := ev.next(ctx)
		if err != nil {
			var fatal *fatalError
			var stall *httpx.StallError
			switch {
			case ctx.Err() != nil:
				return progress, adapter.ErrStop
			case errors.As(err, &fatal):
				return progress, httpx.Final(fatal.err)
			case errors.As(err, &stall):
				return progress, err
			}
			return progress, httpx.Again(err, 0)
		}
		progress = true
		var p listen.Post
		editKey := ""
		switch name {
		case "update", "status.update":
			var st status
			if err := decodeStatus(data, &st); err != nil || st.ID == "" {
				// A broken frame may have carried a post: fetch what the
				// stream should have delivered from REST.
				if err == nil {
					err = errors.New("status without id")
				}
				r.Skip(ctx, adapter.ItemID(data, "id"), data, err)
				if err := r.backfill(ctx); err != nil {
					return progress, err
				}
				continue
			}
			p = st.post(r.src.host)
			if r.src.opt.followTag && !hasTag(p.Tags, r.src.timeline.arg) {
				continue // the user stream carries the whole home timeline
			}
			if name == "status.update" {
				p.Kind, editKey = listen.KindUpdate, str(st.EditedAt)
			}
		case "delete":
			id := strings.TrimSpace(string(data))
			if id == "" {
				r.Skip(ctx, "", data, errors.New("delete event without an id"))
				continue
			}
			if r.src.opt.followTag && !r.seen.Has(id) {
				continue // a deletion of a status this source never delivered
			}
			p = listen.Post{Platform: Platform, ID: id, Kind: listen.KindDelete}
		default:
			continue // notification, filters_changed, announcement, ...
		}
		if err := r.deliver(ctx, p, editKey); err != nil {
			return progress, err
		}
	}
}

// streamBase returns the streaming base URL: WithStreamURL, else the
// instance's configuration.urls.streaming when it is on another host and
// the instance uses https, else the instance URL itself. (GoToSocial
// advertises wss:// even on plain-http hosts, so a mismatch is ignored.)
func (r *run) streamBase(ctx context.Context) *url.URL {
	s := r.src
	if s.opt.streamURL != "" {
		u, _ := url.Parse(s.opt.streamURL)
		return u
	}
	base := *s.base
	if s.base.Scheme != "https" {
		return &base
	}
	req, err := r.newRequest(ctx, s.base.String()+"/api/v2/instance")
	if err != nil {
		return &base
	}
	resp, err := s.once.Do(ctx, req)
	if err != nil {
		return &base
	}
	var inst struct {
		Configuration struct {
			URLs struct {
				Streaming string `json:"streaming"`
			} `json:"urls"`
		} `json:"configuration"`
	}
	if json.Unmarshal(resp.Body, &inst) != nil {
		return &base
	}
	su, err := url.Parse(inst.Configuration.URLs.Streaming)
	if err != nil || su.Host == "" || su.Scheme != "wss" {
		return &base
	}
	su.Scheme = "https"
	return su
}

func (r *run) connect(ctx context.Context, base *url.URL) (events, error) {
	if r.src.opt.transport == WebSocket {
		return r.connectWS(ctx, base)
	}
	return r.connectSSE(ctx, base)
}

func (r *run) connectSSE(ctx context.Context, base *url.URL) (events, error) {
	s := r.src
	u := *base
	u.Scheme = strings.Replace(strings.Replace(u.Scheme, "wss", "https", 1), "ws", "http", 1)
	q := url.Values{}
	switch r.streamKind() {
	case kindHashtag:
		u.Path = strings.TrimRight(u.Path, "/") + "/api/v1/streaming/hashtag"
		if s.timeline.local {
			u.Path += "/local"
		}
		q.Set("tag", s.timeline.arg)
	case kindHome:
		u.Path = strings.TrimRight(u.Path, "/") + "/api/v1/streaming/user"
	default:
		u.Path = strings.TrimRight(u.Path, "/") + "/api/v1/streaming/public"
		if s.timeline.local {
			u.Path += "/local"
		}
	}
	u.RawQuery = q.Encode()
	req, err := r.newRequest(ctx, u.String())
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := s.once.Open(ctx, req) // the stream loop does the retrying
	if err != nil {
		return nil, err
	}
	body := httpx.IdleReader(resp.Body, Platform, s.b.Settings.StallTimeout)
	return &sse{body: body, br: newBufReader(body)}, nil
}

func newBufReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 64<<10) }

type sse struct {
	body io.ReadCloser
	br   *bufio.Reader
	buf  []byte
}

func (e *sse) close() { e.body.Close() }

func (e *sse) line() ([]byte, error) {
	e.buf = e.buf[:0]
	for {
		chunk, err := e.br.ReadSlice('\n')
		e.buf = append(e.buf, chunk...)
		if len(e.buf) > maxFrame {
			return nil, fmt.Errorf("mastodon: SSE line longer than %d bytes", maxFrame)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return nil, err
		}
		return bytes.TrimRight(e.buf, "\r\n"), nil
	}
}

func (e *sse) next(ctx context.Context) (string, []byte, error) {
	var event string
	var data []byte
	hasData := false
	for {
		line, err := e.line()
		if err != nil {
			return "", nil, err
		}
		if len(line) == 0 {
			if hasData || event != "" {
				return event, data, nil
			}
			continue
		}
		if line[0] == ':' {
			continue // comment: ":)" greeting, ":thump" heartbeat
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			event = string(value)
		case "data":
			if hasData {
				data = append(data, '\n')
			}
			data = append(data, value...)
			hasData = true
			if len(data) > maxFrame {
				return "", nil, fmt.Errorf("mastodon: SSE event longer than %d bytes", maxFrame)
			}
		}
	}
}

func (r *run) connectWS(ctx context.Context, base *url.URL) (events, error) {
	s := r.src
	u := *base
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	case "http":
		u.Scheme = "ws"
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/api/v1/streaming"
	q := url.Values{}
	switch r.streamKind() {
	case kindHashtag:
		q.Set("stream", "hashtag")
		if s.timeline.local {
			q.Set("stream", "hashtag:local")
		}
		q.Set("tag", s.timeline.arg)
	case kindHome:
		q.Set("stream", "user")
	default:
		q.Set("stream", "public")
		if s.timeline.local {
			q.Set("stream", "public:local")
		}
	}
	// GoToSocial reads the token only from the query (or the subprotocol).
	q.Set("access_token", string(s.opt.tok()))
	u.RawQuery = q.Encode()
	if err := s.b.Client.WaitTurn(ctx); err != nil {
		return nil, err
	}
	hdr := http.Header{}
	hdr.Set("User-Agent", s.b.Settings.UserAgent)
	hdr.Set("Authorization", "Bearer "+string(s.opt.tok()))
	w := &wsEvents{}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(dctx, u.String(), &websocket.DialOptions{
		HTTPClient: s.b.Settings.HTTPClient,
		HTTPHeader: hdr,
		OnPingReceived: func(context.Context, []byte) bool {
			w.kick()
			return true
		},
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			var body []byte
			if resp.Body != nil {
				body, _ = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
				resp.Body.Close()
			}
			return nil, s.b.Client.StatusError(resp, body)
		}
		return nil, s.b.Client.DialError(&u, err)
	}
	conn.SetReadLimit(maxFrame)
	w.conn = conn
	w.stall = s.b.Settings.StallTimeout
	w.dog = httpx.NewWatchdog(w.stall, func() { conn.CloseNow() })
	return w, nil
}

type wsEvents struct {
	conn  *websocket.Conn
	dog   *httpx.Watchdog
	stall time.Duration
}

func (w *wsEvents) kick() {
	if w.dog != nil {
		w.dog.Kick()
	}
}

// close drops the connection at once: a polite close handshake could
// block for seconds on a dead peer, and the server needs nothing from us.
func (w *wsEvents) close() {
	w.dog.Stop()
	w.conn.CloseNow()
}

type wsFrame struct {
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
	Error   string          `json:"error"`
	Status  int             `json:"status"`
}

func (w *wsEvents) next(ctx context.Context) (string, []byte, error) {
	for {
		typ, data, err := w.conn.Read(ctx)
		if err != nil {
			if w.dog.Fired() {
				return "", nil, &httpx.StallError{Platform: Platform, Idle: w.stall}
			}
			return "", nil, fmt.Errorf("mastodon: websocket read: %w", err)
		}
		w.kick()
		if typ != websocket.MessageText {
			continue
		}
		return decodeWSFrame(data)
	}
}

// decodeWSFrame unwraps one WebSocket message: {"stream":[...],
// "event":"update","payload":"<JSON string>"}. A malformed message is
// reported as an "update" with no payload, so the caller backfills; an
// error message ({"error":...,"status":400}) ends the stream.
func decodeWSFrame(data []byte) (string, []byte, error) {
	var f wsFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return "update", nil, nil
	}
	if f.Error != "" {
		code := f.Status
		if code < 400 || code > 599 {
			code = http.StatusBadRequest
		}
		return "", nil, &fatalError{&listen.HTTPError{Platform: Platform, StatusCode: code, Message: f.Error}}
	}
	if len(f.Payload) == 0 {
		return f.Event, nil, nil
	}
	var payload string
	if err := json.Unmarshal(f.Payload, &payload); err != nil {
		// Some servers send the payload as an object, not a string.
		return f.Event, f.Payload, nil
	}
	return f.Event, []byte(payload), nil
}

// streamKind is the stream to read: the user stream when following a tag.
func (r *run) streamKind() timelineKind {
	if r.src.opt.followTag {
		return kindHome
	}
	return r.src.timeline.kind
}

func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// followTag follows the hashtag with the token's account; following a
// tag twice is harmless.
func (r *run) followTag(ctx context.Context) error {
	s := r.src
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		s.base.String()+"/api/v1/tags/"+url.PathEscape(s.timeline.arg)+"/follow", http.NoBody)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+string(s.opt.tok()))
	req.Header.Set("Accept", "application/json")
	if _, err := s.b.Client.Do(ctx, req); err != nil {
		return fmt.Errorf("mastodon: follow #%s: %w", s.timeline.arg, err)
	}
	return nil
}
