package mastodon

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestResume: a status whose loop body broke out, panicked or ran while
// ctx ended is not committed, and comes again (issue 19 item 3).
func TestResume(t *testing.T) {
	for _, mode := range []string{"poll", "sse", "websocket"} {
		t.Run(mode, func(t *testing.T) {
			f := newFake(t)
			f.publish(12)
			f.tokenReq = "tok-123456"
			store := &listen.MemoryStore{}
			require.NoError(t, store.Save(context.Background(), "k", "1")) // start before the first status
			opts := fastOpts(f, WithToken("tok-123456"), listen.WithCursorStore(store, "k"), listen.WithPageSize(4))
			switch mode {
			case "sse":
				opts = append(opts, WithStream(SSE))
			case "websocket":
				opts = append(opts, WithStream(WebSocket))
			}
			src, err := New(f.srv.URL, Hashtag("golang"), opts...)
			require.NoError(t, err)
			listentest.Resume(t, src)
		})
	}
}
