package x

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/seen"
)

// maxLine bounds one stream message.
const maxLine = 4 << 20

// Stream is a [listen.Source] that reads X's filtered stream
// (/2/tweets/search/stream) with the rules already set on the app. The
// stream is HTTP/1.1 chunked JSON, one message per "\r\n"-terminated line,
// with a bare "\r\n" keep-alive about every 20 seconds.
//
// It reconnects after a dropped connection, a stall ([WithStallTimeout]),
// or an in-stream disconnect error, with backoff (X's floors: 60s after a
// 429 such as TooManyConnections, 5s after a 5xx), and, with
// [WithBackfill], fills the gap with a recent search since the newest
// post seen. Duplicates between stream and backfill are dropped by ID.
// Create it with [NewStream]. It is safe for concurrent use, but X allows
// one stream connection per app on most tiers: run one Posts at a time.
type Stream struct {
	c *client
}

// NewStream returns a filtered-stream source using an app-only bearer
// token. The token never appears in errors, logs or String.
func NewStream(bearer string, opts ...Option) (*Stream, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	c, err := newClient(bearer, cfg, "stream")
	if err != nil {
		return nil, err
	}
	return &Stream{c: c}, nil
}

// Stats implements [listen.StatsReporter].
func (s *Stream) Stats() listen.Stats { return s.c.counters.Stats() }

// String describes the source without the token.
func (s *Stream) String() string { return "x.Stream(" + s.c.cfg.baseURL + ")" }

// errDisconnect is an in-stream error asking the client to reconnect.
var errDisconnect = errors.New("x: stream disconnected by the server")

// Posts implements [listen.Source]. It runs until ctx is done or the loop
// breaks; errors are final: a refused token (401, 403), a refused
// connection that outlasted [WithMaxRetryTime], a failing cursor store.
func (s *Stream) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		c := s.c
		if c.cfg.httpClient == nil {
			defer c.http.HTTP.CloseIdleConnections()
		}
		last, err := c.loadCursor(ctx)
		if err != nil {
			if ctx.Err() == nil {
				yield(listen.Post{}, err)
			}
			return
		}
		r := &streamRun{c: c, yield: yield, last: last, seen: seen.New[string](c.cfg.dedupe)}
		defer func() { c.saveCursor(context.WithoutCancel(ctx), r.last) }()
		bo := httpx.NewBackoff(httpx.Retry{Initial: c.cfg.minBackoff, Max: c.cfg.maxBackoff, MaxElapsed: c.cfg.maxRetry})
		for attempt := 0; ; attempt++ {
			if attempt > 0 {
				c.counters.Reconnect()
			}
			got, err := r.connect(ctx)
			if errors.Is(err, errStop) || ctx.Err() != nil {
				return
			}
			if got > 0 {
				bo.Reset()
			}
			if err := c.saveCursor(ctx, r.last); err != nil {
				yield(listen.Post{}, err)
				return
			}
			d, more := bo.Next()
			var rle *listen.RateLimitError
			if errors.As(err, &rle) && rle.RetryAfter > d {
				d = rle.RetryAfter // X's floor: at least a minute after a 429
			}
			if !more || d > bo.Remaining() {
				yield(listen.Post{}, fmt.Errorf("x: stream: giving up after %v: %w", bo.Elapsed().Round(time.Millisecond), err))
				return
			}
			c.log(ctx, slog.LevelDebug, "reconnecting", "wait", d, "err", err.Error())
			if httpx.Sleep(ctx, d) != nil {
				return
			}
		}
	}
}

var errStop = errors.New("stop")

type streamRun struct {
	c     *client
	yield func(listen.Post, error) bool
	last  string    // newest ID delivered
	start time.Time // when the first connection was opened
	seen  *seen.Set[string]
}

// deliver yields p unless it is a duplicate; false means stop.
func (r *streamRun) deliver(p listen.Post) bool {
	if !r.seen.Add(p.ID) {
		r.c.counters.Duplicate()
		return true
	}
	r.c.counters.Deliver(p.Created, time.Now())
	cont := r.yield(p, nil)
	if idLess(r.last, p.ID) {
		r.last = p.ID
	}
	return cont
}

// connect opens the stream, backfills, and reads until the connection
// ends. It returns the number of messages read and why it ended: errStop
// or the transient error to reconnect after.
func (r *streamRun) connect(ctx context.Context) (int, error) {
	c := r.c
	resp, err := c.http.Open(ctx, c.request("/2/tweets/search/stream", tweetFields))
	if err != nil {
		if ctx.Err() != nil {
			return 0, errStop
		}
		if !httpx.IsRetryable(err) {
			r.yield(listen.Post{}, err)
			return 0, errStop
		}
		return 0, err
	}
	body := httpx.IdleReader(resp.Body, Platform, c.cfg.idle)
	defer body.Close()

	// The stream is open (so nothing new is missed): fill the gap since
	// the newest post seen, then read on.
	var since time.Time
	if r.last == "" && !r.start.IsZero() {
		// Nothing delivered yet, but an earlier connection was open: look
		// back to when it was opened (with a margin for clock skew).
		since = r.start.Add(-10 * time.Second)
	}
	if r.start.IsZero() {
		r.start = time.Now()
	}
	if c.cfg.backfill != "" && (r.last != "" || !since.IsZero()) {
		posts, err := c.fetchSince(ctx, c.cfg.backfill, r.last, since)
		if err != nil {
			if ctx.Err() != nil {
				return 0, errStop
			}
			if errors.Is(err, listen.ErrAuth) {
				r.yield(listen.Post{}, err)
				return 0, errStop
			}
			return 0, fmt.Errorf("x: backfill: %w", err)
		}
		for _, p := range posts {
			if !r.deliver(p) {
				return 0, errStop
			}
		}
	}

	br := bufio.NewReaderSize(body, 64<<10)
	got := 0
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(line) > maxLine {
				return got, fmt.Errorf("x: stream: message over %d bytes", maxLine)
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return got, errStop
			}
			if errors.Is(err, io.EOF) {
				return got, errors.New("x: stream: closed by the server")
			}
			return got, fmt.Errorf("x: stream: %w", err)
		}
		msg := bytes.TrimSpace(line)
		line = line[:0]
		got++
		if len(msg) == 0 {
			continue // keep-alive
		}
		var m streamMessage
		if err := json.Unmarshal(msg, &m); err != nil {
			c.counters.Skip()
			c.log(ctx, slog.LevelDebug, "skipping undecodable message", "err", err.Error())
			continue
		}
		if m.Data != nil {
			p, ok := toPost(m.Data, m.Includes.Users)
			if !ok {
				c.counters.Skip()
				continue
			}
			if !r.deliver(p) {
				return got, errStop
			}
			continue
		}
		for _, e := range m.Errors {
			if e.DisconnectType != "" || strings.HasSuffix(e.Type, "/operational-disconnect") || strings.HasSuffix(e.Type, "/streaming-connection") {
				return got, fmt.Errorf("%w: %s", errDisconnect, e.Title)
			}
			c.log(ctx, slog.LevelDebug, "stream error message", "title", e.Title, "detail", e.Detail)
		}
	}
}
