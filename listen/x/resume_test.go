package x

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestResume: a post whose loop body broke out, panicked or ran while ctx
// ended is not committed, and comes again (issue 19 item 3).
func TestResume(t *testing.T) {
	t.Run("search", func(t *testing.T) {
		f := newFakeX(t, 30)
		f.mu.Lock()
		f.perSearch = true
		f.publish()
		f.mu.Unlock()
		src, err := NewSearch(token, "#golang", append(fast(f.URL), listen.WithCursorStore(&listen.MemoryStore{}, ""))...)
		require.NoError(t, err)
		listentest.Resume(t, src)
	})
	t.Run("stream", func(t *testing.T) {
		f := newFakeX(t, 200)
		src, err := NewStream(token, append(fast(f.URL), WithBackfill("#golang"), listen.WithCursorStore(&listen.MemoryStore{}, ""))...)
		require.NoError(t, err)
		listentest.Resume(t, src)
	})
}
