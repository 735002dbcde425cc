package bluesky

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestResume: a post whose loop body broke out, panicked or ran while ctx
// ended is not committed, and comes again (issue 19 item 3).
func TestResume(t *testing.T) {
	t.Run("jetstream", func(t *testing.T) {
		for _, seq := range []bool{false, true} {
			f := newFakeJetstream(t, genEvents(60, 3), seq)
			src, err := NewJetstream(f.wsURL(), append(fast(), WithCollections(CollectionPost, CollectionLike, CollectionRepost),
				listen.WithCursorStore(&listen.MemoryStore{}, ""))...)
			require.NoError(t, err)
			listentest.Resume(t, src)
		}
	})
	t.Run("search", func(t *testing.T) {
		f := newFakeXRPC(t)
		f.mu.Lock()
		for range 12 {
			f.publish()
		}
		f.mu.Unlock()
		src, err := NewSearch(f.URL, "golang", append(searchOpts(), listen.WithCursorStore(&listen.MemoryStore{}, ""))...)
		require.NoError(t, err)
		listentest.Resume(t, src)
	})
}
