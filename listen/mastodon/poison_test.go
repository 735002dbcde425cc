package mastodon

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestPoison: one status whose id is a number used to fail the whole page
// (retried for 15 minutes, then final, and the same again after a
// restart). Now it is skipped and reported, and the page delivered.
func TestPoison(t *testing.T) {
	listentest.Poison(t, 3, "12345", func(t *testing.T, logger *slog.Logger, onSkip func(*listen.DecodeError)) listen.Source {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `[{"id":"4","created_at":"2022-11-15T16:06:48.410Z","content":"<p>d</p>","account":{"acct":"a"}},
				{"id":12345,"created_at":"2022-11-15T16:06:47.410Z","content":"<p>bad</p>","account":{"acct":"a"}},
				{"id":"2","created_at":"2022-11-15T16:06:46.410Z","content":"<p>b</p>","account":{"acct":"a"}},
				{"id":"1","created_at":"2022-11-15T16:06:45.410Z","content":"<p>a</p>","account":{"acct":"a"}}]`)
		}))
		t.Cleanup(srv.Close)
		src, err := New(srv.URL, Public(), listen.WithHTTPClient(srv.Client()), listen.WithLogger(logger), listen.WithOnSkip(onSkip))
		require.NoError(t, err)
		return src
	})
}

// TestOversizedStatusIsSkippedPastWithAGap: a status too large for the
// body limit even alone is skipped past through the page's Link header
// (which names it), with a logged gap; the statuses after it arrive.
func TestOversizedStatusIsSkippedPastWithAGap(t *testing.T) {
	f := newFake(t)
	ids := f.publish(6)
	f.mu.Lock()
	var st map[string]any
	require.NoError(t, json.Unmarshal(f.statuses[2], &st))
	st["content"] = "<p>" + strings.Repeat("x", 50_000) + "</p>"
	f.statuses[2], _ = json.Marshal(st)
	f.mu.Unlock()
	store := &listen.MemoryStore{}
	require.NoError(t, store.Save(context.Background(), "k", "1"))
	var skips []*listen.DecodeError
	src, err := New(f.srv.URL, Public(), fastOpts(f, listen.WithMaxBody(20_000), listen.WithCursorStore(store, "k"),
		listen.WithOnSkip(func(de *listen.DecodeError) { skips = append(skips, de) }))...)
	require.NoError(t, err)
	got, _, err := collect(t, src, context.Background(), nil)
	require.NoError(t, err)
	for i, id := range ids {
		want := 1
		if i == 2 {
			want = 0
		}
		assert.Equal(t, want, got[id], "status %d", i)
	}
	require.Len(t, skips, 1)
	assert.ErrorIs(t, skips[0], listen.ErrTooLarge)
	assert.Contains(t, skips[0].Error(), ids[2])
	assert.Equal(t, int64(1), src.Stats().Skipped)
}
