package bluesky

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestPoison: a search result whose uri is a number, a Jetstream frame
// whose record text is a number: skipped and reported, the rest
// delivered.
func TestPoison(t *testing.T) {
	t.Run("search", func(t *testing.T) {
		listentest.Poison(t, 2, "5", func(t *testing.T, logger *slog.Logger, onSkip func(*listen.DecodeError)) listen.Source {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"posts":[{"uri":"at://did:plc:a/app.bsky.feed.post/3l2","author":{"did":"did:plc:a"},"record":{"text":"b"},"indexedAt":"2026-08-07T17:01:02Z"},
					{"uri":5,"record":{"text":"bad"}},
					{"uri":"at://did:plc:a/app.bsky.feed.post/3l1","author":{"did":"did:plc:a"},"record":{"text":"a"},"indexedAt":"2026-08-07T17:01:01Z"}]}`)
			}))
			t.Cleanup(srv.Close)
			src, err := NewSearch(srv.URL, "q", listen.WithLogger(logger), listen.WithOnSkip(onSkip))
			require.NoError(t, err)
			return src
		})
	})
	t.Run("jetstream", func(t *testing.T) {
		listentest.Poison(t, 2, "3lbad", func(t *testing.T, logger *slog.Logger, onSkip func(*listen.DecodeError)) listen.Source {
			frames := []string{
				`{"did":"did:plc:a","time_us":1779719009000001,"kind":"commit","commit":{"rev":"r1","operation":"create","collection":"app.bsky.feed.post","rkey":"3l1","record":{"text":"a"}}}`,
				`{"did":"did:plc:a","time_us":1779719009000002,"kind":"commit","commit":{"rev":"r2","operation":"create","collection":"app.bsky.feed.post","rkey":"3lbad","record":{"text":7}}}`,
				`{"did":"did:plc:a","time_us":1779719009000003,"kind":"commit","commit":{"rev":"r3","operation":"create","collection":"app.bsky.feed.post","rkey":"3l3","record":{"text":"c"}}}`,
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, err := websocket.Accept(w, r, nil)
				if err != nil {
					return
				}
				defer c.CloseNow()
				ctx := c.CloseRead(r.Context())
				for _, f := range frames {
					if c.Write(ctx, websocket.MessageText, []byte(f)) != nil {
						return
					}
				}
				<-ctx.Done()
			}))
			t.Cleanup(srv.Close)
			src, err := NewJetstream("ws"+strings.TrimPrefix(srv.URL, "http"), listen.WithLogger(logger), listen.WithOnSkip(onSkip))
			require.NoError(t, err)
			return src
		})
	})
}
