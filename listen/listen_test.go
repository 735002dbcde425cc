package listen_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func posts(platform string, n int) []listen.Post {
	ps := make([]listen.Post, n)
	for i := range ps {
		ps[i] = listen.Post{Platform: platform, ID: fmt.Sprint(i), Text: fmt.Sprintf("%s post %d", platform, i)}
	}
	return ps
}

func keys(t *testing.T, src listen.Source) ([]string, error) {
	t.Helper()
	var ks []string
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			return ks, err
		}
		ks = append(ks, p.Key())
	}
	return ks, nil
}

// endless yields numbered posts until ctx is done, counting how many runs
// are still going.
func endless(platform string, running *sync.WaitGroup) listen.Source {
	return listen.SourceFunc(func(ctx context.Context) iter.Seq2[listen.Post, error] {
		return func(yield func(listen.Post, error) bool) {
			running.Add(1)
			defer running.Done()
			for i := 0; ; i++ {
				if ctx.Err() != nil {
					return
				}
				if !yield(listen.Post{Platform: platform, ID: fmt.Sprint(i)}, nil) {
					return
				}
			}
		}
	})
}

func TestFilter(t *testing.T) {
	src := listen.Filter(listentest.Static(posts("a", 10)...), func(p listen.Post) bool { return p.ID[0]%2 == 0 })
	ks, err := keys(t, src)
	require.NoError(t, err)
	assert.Equal(t, []string{"a:0", "a:2", "a:4", "a:6", "a:8"}, ks)

	boom := errors.New("boom")
	_, err = keys(t, listen.Filter(listentest.Failing(boom, posts("a", 2)...), func(listen.Post) bool { return false }))
	assert.ErrorIs(t, err, boom)
	assert.Panics(t, func() { listen.Filter(nil, func(listen.Post) bool { return true }) })
}

func TestDedupe(t *testing.T) {
	ps := posts("a", 5)
	upd := ps[1]
	upd.Kind = listen.KindUpdate
	in := append(append(append([]listen.Post{}, ps...), ps...), upd, upd, ps[0])
	src := listen.Dedupe(listentest.Static(in...), 100)
	ks, err := keys(t, src)
	require.NoError(t, err)
	assert.Equal(t, []string{"a:0", "a:1", "a:2", "a:3", "a:4", "a:1"}, ks, "the edit is kept once")

	// The memory is shared by later runs of the same source.
	ks, err = keys(t, src)
	require.NoError(t, err)
	assert.Empty(t, ks)
}

func TestDedupeIsBounded(t *testing.T) {
	// With room for 3 keys, a key seen 4 deliveries ago is forgotten.
	in := []listen.Post{{Platform: "a", ID: "1"}, {Platform: "a", ID: "2"}, {Platform: "a", ID: "3"},
		{Platform: "a", ID: "1"}, {Platform: "a", ID: "4"}, {Platform: "a", ID: "1"}}
	ks, err := keys(t, listen.Dedupe(listentest.Static(in...), 3))
	require.NoError(t, err)
	assert.Equal(t, []string{"a:1", "a:2", "a:3", "a:4", "a:1"}, ks)
}

func TestMergeYieldsEverything(t *testing.T) {
	src := listen.Merge(listentest.Static(posts("a", 50)...), listentest.Static(posts("b", 70)...), listentest.Static())
	ks, err := keys(t, src)
	require.NoError(t, err)
	require.Len(t, ks, 120)
	sort.Strings(ks)
	assert.Equal(t, "a:0", ks[0])
	assert.Equal(t, "b:9", ks[119])
}

func TestMergeBreakStopsAllSources(t *testing.T) {
	var running sync.WaitGroup
	src := listen.Merge(endless("a", &running), endless("b", &running), endless("c", &running))
	n := 0
	for _, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		if n++; n == 100 {
			break
		}
	}
	running.Wait() // returns only if every source has stopped
}

func TestMergeErrorStopsOthersAndJoins(t *testing.T) {
	var running sync.WaitGroup
	boom := errors.New("boom")
	src := listen.Merge(endless("a", &running), listentest.Failing(boom, posts("b", 3)...))
	var got error
	for _, err := range src.Posts(context.Background()) {
		if err != nil {
			require.NoError(t, got, "only one error")
			got = err
		}
	}
	assert.ErrorIs(t, got, boom)
	running.Wait()
}

func TestMergeConformance(t *testing.T) {
	listentest.Run(t, func(t *testing.T) listen.Source {
		var running sync.WaitGroup
		return listen.Merge(endless("a", &running), listentest.Static(posts("b", 5)...))
	})
}

func TestCursorStores(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cursors.json")
	fs, err := listen.OpenFileStore(path)
	require.NoError(t, err)
	for name, s := range map[string]listen.CursorStore{"memory": &listen.MemoryStore{}, "file": fs} {
		t.Run(name, func(t *testing.T) {
			c, err := s.Load(ctx, "k")
			require.NoError(t, err)
			assert.Empty(t, c)
			require.NoError(t, s.Save(ctx, "k", "v1"))
			require.NoError(t, s.Save(ctx, "k", "v2"))
			require.NoError(t, s.Save(ctx, "other", "x"))
			c, _ = s.Load(ctx, "k")
			assert.Equal(t, "v2", c)
		})
	}
	// A reopened file store sees what was saved; no temporary files remain.
	again, err := listen.OpenFileStore(path)
	require.NoError(t, err)
	c, _ := again.Load(ctx, "k")
	assert.Equal(t, "v2", c)
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1)
}

func TestFileStoreCorruptAndFailedSave(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{not json"), 0o600))
	_, err := listen.OpenFileStore(bad)
	assert.ErrorContains(t, err, "corrupt")

	// Every Save is on disk when it returns; one that cannot be written
	// leaves the store as it was, in memory too.
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.Mkdir(sub, 0o700))
	path := filepath.Join(sub, "c.json")
	s, err := listen.OpenFileStore(path)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, s.Save(ctx, "k", "1"))
	onDisk, _ := listen.OpenFileStore(path)
	c, _ := onDisk.Load(ctx, "k")
	assert.Equal(t, "1", c)
	require.NoError(t, os.RemoveAll(sub))
	assert.Error(t, s.Save(ctx, "k", "2"))
	assert.Error(t, s.Save(ctx, "new", "x"))
	c, _ = s.Load(ctx, "k")
	assert.Equal(t, "1", c, "a failed save is not kept")
	c, _ = s.Load(ctx, "new")
	assert.Empty(t, c, "a failed save is not kept")
}

func TestKindJSON(t *testing.T) {
	p := listen.Post{Platform: "bluesky", ID: "at://x", Kind: listen.KindRepost, Subject: "at://y"}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"kind":"repost"`)
	var q listen.Post
	require.NoError(t, json.Unmarshal(b, &q))
	assert.Equal(t, listen.KindRepost, q.Kind)
	require.NoError(t, json.Unmarshal([]byte(`{"kind":""}`), &q))
	assert.Equal(t, listen.KindPost, q.Kind)
	assert.Error(t, json.Unmarshal([]byte(`{"kind":"nope"}`), &q))
	assert.Equal(t, "Kind(9)", listen.Kind(9).String())
}

func TestPostStringAndRepair(t *testing.T) {
	p := listen.Post{Platform: "x", ID: "1", Author: listen.Author{Handle: "ana"}, Text: "bad \xff text\nwith   spaces"}
	p.Repair()
	assert.Equal(t, "bad \uFFFD text\nwith   spaces", p.Text)
	assert.Equal(t, "x:1 @ana \"bad \uFFFD text with spaces\"", p.String())
	long := listen.Post{Platform: "x", ID: "2", Text: string(make([]rune, 100))}
	assert.Contains(t, long.String(), "…")
}

func TestErrorsUnwrap(t *testing.T) {
	assert.ErrorIs(t, &listen.HTTPError{Platform: "x", StatusCode: 401}, listen.ErrAuth)
	assert.ErrorIs(t, &listen.HTTPError{Platform: "x", StatusCode: 410}, listen.ErrNotFound)
	assert.NotErrorIs(t, &listen.HTTPError{Platform: "x", StatusCode: 500}, listen.ErrAuth)
	rl := &listen.RateLimitError{Platform: "reddit", RetryAfter: 3 * time.Second}
	assert.ErrorIs(t, rl, listen.ErrRateLimited)
	assert.Equal(t, "listen: reddit: rate limited (retry after 3s)", rl.Error())
	de := &listen.DecodeError{Platform: "x", Offset: 7, Err: errors.New("eof")}
	assert.Equal(t, "listen: x: decode at 7: eof", de.Error())
}
