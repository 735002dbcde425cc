package rss

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/faulttest"
	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func fast() []listen.Option {
	return []listen.Option{listen.Follow(), listen.WithInterval(time.Millisecond), listen.WithRetryBackoff(time.Millisecond, 5*time.Millisecond), listen.WithMaxRetryTime(5 * time.Second)}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestConformance(t *testing.T) {
	listentest.Run(t, func(t *testing.T) listen.Source {
		f := newFakeFeeds(t)
		a := f.add("a", "rss", 10)
		b := f.add("b", "atom", 10)
		src, err := New(URLs(a, b), fast()...)
		require.NoError(t, err)
		return src
	})
}

// TestGolden maps the RSS, Atom and JSON Feed fixtures to posts and
// compares them with golden files (rewrite with -update).
func TestGolden(t *testing.T) {
	at := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, name := range []string{"rss.xml", "atom.xml", "feed.json"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			require.NoError(t, err)
			feed, err := gofeed.NewParser().Parse(strings.NewReader(string(raw)))
			require.NoError(t, err)
			var posts []listen.Post
			for _, it := range mapFeed("https://feeds.example.com/"+name, feed, at) {
				posts = append(posts, it.post)
			}
			got, err := json.MarshalIndent(posts, "", "  ")
			require.NoError(t, err)
			golden := filepath.Join("testdata", name+".golden.json")
			if *update {
				require.NoError(t, os.WriteFile(golden, append(got, '\n'), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got))
			for _, p := range posts {
				assert.NotContains(t, p.Text, "<", "HTML left in %s", p.ID)
				assert.NotContains(t, p.Text, "&amp;", "entity left in %s", p.ID)
			}
		})
	}
}

// TestFaults: three feeds (RSS, Atom, JSON Feed) publish items over time
// while the server answers 429 (Retry-After in seconds and as a date),
// 503 bursts, 500, drops connections, truncates bodies and ignores
// validators. Every item published is delivered exactly once, and a
// restart from the saved cursor resumes without gaps or repeats.
func TestFaults(t *testing.T) {
	f := newFakeFeeds(t)
	f.faultRate = 0.45
	f.rng.Seed(5)
	var urls []string
	want := map[string]bool{}
	for _, fd := range []struct {
		name, format string
		n            int
	}{{"news", "rss", 250}, {"blog", "atom", 250}, {"notes", "json", 250}} {
		urls = append(urls, f.add(fd.name, fd.format, fd.n))
		for i := 0; i < fd.n; i++ {
			want[f.itemID("/feeds/"+fd.name, i)] = true
		}
	}
	store := &listen.MemoryStore{}
	opts := append(fast(), listen.WithCursorStore(store, "feeds"),
		listen.WithRetryBackoff(time.Millisecond, 2*time.Millisecond), listen.WithPauseLimit(5*time.Millisecond), listen.WithRetryAfterCap(2*time.Millisecond))
	ctx := ctxTimeout(t, 2*time.Minute)
	seen := map[string]int{}
	run := func(n int, last bool) *Source {
		src, err := New(URLs(urls...), opts...)
		require.NoError(t, err)
		got := 0
		for p, err := range src.Posts(ctx) {
			require.NoError(t, err)
			if got == n && !last {
				break // not handled: the restart delivers it again
			}
			seen[p.ID]++
			if got++; got == n && last {
				break
			}
		}
		require.Equal(t, n, got, "ctx: %v", ctx.Err())
		return src
	}
	s1 := run(len(want)/2, false)
	s2 := run(len(want)-len(want)/2, true)
	for id, c := range seen {
		assert.True(t, want[id], "unexpected item %s", id)
		assert.Equal(t, 1, c, "%s delivered %d times", id, c)
	}
	assert.Equal(t, len(want), len(seen))
	f.mu.Lock()
	t.Logf("feeds: faults %d (issue 19 kinds %d) %v; 304s %d; gzip %d", f.faults.Total(), f.faults.Of(faulttest.Issue19()...), f.faults, f.notMod, f.gzipped)
	assert.GreaterOrEqual(t, f.faults.Of(faulttest.Issue19()...), 200)
	assert.Positive(t, f.notMod, "conditional GET answered 304")
	assert.Positive(t, f.gzipped)
	f.mu.Unlock()
	st1, st2 := s1.Stats(), s2.Stats()
	assert.Positive(t, st1.Retries+st2.Retries)
	assert.Positive(t, st1.Skipped+st2.Skipped, "truncated bodies counted")
	assert.Positive(t, st1.Duplicates+st2.Duplicates)
}

func TestConditionalGETAndGzip(t *testing.T) {
	f := newFakeFeeds(t)
	u := f.add("a", "rss", 3)
	store := &listen.MemoryStore{}
	ctx := ctxTimeout(t, 10*time.Second)
	for i := 0; i < 3; i++ {
		src, err := New(URLs(u), listen.WithCursorStore(store, "k"))
		require.NoError(t, err)
		for _, err := range src.Posts(ctx) {
			require.NoError(t, err)
		}
	}
	c, _ := store.Load(ctx, "k")
	var saved map[string]feedState
	require.NoError(t, json.Unmarshal([]byte(c), &saved))
	assert.NotEmpty(t, saved[u].ETag)
	assert.NotEmpty(t, saved[u].LastModified)
	f.mu.Lock()
	defer f.mu.Unlock()
	assert.Equal(t, 2, f.condSeen, "validators sent on every poll after the first")
	assert.Equal(t, 3, f.gzipped)
}

func TestMovedGoneAndAuth(t *testing.T) {
	f := newFakeFeeds(t)
	f.add("new", "json", 2)
	f.mu.Lock()
	f.feeds["/feeds/new"].movedFrom = "/old"
	f.mu.Unlock()
	store := &listen.MemoryStore{}
	ctx := ctxTimeout(t, 10*time.Second)
	for i := 0; i < 2; i++ {
		src, err := New(URLs(f.URL+"/old"), listen.WithCursorStore(store, "k"))
		require.NoError(t, err)
		n := 0
		for _, err := range src.Posts(ctx) {
			require.NoError(t, err)
			n++
		}
	}
	f.mu.Lock()
	assert.Equal(t, 1, f.requests["/old"], "after a 301 the new URL is used, also after a restart")
	f.mu.Unlock()

	// 410 on every feed ends the source with ErrNotFound.
	src, err := New(URLs(f.URL+"/gone"), fast()...)
	require.NoError(t, err)
	var errs []error
	for _, err := range src.Posts(ctx) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], listen.ErrNotFound)

	// 401 is final and not retried.
	src, err = New(URLs(f.URL+"/private"), fast()...)
	require.NoError(t, err)
	errs = nil
	for _, err := range src.Posts(ctx) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], listen.ErrAuth)
	assert.True(t, strings.HasPrefix(errs[0].Error(), "listen: rss: "), errs[0].Error())
	assert.Equal(t, int64(0), src.Stats().Retries)
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		feeds []Feed
		opts  []listen.Option
	}{
		{"none", nil, nil},
		{"scheme", URLs("ftp://x/feed"), nil},
		{"twice", URLs("https://x/f", "https://x/f"), nil},
		{"interval", []Feed{{URL: "https://x/f", Interval: -1}}, nil},
		{"seen", URLs("https://x/f"), []listen.Option{listen.WithDedupeSize(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.feeds, tc.opts...)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "rss: "), err.Error())
		})
	}
}

// TestUpdatedItemsAndMaxAge: an Atom entry whose updated date moves
// forward comes again as KindUpdate; an unchanged one does not; the
// server's Cache-Control max-age stretches the interval.
func TestUpdatedItemsAndMaxAge(t *testing.T) {
	updated := "2026-11-21T07:59:00Z"
	var requests int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		requests++
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fmt.Fprintf(w, `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id>
<entry><id>urn:e:1</id><title>One</title><published>2026-11-20T10:00:00Z</published><updated>%s</updated><content>v</content></entry>
<entry><id>urn:e:2</id><title>Two</title><published>2026-11-20T11:00:00Z</published><updated>2026-11-20T11:00:00Z</updated><content>w</content></entry></feed>`, updated)
	}))
	defer srv.Close()
	store := &listen.MemoryStore{}
	poll := func() []listen.Post {
		src, err := New(URLs(srv.URL), listen.WithCursorStore(store, "k"))
		require.NoError(t, err)
		var got []listen.Post
		for p, err := range src.Posts(ctxTimeout(t, 5*time.Second)) {
			require.NoError(t, err)
			got = append(got, p)
		}
		return got
	}
	first := poll()
	require.Len(t, first, 2)
	assert.Equal(t, listen.KindPost, first[0].Kind)
	assert.Empty(t, poll(), "nothing changed")
	mu.Lock()
	updated = "2026-11-22T09:00:00Z"
	mu.Unlock()
	again := poll()
	require.Len(t, again, 1)
	assert.Equal(t, "urn:e:1", again[0].ID)
	assert.Equal(t, listen.KindUpdate, again[0].Kind)

	// Following: the second poll waits for max-age (an hour), not for
	// the 1ms interval.
	src, err := New(URLs(srv.URL), listen.Follow(), listen.WithInterval(time.Millisecond))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	mu.Lock()
	before := requests
	mu.Unlock()
	for range src.Posts(ctx) {
	}
	mu.Lock()
	assert.Equal(t, before+1, requests)
	mu.Unlock()
}

// TestHugeAndSilentServers: a body over the limit and a server that never
// answers end in clear errors (in a single pass) instead of a hang.
func TestHugeAndSilentServers(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/huge":
			w.Write([]byte("<rss version=\"2.0\"><channel><title>"))
			chunk := bytes.Repeat([]byte("x"), 1<<16)
			for i := 0; i < 50*16; i++ { // 50 MiB
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/silent":
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		}
	}))
	defer srv.Close()
	defer close(stop)

	src, err := New(URLs(srv.URL+"/huge"), listen.WithMaxBody(1<<20))
	require.NoError(t, err)
	var errs []error
	for _, err := range src.Posts(ctxTimeout(t, 10*time.Second)) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], httpx.ErrTooLarge)

	src, err = New(URLs(srv.URL+"/silent"), listen.WithRetryBackoff(time.Millisecond, time.Millisecond),
		listen.WithMaxRetryTime(300*time.Millisecond), listen.WithRequestTimeout(100*time.Millisecond))
	require.NoError(t, err)
	// A hang guard only; that the retry time bounds the run is asserted
	// in fake time by TestSilentServerGivesUpWithTheRetryTime.
	ctx := ctxTimeout(t, 2*time.Minute)
	errs = nil
	for _, err := range src.Posts(ctx) {
		errs = append(errs, err)
	}
	require.NoError(t, ctx.Err(), "the source ended by itself")
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "no response within")
}
