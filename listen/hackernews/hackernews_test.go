package hackernews

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/earshot-dev/earshot/internal/faulttest"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func fast(f *fake, base string, more ...listen.Option) []listen.Option {
	return append([]listen.Option{
		listen.WithHTTPClient(f.srv.Client()),
		WithBaseURL(f.srv.URL + base),
		listen.WithRetryBackoff(time.Millisecond, 4*time.Millisecond),
		listen.WithMaxRetryTime(10 * time.Second),
		listen.WithInterval(2 * time.Millisecond),
	}, more...)
}

func noKeepAlive() listen.Option {
	return listen.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})
}

func TestConformance(t *testing.T) {
	t.Run("search", func(t *testing.T) {
		listentest.Run(t, func(t *testing.T) listen.Source {
			f := newFake(t)
			f.publish(5, 1795343000)
			src, err := New("", fast(f, "/api/v1", noKeepAlive(), listen.Follow())...)
			require.NoError(t, err)
			return src
		})
	})
	t.Run("items", func(t *testing.T) {
		listentest.Run(t, func(t *testing.T) listen.Source {
			f := newFake(t)
			f.addItems(10, 0)
			store := &listen.MemoryStore{}
			store.Save(context.Background(), "k", "0")
			src, err := NewItems(fast(f, "/v0", noKeepAlive(), listen.WithCursorStore(store, "k"))...)
			require.NoError(t, err)
			return src
		})
	})
}

func TestDecodeHitFields(t *testing.T) {
	raw, err := os.ReadFile("testdata/hit_story.json")
	require.NoError(t, err)
	p, err := decodeHit(raw)
	require.NoError(t, err)
	assert.Equal(t, "528842", p.ID)
	assert.Equal(t, "Failure is overrated, a redux", p.Text)
	assert.Equal(t, "johns", p.Author.Handle)
	assert.Equal(t, 29, p.Likes)
	assert.Equal(t, 13, p.Replies)
	assert.Equal(t, []string{"http://www.37signals.com/svn/posts/1643-failure-is-overrated-a-redux"}, p.Links)
	assert.Equal(t, time.Unix(1237828501, 0).UTC(), p.Created)
	assert.Equal(t, "https://news.ycombinator.com/item?id=528842", p.URL)

	raw, err = os.ReadFile("testdata/hit_comment.json")
	require.NoError(t, err)
	p, err = decodeHit(raw)
	require.NoError(t, err)
	assert.Equal(t, "I'd use https://pkg.go.dev/golang.org/x/time/rate here.\n\nIt's much simpler > a hand-rolled bucket.", p.Text)
	assert.Equal(t, "42001300", p.ReplyTo)
	assert.Equal(t, "42001234", p.Thread)
	assert.Equal(t, []string{"https://pkg.go.dev/golang.org/x/time/rate"}, p.Links)

	_, err = decodeHit([]byte(`{"objectID":`))
	var de *listen.DecodeError
	assert.ErrorAs(t, err, &de)
	_, err = decodeHit([]byte(`{"title":"x"}`))
	assert.ErrorAs(t, err, &de)
}

func TestDecodeItemFields(t *testing.T) {
	raw, _ := os.ReadFile("testdata/item_story.json")
	p, ok, err := decodeItem(raw)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "8863", p.ID)
	assert.Equal(t, "My YC app: Dropbox - Throw away your USB drive", p.Text)
	assert.Equal(t, 111, p.Likes)
	assert.Equal(t, 71, p.Replies)

	raw, _ = os.ReadFile("testdata/item_comment.json")
	p, ok, err = decodeItem(raw)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "2921506", p.ReplyTo)
	assert.Equal(t, "Aw shucks, guys ... you make me blush with your compliments.\n\nTell you what, Ill make a deal: I'll keep writing if you keep reading. K?", p.Text)
	assert.Equal(t, 2, p.Replies)

	_, ok, err = decodeItem([]byte("null"))
	assert.NoError(t, err)
	assert.False(t, ok)
	p, ok, err = decodeItem([]byte(`{"id":5,"type":"comment","time":1,"parent":4,"deleted":true}`))
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, listen.KindDelete, p.Kind)
	_, _, err = decodeItem([]byte(`{"id":"x"}`))
	assert.Error(t, err)
}

// faultOpts: quick retries, a pause limit the huge 429s go past, a
// Retry-After cap the huge 503s meet.
func faultOpts(f *fake, base string, more ...listen.Option) []listen.Option {
	return fast(f, base, append([]listen.Option{listen.WithRetryBackoff(time.Millisecond, 2*time.Millisecond),
		listen.WithPauseLimit(5 * time.Millisecond), listen.WithRetryAfterCap(2 * time.Millisecond)}, more...)...)
}

// TestFaultsSearch: 429, 5xx, 200 with an HTML page, 429 and 503 with
// Retry-After: 86400 (the host restarts after the first), restarts that
// cut every connection, truncated and cut bodies, a hit that does not
// decode, duplicate and reordered hits, gzip, late indexing within the
// overlap, a restart from the saved cursor: every hit exactly once (the
// one the loop broke out on twice).
func TestFaultsSearch(t *testing.T) {
	f := newFake(t)
	var ids []string
	at := int64(1795343000)
	for i := 0; i < 200; i++ {
		ids = append(ids, f.publish(3, at+int64(i))...)
	}
	f.faultPct = 12
	store := &listen.MemoryStore{}
	src, err := New("golang", faultOpts(f, "/api/v1", listen.WithCursorStore(store, "k"), listen.WithPageSize(10), WithOverlap(30*time.Second), listen.Follow())...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	got := map[string]int{}
	n := 0
	brokeOn := ""
	r1 := faulttest.Supervise(t, ctx, src, 5*time.Millisecond, func(p listen.Post) bool {
		got[p.ID]++
		if n++; n == 300 {
			brokeOn = p.ID // not handled: it comes again in the next run
			return true
		}
		return false
	})
	// Published while stopped, including late-indexed older seconds.
	ids = append(ids, f.publish(30, at+205)...)
	ids = append(ids, f.publish(20, at+190)...) // indexed late, inside the overlap
	r2 := faulttest.Supervise(t, ctx, src, 5*time.Millisecond, func(p listen.Post) bool {
		got[p.ID]++
		return len(got) == len(ids)
	})
	lost, dup := faulttest.Loss(ids, got, brokeOn)
	assert.Zero(t, lost, "lost")
	assert.Zero(t, dup, "duplicated")
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Logf("search: faults %d (issue 19 kinds %d) %v; restarts %d; gzip %d; lost %d duplicated %d; stats %+v",
		f.faults.Total(), f.faults.Of(faulttest.Issue19()...), f.faults, r1+r2, f.gzipped.Load(), lost, dup, src.Stats())
	assert.GreaterOrEqual(t, f.faults.Of(faulttest.Issue19()...), 200)
	assert.Positive(t, src.Stats().Skipped, "bad hits skipped")
}

// TestFaultsItems: the item walk under the same faults (no bad items: an
// item is its own page), with items not yet visible (null), across a
// restart.
func TestFaultsItems(t *testing.T) {
	f := newFake(t)
	nums := f.addItems(300, 3)
	f.faultPct = 12
	store := &listen.MemoryStore{}
	store.Save(context.Background(), "k", "0")
	src, err := NewItems(faultOpts(f, "/v0", listen.WithCursorStore(store, "k"), listen.Follow(), WithNullRetries(1000))...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var ids []string
	for _, id := range nums {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	got := map[string]int{}
	revealed := false
	brokeOn := ""
	each := func(stopAt int) func(listen.Post) bool {
		return func(p listen.Post) bool {
			got[p.ID]++
			if len(got) == 297 && !revealed {
				time.Sleep(20 * time.Millisecond) // the walk waits at the null ID
				f.reveal(nums[297:]...)
				revealed = true
			}
			if len(got) == stopAt && stopAt < 300 {
				brokeOn = p.ID // restart from the cursor: this item was not handled
			}
			return len(got) == stopAt
		}
	}
	r := faulttest.Supervise(t, ctx, src, 5*time.Millisecond, each(150))
	r += faulttest.Supervise(t, ctx, src, 5*time.Millisecond, each(300))
	lost, dup := faulttest.Loss(ids, got, brokeOn)
	assert.Zero(t, lost, "lost")
	assert.Zero(t, dup, "duplicated")
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Logf("items: faults %d (issue 19 kinds %d) %v; restarts %d; gzip %d; lost %d duplicated %d; stats %+v",
		f.faults.Total(), f.faults.Of(faulttest.Issue19()...), f.faults, r, f.gzipped.Load(), lost, dup, src.Stats())
	assert.GreaterOrEqual(t, f.faults.Of(faulttest.Issue19()...), 200)
}

func TestItemsStartAtMaxItem(t *testing.T) {
	f := newFake(t)
	f.addItems(50, 0)
	src, err := NewItems(fast(f, "/v0")...)
	require.NoError(t, err)
	var got []string
	for p, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		got = append(got, p.ID)
	}
	assert.Equal(t, []string{"50"}, got, "without a cursor a run starts at maxitem")
}

func TestItem(t *testing.T) {
	f := newFake(t)
	ids := f.addItems(3, 1)
	src, err := NewItems(fast(f, "/v0")...)
	require.NoError(t, err)
	p, ok, err := src.run.(*itemSource).item(context.Background(), ids[0])
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "1", p.ID)
	_, ok, err = src.run.(*itemSource).item(context.Background(), ids[2])
	require.NoError(t, err)
	assert.False(t, ok, "null item")
}

func TestNewValidates(t *testing.T) {
	for _, opts := range [][]listen.Option{
		{listen.WithPageSize(0)},
		{listen.WithInterval(0)},
		{WithBaseURL("not a url")},
	} {
		_, err := New("x", opts...)
		assert.Error(t, err)
	}
}

// TestMoreThanAlgoliaCap: 2,500 hits arrive between two polls; Algolia
// answers at most 1,000 per query, so the source slices by time and still
// delivers every hit once.
func TestMoreThanAlgoliaCap(t *testing.T) {
	f := newFake(t)
	at := int64(1795343000)
	first := f.publish(1, at)
	store := &listen.MemoryStore{}
	src, err := New("", fast(f, "/api/v1", listen.WithCursorStore(store, "k"), WithOverlap(0))...)
	require.NoError(t, err)
	got := map[string]int{}
	for p, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		got[p.ID]++
	}
	require.Equal(t, map[string]int{first[0]: 1}, got)
	var ids []string
	for i := 1; i <= 500; i++ {
		ids = append(ids, f.publish(5, at+int64(i))...)
	}
	for p, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		got[p.ID]++
	}
	for _, id := range ids {
		assert.Equal(t, 1, got[id], "hit %s", id)
	}
	assert.Len(t, got, 2501)
}
