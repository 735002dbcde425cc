package bluesky

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
)

// TestAuthorBot: Author.Bot is set from the "bot" self-label, on the
// author's profile (searchPosts hydrates it into author.labels; Jetstream
// sends profile commits) or on the post record itself.
func TestAuthorBot(t *testing.T) {
	t.Run("search author labels", func(t *testing.T) {
		var v postView
		require.NoError(t, json.Unmarshal([]byte(`{"uri":"at://did:plc:b/app.bsky.feed.post/3l","author":{"did":"did:plc:b","handle":"b.test",
			"labels":[{"src":"did:plc:b","uri":"at://did:plc:b/app.bsky.actor.profile/self","val":"bot","cts":"2026-01-01T00:00:00Z"}]},"record":{"text":"hi"}}`), &v))
		p, _, ok := viewPost(&v)
		require.True(t, ok)
		assert.True(t, p.Author.Bot)
		// A label from a labeler is not the account's own word.
		v.Author.Labels[0].Src = "did:plc:some-labeler"
		p, _, _ = viewPost(&v)
		assert.False(t, p.Author.Bot)
	})
	t.Run("post self-label", func(t *testing.T) {
		var ev event
		require.NoError(t, decodeEvent([]byte(`{"did":"did:plc:b","time_us":1,"kind":"commit","commit":{"rev":"r","operation":"create","collection":"app.bsky.feed.post","rkey":"3l",
			"record":{"text":"hi","labels":{"$type":"com.atproto.label.defs#selfLabels","values":[{"val":"bot"}]}}}}`), &ev))
		p, ok := toPost(&ev)
		require.True(t, ok)
		assert.True(t, p.Author.Bot)
	})
	t.Run("jetstream profile then post", func(t *testing.T) {
		frames := []string{
			`{"did":"did:plc:b","time_us":1779719009000001,"kind":"commit","commit":{"rev":"r1","operation":"update","collection":"app.bsky.actor.profile","rkey":"self","record":{"$type":"app.bsky.actor.profile","displayName":"B","labels":{"$type":"com.atproto.label.defs#selfLabels","values":[{"val":"bot"}]}}}}`,
			`{"did":"did:plc:b","time_us":1779719009000002,"kind":"commit","commit":{"rev":"r2","operation":"create","collection":"app.bsky.feed.post","rkey":"3l1","record":{"text":"automated"}}}`,
			`{"did":"did:plc:h","time_us":1779719009000003,"kind":"commit","commit":{"rev":"r3","operation":"create","collection":"app.bsky.feed.post","rkey":"3l2","record":{"text":"human"}}}`,
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
		defer srv.Close()
		src, err := NewJetstream("ws"+strings.TrimPrefix(srv.URL, "http")+"/subscribe", WithCollections(CollectionPost, CollectionProfile))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var got []listen.Post
		for p, err := range src.Posts(ctx) {
			require.NoError(t, err)
			if got = append(got, p); len(got) == 2 {
				break
			}
		}
		require.Len(t, got, 2)
		assert.True(t, got[0].Author.Bot, "the profile said bot")
		assert.False(t, got[1].Author.Bot)
	})
}
