package bluesky

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/faulttest"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/config"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// searchOpts are quick options for a Search that follows; onePass the
// same without Follow.
func searchOpts() []listen.Option { return append(onePass(), listen.Follow()) }

func onePass() []listen.Option {
	return []listen.Option{WithCredentials(testHandle, testPassword), listen.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
		listen.WithInterval(time.Millisecond), listen.WithMaxRetryTime(10 * time.Second)}
}

func TestSearchConformance(t *testing.T) {
	listentest.Run(t, func(t *testing.T) listen.Source {
		f := newFakeXRPC(t)
		f.mu.Lock()
		for range 10 {
			f.publish()
		}
		f.mu.Unlock()
		src, err := NewSearch(f.URL, "golang", searchOpts()...)
		require.NoError(t, err)
		return src
	})
}

func TestSearchMapping(t *testing.T) {
	f := newFakeXRPC(t)
	f.mu.Lock()
	f.publish()
	want := f.posts[0]
	f.mu.Unlock()
	src, err := NewSearch(f.URL, "golang", onePass()...)
	require.NoError(t, err)
	var got []listen.Post
	for p, err := range src.Posts(ctxTimeout(t, 5*time.Second)) {
		require.NoError(t, err)
		got = append(got, p)
	}
	require.Len(t, got, 1)
	p := got[0]
	assert.Equal(t, want.URI, p.ID)
	assert.Equal(t, "https://bsky.app/profile/author0.example/post/3lq7000000000", p.URL)
	assert.Equal(t, listen.Author{ID: "did:plc:author000", Handle: "author0.example", Name: "Author"}, p.Author)
	assert.Equal(t, "Read this post 0 #golang", p.Text)
	assert.Equal(t, "en", p.Lang)
	assert.Equal(t, parseTime(want.Record.CreatedAt), p.Created)
}

// TestSearchFaults: posts are indexed while the client polls; the server
// answers 429 with RateLimit-* headers, 502, truncated JSON and
// duplicates, and expires access tokens (400 ExpiredToken) so the client
// must refresh with rotation. Every post is delivered exactly once, the
// client logs in once per source, and a restart resumes from the saved
// cursor without gaps or repeats.
func TestSearchFaults(t *testing.T) {
	f := newFakeXRPC(t)
	f.faultRate = 0.4
	f.ttl = 5
	const total = 1000
	store := &listen.MemoryStore{}
	var logs bytes.Buffer
	opts := append(searchOpts(), listen.WithPageSize(10), listen.WithCursorStore(store, "s"), config.Own("test.overlap", func(o *searchOptions) { o.overlap = 20 * time.Millisecond }),
		listen.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		listen.WithRetryBackoff(time.Millisecond, 2*time.Millisecond), listen.WithPauseLimit(5*time.Millisecond), listen.WithRetryAfterCap(2*time.Millisecond))
	ctx := ctxTimeout(t, 2*time.Minute)
	f.mu.Lock()
	f.total = total
	f.publish()
	f.mu.Unlock()
	seen := map[string]int{}
	var srcs []*Source
	restarts := 0
	for i, n := range []int{total / 2, total - total/2} {
		src, err := NewSearch(f.URL, "golang", opts...)
		require.NoError(t, err)
		srcs = append(srcs, src)
		got := 0
		restarts += faulttest.Supervise(t, ctx, src, 15*time.Millisecond, func(p listen.Post) bool {
			if i == 0 && got == n {
				return true // not handled: the next run delivers it again
			}
			seen[p.ID]++
			got++
			return i == 1 && got == n
		})
		require.Equal(t, n, got, "ctx: %v", ctx.Err())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.posts {
		assert.Equal(t, 1, seen[v.URI], "post %s", v.URI)
	}
	assert.Equal(t, total, len(seen))
	t.Logf("search: faults %d (issue 19 kinds %d) %v; restarts %d; gzip %d; logins %d; refreshes %d; requests %d",
		f.faults.Total(), f.faults.Of(faulttest.Issue19()...), f.faults, restarts, f.gzipped.Load(), f.logins, f.refreshes, f.requests)
	assert.GreaterOrEqual(t, f.faults.Of(faulttest.Issue19()...), 200)
	// One createSession per source, and one more per restart that lost
	// the sessions: never one per request.
	assert.Equal(t, 2+f.faults[faulttest.RestartState], f.logins)
	assert.Positive(t, f.refreshes)
	for _, s := range srcs {
		assert.NotContains(t, fmt.Sprintf("%v %+v", s, s), testPassword)
	}
	assert.NotContains(t, logs.String(), testPassword)
	assert.NotContains(t, logs.String(), "eyJhbGciOi")
}

func TestSearchBadPassword(t *testing.T) {
	f := newFakeXRPC(t)
	src, err := NewSearch(f.URL, "golang", WithCredentials(testHandle, "wrong-password"), listen.WithRetryBackoff(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	var errs []error
	for _, err := range src.Posts(ctxTimeout(t, 5*time.Second)) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], listen.ErrAuth)
	assert.NotContains(t, errs[0].Error(), "wrong-password")
	assert.Equal(t, 1, f.logins, "auth failures are not retried")
}

// TestSearchMaxBody: a response over WithMaxBody is a final error that
// unwraps to listen.ErrTooLarge.
func TestSearchMaxBody(t *testing.T) {
	f := newFakeXRPC(t)
	f.mu.Lock()
	for range 20 {
		f.publish()
	}
	f.mu.Unlock()
	src, err := NewSearch(f.URL, "golang", append(onePass(), listen.WithMaxBody(64), listen.WithRequestTimeout(5*time.Second))...)
	require.NoError(t, err)
	var final error
	for _, err := range src.Posts(ctxTimeout(t, 10*time.Second)) {
		final = err
	}
	require.Error(t, final)
	assert.True(t, errors.Is(final, listen.ErrTooLarge), "%v", final)
}
