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

func TestDecodeHit(t *testing.T) {
	raw, err := os.ReadFile("testdata/hit_story.json")
	require.NoError(t, err)
	p, err := DecodeHit(raw)
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
	p, err = DecodeHit(raw)
	require.NoError(t, err)
	assert.Equal(t, "I'd use https://pkg.go.dev/golang.org/x/time/rate here.\n\nIt's much simpler > a hand-rolled bucket.", p.Text)
	assert.Equal(t, "42001300", p.ReplyTo)
	assert.Equal(t, "42001234", p.Thread)
	assert.Equal(t, []string{"https://pkg.go.dev/golang.org/x/time/rate"}, p.Links)

	_, err = DecodeHit([]byte(`{"objectID":`))
	var de *listen.DecodeError
	assert.ErrorAs(t, err, &de)
	_, err = DecodeHit([]byte(`{"title":"x"}`))
	assert.ErrorAs(t, err, &de)
}

func TestDecodeItem(t *testing.T) {
	raw, _ := os.ReadFile("testdata/item_story.json")
	p, ok, err := DecodeItem(raw)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "8863", p.ID)
	assert.Equal(t, "My YC app: Dropbox - Throw away your USB drive", p.Text)
	assert.Equal(t, 111, p.Likes)
	assert.Equal(t, 71, p.Replies)

	raw, _ = os.ReadFile("testdata/item_comment.json")
	p, ok, err = DecodeItem(raw)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "2921506", p.ReplyTo)
	assert.Equal(t, "Aw shucks, guys ... you make me blush with your compliments.\n\nTell you what, Ill make a deal: I'll keep writing if you keep reading. K?", p.Text)
	assert.Equal(t, 2, p.Replies)

	_, ok, err = DecodeItem([]byte("null"))
	assert.NoError(t, err)
	assert.False(t, ok)
	p, ok, err = DecodeItem([]byte(`{"id":5,"type":"comment","time":1,"parent":4,"deleted":true}`))
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, listen.KindDelete, p.Kind)
	_, _, err = DecodeItem([]byte(`{"id":"x"}`))
	assert.Error(t, err)
}

// TestFaultsSearch: >= 200 faults (429 with Retry-After, 5xx, truncated
// and cut bodies, duplicate and reordered hits), late indexing within the
// overlap, a restart from the saved cursor: every hit exactly once.
func TestFaultsSearch(t *testing.T) {
	f := newFake(t)
	var ids []string
	at := int64(1795343000)
	for i := 0; i < 100; i++ {
		ids = append(ids, f.publish(3, at+int64(i))...)
	}
	f.faultPct = 20
	store := &listen.MemoryStore{}
	src, err := New("golang", fast(f, "/api/v1", listen.WithCursorStore(store, "k"), listen.WithPageSize(4), WithOverlap(30*time.Second), listen.Follow())...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	got := map[string]int{}
	n := 0
	brokeOn := ""
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		got[p.ID]++
		if n++; n == 150 {
			brokeOn = p.ID // not handled: it comes again in the next run
			break
		}
	}
	// Published while stopped, including late-indexed older seconds.
	ids = append(ids, f.publish(30, at+105)...)
	ids = append(ids, f.publish(20, at+90)...) // indexed late, inside the overlap
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		got[p.ID]++
		if len(got) == len(ids) {
			break
		}
	}
	for _, id := range ids {
		want := 1
		if id == brokeOn {
			want = 2
		}
		assert.Equal(t, want, got[id], "hit %s", id)
	}
	assert.Len(t, got, len(ids))
	t.Logf("faults %d %v stats %+v", f.total(), f.faults, src.Stats())
	assert.GreaterOrEqual(t, f.total(), 200)
}

func TestFaultsItems(t *testing.T) {
	f := newFake(t)
	ids := f.addItems(300, 3)
	f.faultPct = 15
	store := &listen.MemoryStore{}
	store.Save(context.Background(), "k", "0")
	src, err := NewItems(fast(f, "/v0", listen.WithCursorStore(store, "k"), listen.Follow(), WithNullRetries(1000))...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := map[string]int{}
	revealed := false
	brokeOn := ""
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		got[p.ID]++
		if len(got) == 297 && !revealed {
			time.Sleep(20 * time.Millisecond) // the walk waits at the null ID
			f.reveal(ids[297:]...)
			revealed = true
		}
		if len(got) == 150 {
			brokeOn = p.ID
			break // restart from the cursor: this item was not handled
		}
	}
	for p, err := range src.Posts(ctx) {
		require.NoError(t, err)
		got[p.ID]++
		if len(got) == 297 && !revealed {
			time.Sleep(20 * time.Millisecond)
			f.reveal(ids[297:]...)
			revealed = true
		}
		if len(got) == 300 {
			break
		}
	}
	for _, id := range ids {
		want := 1
		if strconv.FormatInt(id, 10) == brokeOn {
			want = 2 // once in each run
		}
		assert.Equal(t, want, got[strconv.FormatInt(id, 10)], "item %d", id)
	}
	t.Logf("faults %d %v stats %+v", f.total(), f.faults, src.Stats())
	assert.GreaterOrEqual(t, f.total(), 200)
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
	p, ok, err := src.Item(context.Background(), ids[0])
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "1", p.ID)
	_, ok, err = src.Item(context.Background(), ids[2])
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
