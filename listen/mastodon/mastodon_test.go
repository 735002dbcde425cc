package mastodon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/seen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fastOpts keep retries and polling quick in tests.
func fastOpts(f *fake, more ...listen.Option) []listen.Option {
	return append([]listen.Option{
		listen.WithHTTPClient(f.srv.Client()),
		listen.WithRetryBackoff(time.Millisecond, 4*time.Millisecond),
		listen.WithMaxRetryTime(10 * time.Second),
		listen.WithInterval(2 * time.Millisecond),
	}, more...)
}

func TestConformance(t *testing.T) {
	modes := map[string][]listen.Option{
		"poll":      nil,
		"follow":    {listen.Follow()},
		"sse":       {WithStream(SSE)},
		"websocket": {WithStream(WebSocket), WithToken("tok-123456")},
	}
	for name, opts := range modes {
		t.Run(name, func(t *testing.T) {
			listentest.Run(t, func(t *testing.T) listen.Source {
				f := newFake(t)
				f.publish(10)
				// Keep-alive connections idling in the host's pool are the
				// host's, not the source's: the leak check would count them.
				noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				src, err := New(f.srv.URL, Hashtag("golang"), fastOpts(f, append(opts, listen.WithHTTPClient(noKeepAlive))...)...)
				require.NoError(t, err)
				return src
			})
		})
	}
}

func TestNewValidates(t *testing.T) {
	bad := []struct {
		url  string
		tl   Timeline
		opts []listen.Option
	}{
		{"mastodon.social", Public(), nil},
		{"ftp://x", Public(), nil},
		{"https://x", Hashtag(""), nil},
		{"https://x", Search("q"), nil},
		{"https://x", Home(), nil},
		{"https://x", Public(), []listen.Option{WithStream(WebSocket)}},
		{"https://x", Public(), []listen.Option{listen.WithPageSize(41)}},
		{"https://x", Search("q"), []listen.Option{WithToken("t"), WithStream(SSE)}},
	}
	for i, tc := range bad {
		_, err := New(tc.url, tc.tl, tc.opts...)
		assert.Error(t, err, "case %d", i)
		if err != nil {
			assert.True(t, strings.HasPrefix(err.Error(), "mastodon: "), err.Error())
		}
	}
}

func TestTokenNeverPrinted(t *testing.T) {
	src, err := New("https://m.example", Home(), WithToken("super-secret-token"))
	require.NoError(t, err)
	for _, s := range []string{src.String(), fmt.Sprintf("%v", src), fmt.Sprintf("%+v", src.opt), fmt.Sprintf("%#v", src.opt)} {
		assert.NotContains(t, s, "super-secret-token")
	}
}

func collect(t *testing.T, src listen.Source, ctx context.Context, stop func(got map[string]int) bool) (map[string]int, []listen.Post, error) {
	t.Helper()
	got := map[string]int{}
	var posts []listen.Post
	for p, err := range src.Posts(ctx) {
		if err != nil {
			return got, posts, err
		}
		if p.Kind == listen.KindPost {
			got[p.ID]++
		}
		posts = append(posts, p)
		if stop != nil && stop(got) {
			break
		}
	}
	return got, posts, nil
}

func TestPollingPagesForwardWithoutGaps(t *testing.T) {
	f := newFake(t)
	ids := f.publish(95)
	store := &listen.MemoryStore{}
	require.NoError(t, store.Save(context.Background(), "k", "1"))
	src, err := New(f.srv.URL, Hashtag("golang"), fastOpts(f, listen.WithCursorStore(store, "k"), listen.WithPageSize(40))...)
	require.NoError(t, err)
	got, posts, err := collect(t, src, context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, got, 95)
	for i, p := range posts {
		assert.Equal(t, ids[i], p.ID, "oldest first, no gap")
		assert.Equal(t, fmt.Sprintf("post %d about #golang & friends", i), p.Text)
		assert.Equal(t, []string{"golang"}, p.Tags)
	}
	c, _ := store.Load(context.Background(), "k")
	assert.Equal(t, ids[94], c)
	// Nothing new: a second run delivers nothing.
	got, _, err = collect(t, src, context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestAuthFailureIsFinal(t *testing.T) {
	f := newFake(t)
	f.tokenReq = "right"
	f.publish(3)
	src, err := New(f.srv.URL, Hashtag("golang"), fastOpts(f, WithToken("wrong-token-xyz"), listen.Follow())...)
	require.NoError(t, err)
	_, _, err = collect(t, src, context.Background(), nil)
	require.ErrorIs(t, err, listen.ErrAuth)
	assert.NotContains(t, err.Error(), "wrong-token-xyz")
	assert.Equal(t, 1, f.requests, "401 is not retried")
}

func TestGoToSocialWebSocketOnly(t *testing.T) {
	f := newFake(t)
	f.sseOff, f.wsQuery, f.tokenReq = true, true, "gts-token"
	f.publish(2)
	// SSE is 404 there: a final not-found error, not a reconnect storm.
	src, err := New(f.srv.URL, Local(), fastOpts(f, WithStream(SSE), WithToken("gts-token"))...)
	require.NoError(t, err)
	_, _, err = collect(t, src, context.Background(), func(got map[string]int) bool { return false })
	require.ErrorIs(t, err, listen.ErrNotFound)

	src, err = New(f.srv.URL, Home(), fastOpts(f, WithStream(WebSocket), WithToken("gts-token"))...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var posts []listen.Post
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		posts = append(posts, p)
		if len(posts) == 2 {
			f.publish(1) // arrives over the WebSocket
		}
		if len(posts) == 3 {
			break
		}
	}
	assert.Len(t, posts, 3)
}

func TestStreamUpdateAndDelete(t *testing.T) {
	f := newFake(t)
	f.publish(1)
	src, err := New(f.srv.URL, Hashtag("golang"), fastOpts(f, WithStream(SSE))...)
	require.NoError(t, err)
	// Inject edit and delete events through a custom subscriber stream.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ev := &scripted{events: [][2]string{
		{"update", `{"id":"5","created_at":"2022-11-15T16:06:48.410Z","content":"<p>hi</p>","account":{"acct":"a"}}`},
		{"status.update", `{"id":"5","edited_at":"2022-11-15T16:07:29.023Z","content":"<p>edited</p>","account":{"acct":"a"}}`},
		{"status.update", `{"id":"5","edited_at":"2022-11-15T16:07:29.023Z","content":"<p>edited</p>","account":{"acct":"a"}}`},
		{"filters_changed", ""},
		{"delete", "5"},
		{"update", `{"id":"5","created_at":"2022-11-15T16:06:48.410Z","content":"<p>hi</p>","account":{"acct":"a"}}`},
	}}
	var got []listen.Post
	for p, err := range src.b.Posts(ctx, func(ar *adapter.Run) (adapter.Cursor, func(context.Context) error) {
		r := &run{src: src, Run: ar, seen: seen.New[string](16), limit: 40}
		return r, func(ctx context.Context) error { _, err := r.readEvents(ctx, ev); return err }
	}) {
		if err != nil {
			require.ErrorIs(t, err, errEndOfScript)
			break
		}
		got = append(got, p)
	}
	require.Len(t, got, 3)
	assert.Equal(t, listen.KindPost, got[0].Kind)
	assert.Equal(t, listen.KindUpdate, got[1].Kind)
	assert.Equal(t, "edited", got[1].Text)
	assert.Equal(t, listen.KindDelete, got[2].Kind)
	assert.Equal(t, "5", got[2].ID)
	assert.Equal(t, int64(2), src.Stats().Duplicates)
}

var errEndOfScript = errors.New("end of script")

type scripted struct{ events [][2]string }

func (s *scripted) next(context.Context) (string, []byte, error) {
	if len(s.events) == 0 {
		return "", nil, errEndOfScript
	}
	e := s.events[0]
	s.events = s.events[1:]
	return e[0], []byte(e[1]), nil
}
func (s *scripted) close() {}

func TestSearchTimeline(t *testing.T) {
	f := newFake(t)
	f.publish(4)
	src, err := New(f.srv.URL, Search("golang"), fastOpts(f, WithToken("t-123456"))...)
	require.NoError(t, err)
	got, _, err := collect(t, src, context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, got, 4)
}

// TestOversizedPageIsFetchedInSmallerPages: a page over the body limit
// used to fail the source for good (and a restart fetched the same page).
// Now it is asked for again in halves, and everything arrives.
func TestOversizedPageIsFetchedInSmallerPages(t *testing.T) {
	f := newFake(t)
	ids := f.publish(40)
	store := &listen.MemoryStore{}
	require.NoError(t, store.Save(context.Background(), "k", "1"))
	src, err := New(f.srv.URL, Public(), fastOpts(f, listen.WithMaxBody(10_000), listen.WithCursorStore(store, "k"))...)
	require.NoError(t, err)
	got, _, err := collect(t, src, context.Background(), nil)
	require.NoError(t, err)
	for _, id := range ids {
		assert.Equal(t, 1, got[id], id)
	}
}

func TestFollowsLinkHeaderOnInstanceOnly(t *testing.T) {
	for _, foreign := range []bool{false, true} {
		t.Run(fmt.Sprint("foreign=", foreign), func(t *testing.T) {
			var queries []string
			f := newFake(t)
			f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				queries = append(queries, r.URL.RawQuery)
				host := "http://" + r.Host
				if foreign {
					host = "http://evil.example"
				}
				switch {
				case r.URL.Query().Get("min_id") == "1":
					w.Header().Set("Link", `<`+host+`/api/v1/timelines/tag/golang?limit=2&min_id=3&marker=x>; rel="prev"`)
					fmt.Fprint(w, `[{"id":"3","account":{"acct":"a"}},{"id":"2","account":{"acct":"a"}}]`)
				default:
					fmt.Fprint(w, `[]`)
				}
			})
			store := &listen.MemoryStore{}
			store.Save(context.Background(), "k", "1")
			src, err := New(f.srv.URL, Hashtag("golang"), fastOpts(f, listen.WithPageSize(2), listen.WithCursorStore(store, "k"))...)
			require.NoError(t, err)
			_, _, err = collect(t, src, context.Background(), nil)
			require.NoError(t, err)
			require.Len(t, queries, 2)
			if foreign {
				assert.Equal(t, "limit=2&min_id=3", queries[1], "a link to another host is not followed")
			} else {
				assert.Equal(t, "limit=2&min_id=3&marker=x", queries[1], "the link is followed verbatim")
			}
		})
	}
}

func TestGoToSocialFollowTag(t *testing.T) {
	f := newFake(t)
	f.sseOff, f.wsQuery, f.tagSilent, f.tokenReq = true, true, true, "gts-token"
	f.publish(2)
	src, err := New(f.srv.URL, Hashtag("golang"), fastOpts(f, WithStream(WebSocket), WithToken("gts-token"), WithFollowTag())...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var posts []listen.Post
	var untagged string
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		posts = append(posts, p)
		if len(posts) == 2 { // backfill done: now only the user stream delivers
			untagged = f.publishUntagged()
			f.publish(1)
		}
		if len(posts) == 3 {
			break
		}
	}
	require.Len(t, posts, 3)
	assert.NotEqual(t, untagged, posts[2].ID, "statuses without the tag are dropped from the user stream")
	assert.Equal(t, []string{"golang"}, posts[2].Tags)
	f.mu.Lock()
	assert.Equal(t, []string{"golang"}, f.follows)
	f.mu.Unlock()

	_, err = New(f.srv.URL, Public(), WithFollowTag(), WithStream(WebSocket), WithToken("x"))
	assert.Error(t, err)
}

// TestStalledStreamReconnects: a stream that sends nothing, not even a
// heartbeat, is detected by the idle timeout and reconnected; what was
// published meanwhile arrives through the backfill.
func TestStalledStreamReconnects(t *testing.T) {
	f := newFake(t)
	f.silentSSE = 2
	ids := f.publish(1)
	store := &listen.MemoryStore{}
	store.Save(context.Background(), "k", "1")
	var logs bytes.Buffer
	src, err := New(f.srv.URL, Hashtag("golang"), fastOpts(f, WithStream(SSE), listen.WithStallTimeout(100*time.Millisecond), listen.WithCursorStore(store, "k"),
		listen.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))...)
	require.NoError(t, err)
	// A hang guard only: the reconnect is asserted by the stall counted
	// and logged at the 100 ms set, not by the clock.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var got []string
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		got = append(got, p.ID)
		if len(got) == 1 {
			ids = append(ids, f.publish(1)...) // published while the socket is dead
		}
		if len(got) == 2 {
			break
		}
	}
	require.NoError(t, ctx.Err(), "hang guard")
	assert.Equal(t, ids, got)
	assert.GreaterOrEqual(t, src.Stats().Reconnects, int64(1))
	assert.GreaterOrEqual(t, src.Stats().Pauses, int64(1), "a stall is counted as a pause")
	assert.Contains(t, logs.String(), "nothing received for 100ms", "the stall timeout set, not the default")
}

// TestStalledWebSocketReconnects: a WebSocket that never delivers is
// closed by the watchdog and reconnected; the backfill after each
// reconnect delivers what was published.
func TestStalledWebSocketReconnects(t *testing.T) {
	f := newFake(t)
	f.tagSilent = true
	ids := f.publish(1)
	src, err := New(f.srv.URL, Hashtag("golang"), fastOpts(f, WithStream(WebSocket), WithToken("t-123456"), listen.WithStallTimeout(100*time.Millisecond))...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []string
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		got = append(got, p.ID)
		if len(got) == 1 {
			ids = append(ids, f.publish(1)...)
		}
		if len(got) == 2 {
			break
		}
	}
	assert.Equal(t, ids, got)
	assert.GreaterOrEqual(t, src.Stats().Reconnects, int64(1))
}

func TestStreamBaseDiscovery(t *testing.T) {
	for _, tc := range []struct{ advertised, want string }{
		{"wss://streaming.mastodon.example", "https://streaming.mastodon.example"},
		{"", ""},                   // nothing advertised: the instance itself
		{"ws://plain.example", ""}, // not TLS on a TLS instance: ignored
	} {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"domain":"mastodon.example","configuration":{"urls":{"streaming":%q}}}`, tc.advertised)
		}))
		src, err := New(srv.URL, Public(), listen.WithHTTPClient(srv.Client()), WithStream(SSE))
		require.NoError(t, err)
		r := &run{src: src}
		want := tc.want
		if want == "" {
			want = srv.URL
		}
		assert.Equal(t, want, r.streamBase(context.Background()).String())
		srv.Close()
	}
	// Plain-http instances (GoToSocial on loopback) never use the
	// advertised wss:// URL.
	src, err := New("http://127.0.0.1:9", Public(), WithStream(SSE))
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9", (&run{src: src}).streamBase(context.Background()).String())
}
