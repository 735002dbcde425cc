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
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/seen"
)

// maxLine bounds one stream message.
const maxLine = 4 << 20

// NewStream returns a source that reads X's filtered stream
// (/2/tweets/search/stream) with the rules already set on the app, using
// an app-only bearer token. The stream is HTTP/1.1 chunked JSON, one
// message per "\r\n"-terminated line, with a bare "\r\n" keep-alive about
// every 20 seconds.
//
// It reconnects after a dropped connection, a stall
// ([listen.WithStallTimeout]), or an in-stream disconnect error, with
// backoff (X's floors: 60s after a 429 such as TooManyConnections, 5s
// after a 5xx), and, with [WithBackfill], fills the gap with a recent
// search since the newest post seen. Duplicates between stream and
// backfill are dropped by ID. X allows one stream connection per app on
// most tiers: run one Posts at a time. Posts runs until ctx is done or the
// loop breaks; errors are final: a refused token (401, 403), a refused
// connection that outlasted the retry budget, a failing cursor store.
//
// It takes the shared options of package listen (WithStallTimeout 30s by
// default, WithCursorStore, WithPageSize and WithMaxPages for the
// backfill, ...) and WithBaseURL and WithBackfill. The token never
// appears in errors, logs or String.
func NewStream(bearer string, opts ...listen.Option) (*Source, error) {
	c, err := newClient("x.NewStream", bearer, opts, "stream")
	if err != nil {
		return nil, err
	}
	return &Source{c: c, name: "x.Stream(" + httpx.RedactURLString(c.opt.baseURL) + ")", posts: func(ctx context.Context) iter.Seq2[listen.Post, error] {
		return streamPosts(ctx, c)
	}}, nil
}

// errDisconnect is an in-stream error asking the client to reconnect.
var errDisconnect = errors.New("x: stream disconnected by the server")

func streamPosts(ctx context.Context, c *client) iter.Seq2[listen.Post, error] {
	return c.b.Posts(ctx, func(r *adapter.Run) (adapter.Cursor, func(context.Context) error) {
		sr := &streamRun{c: c, Run: r, seen: seen.New[string](c.b.Settings.Dedupe)}
		return &sr.cur, func(ctx context.Context) error {
			defer c.closeIdle()
			return r.Stream(ctx, sr.connect)
		}
	})
}

type streamRun struct {
	*adapter.Run
	c     *client
	cur   idCursor  // newest ID handled
	start time.Time // when the first connection was opened
	seen  *seen.Set[string]
}

// deliver yields p unless it is a duplicate.
func (r *streamRun) deliver(ctx context.Context, p listen.Post) error {
	if !r.seen.Add(p.ID) {
		r.c.b.Counters.Duplicate()
		return nil
	}
	return r.Deliver(ctx, p, func() { r.cur.handled(p.ID) })
}

// connect opens the stream, backfills, and reads until the connection
// ends. It reports progress when anything (a keep-alive included) arrived.
func (r *streamRun) connect(ctx context.Context) (bool, error) {
	c := r.c
	resp, err := c.b.Client.Open(ctx, c.request("/2/tweets/search/stream", tweetFields))
	if err != nil {
		return false, err
	}
	body := httpx.IdleReader(resp.Body, Platform, c.b.Settings.StallTimeout)
	defer body.Close()

	// The stream is open (so nothing new is missed): fill the gap since
	// the newest post seen, then read on.
	var since time.Time
	if r.cur.last == "" && !r.start.IsZero() {
		// Nothing delivered yet, but an earlier connection was open: look
		// back to when it was opened (with a margin for clock skew).
		since = r.start.Add(-10 * time.Second)
	}
	if r.start.IsZero() {
		r.start = time.Now()
	}
	if c.opt.backfill != "" && (r.cur.last != "" || !since.IsZero()) {
		posts, err := c.fetchSince(ctx, r.Run, c.opt.backfill, r.cur.last, since)
		if err != nil {
			return false, httpx.Final(fmt.Errorf("x: backfill: %w", err)) // its requests had their retries
		}
		for _, p := range posts {
			if err := r.deliver(ctx, p); err != nil {
				return false, err
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
				return got > 0, httpx.Again(fmt.Errorf("x: stream: message over %d bytes", maxLine), 0)
			}
			continue
		}
		if err != nil {
			var stall *httpx.StallError
			switch {
			case ctx.Err() != nil:
				return got > 0, adapter.ErrStop
			case errors.As(err, &stall):
				return got > 0, err
			case errors.Is(err, io.EOF):
				return got > 0, httpx.Again(errors.New("x: stream: closed by the server"), 0)
			}
			return got > 0, httpx.Again(fmt.Errorf("x: stream: %w", err), 0)
		}
		msg := bytes.TrimSpace(line)
		line = line[:0]
		got++
		if len(msg) == 0 {
			continue // keep-alive
		}
		var m streamMessage
		if err := json.Unmarshal(msg, &m); err != nil {
			r.Skip(ctx, adapter.ItemID(msg, "data.id"), msg, err)
			continue
		}
		if len(m.Data) > 0 {
			p, err := decodeTweet(m.Data, m.Includes.Users)
			if err != nil {
				r.Skip(ctx, adapter.ItemID(m.Data, "id"), m.Data, err)
				continue
			}
			if err := r.deliver(ctx, p); err != nil {
				return true, err
			}
			continue
		}
		for _, e := range m.Errors {
			if e.DisconnectType != "" || strings.HasSuffix(e.Type, "/operational-disconnect") || strings.HasSuffix(e.Type, "/streaming-connection") {
				return true, httpx.Again(fmt.Errorf("%w: %s", errDisconnect, e.Title), 0)
			}
			c.b.Log(ctx, slog.LevelDebug, "stream error message", "title", e.Title, "detail", e.Detail)
		}
	}
}
