package publish

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
)

func TestTIDFormat(t *testing.T) {
	b, err := NewBluesky("http://pds.test", "h.test", "pw")
	require.NoError(t, err)
	b.clockID = 0
	b.eng.cfg.now = func() time.Time { return time.UnixMicro(1723906121000000) }
	a, c := b.newTID(), b.newTID()
	assert.Len(t, a, 13)
	assert.Less(t, a, c, "TIDs sort by time, and repeat calls still increase")
	assert.Contains(t, "234567abcdefghij", a[:1])
	for _, r := range a {
		assert.Contains(t, tidAlphabet, string(r))
	}
}

// A TID that collides with another record's key: createRecord fails
// (the PDS's bare 500), getRecord finds a record with other content, and
// the publisher must not take it for its own: it picks a fresh key.
func TestBlueskyKeyCollision(t *testing.T) {
	var mu sync.Mutex
	records := map[string]string{} // rkey -> text
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/xrpc/com.atproto.server.createSession":
			w.Write([]byte(`{"did":"did:plc:me","handle":"h.test","accessJwt":"a","refreshJwt":"r"}`))
		case "/xrpc/com.atproto.repo.createRecord":
			var body struct {
				Rkey   string
				Record struct{ Text string }
			}
			json.NewDecoder(r.Body).Decode(&body)
			keys = append(keys, body.Rkey)
			if _, ok := records[body.Rkey]; ok {
				w.WriteHeader(500)
				w.Write([]byte(`{"error":"InternalServerError","message":"Internal Server Error"}`))
				return
			}
			records[body.Rkey] = body.Record.Text
			w.Write([]byte(`{"uri":"at://did:plc:me/app.bsky.feed.post/` + body.Rkey + `","cid":"bafy` + body.Rkey + `"}`))
		case "/xrpc/com.atproto.repo.getRecord":
			k := r.URL.Query().Get("rkey")
			text, ok := records[k]
			if !ok {
				w.WriteHeader(400)
				w.Write([]byte(`{"error":"RecordNotFound","message":"Could not locate record"}`))
				return
			}
			b, _ := json.Marshal(map[string]any{"uri": "at://did:plc:me/app.bsky.feed.post/" + k, "cid": "bafy" + k,
				"value": map[string]string{"text": text, "createdAt": "2024-01-01T00:00:00.000Z"}})
			w.Write(b)
		default:
			w.WriteHeader(501)
		}
	}))
	defer srv.Close()
	b, err := NewBluesky(srv.URL, "h.test", "pw", WithRetryInterval(time.Millisecond))
	require.NoError(t, err)
	b.clockID = 7
	b.eng.cfg.now = func() time.Time { return time.UnixMicro(1723906121000000) }
	taken := b.newTID()
	b.lastTID = 0 // the next TID is the same as taken
	records[taken] = "somebody else's post"

	sent, err := b.Publish(context.Background(), story.Thread{ID: "c", Parts: []story.Part{{Text: "my post"}}})
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, taken, keys[0])
	assert.NotEqual(t, taken, keys[1])
	assert.True(t, strings.HasSuffix(sent[0].ID, keys[1]))
	assert.Equal(t, "somebody else's post", records[taken])
	assert.Equal(t, "my post", records[keys[1]])
}
