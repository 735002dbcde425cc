package rss

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestResume: an item whose loop body broke out, panicked or ran while
// ctx ended is not committed, and comes again (issue 19 item 3). It used
// to be remembered as seen before the host had it.
func TestResume(t *testing.T) {
	f := newFakeFeeds(t)
	u := f.add("news", "rss", 12)
	src, err := New(URLs(u), append(fast(), listen.WithCursorStore(&listen.MemoryStore{}, ""))...)
	require.NoError(t, err)
	listentest.Resume(t, src)
}
