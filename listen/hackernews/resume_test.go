package hackernews

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestResume: a post whose loop body broke out, panicked or ran while ctx
// ended is not committed, and comes again (issue 19 item 3).
func TestResume(t *testing.T) {
	t.Run("search", func(t *testing.T) {
		f := newFake(t)
		for i := range 12 {
			f.publish(1, 1795343000+int64(i))
		}
		src, err := New("", fast(f, "/api/v1", listen.WithCursorStore(&listen.MemoryStore{}, ""))...)
		require.NoError(t, err)
		listentest.Resume(t, src)
	})
	t.Run("items", func(t *testing.T) {
		f := newFake(t)
		f.addItems(12, 0)
		store := &listen.MemoryStore{}
		require.NoError(t, store.Save(context.Background(), "k", "0"))
		src, err := NewItems(fast(f, "/v0", listen.WithCursorStore(store, "k"))...)
		require.NoError(t, err)
		listentest.Resume(t, src)
	})
}
