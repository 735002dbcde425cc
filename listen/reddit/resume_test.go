package reddit

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
	f := newFake(t)
	ids := f.publish(13)
	store := &listen.MemoryStore{}
	require.NoError(t, store.Save(context.Background(), "k", `["`+ids[0]+`"]`)) // pages back to the first
	src, err := New("cid", "csecret", testUA, Posts("golang"), fast(f, listen.WithCursorStore(store, "k"), listen.WithMaxPages(100))...)
	require.NoError(t, err)
	listentest.Resume(t, src)
}
