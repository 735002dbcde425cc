package publish

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
)

// serve answers every path in routes with the file's content.
func serve(t *testing.T, routes map[string]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(file, "{") {
			w.Write([]byte(file))
			return
		}
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The look-up recognises posts as Mastodon renders them: HTML paragraphs
// and <br />, links split into invisible spans, remote mentions shown
// without their server, entities escaped.
func TestMastodonFindRealShapes(t *testing.T) {
	srv := serve(t, map[string]string{
		"/api/v1/accounts/verify_credentials":          `{"id":"109348677773283527","username":"hens"}`,
		"/api/v1/accounts/109348677773283527/statuses": "testdata/mastodon_statuses.json",
	})
	m, err := NewMastodon(srv.URL, "tok")
	require.NoError(t, err)
	p := mastodonPlatform{m}
	th := story.Thread{ID: "t", Parts: []story.Part{
		{Text: "1/2 Day 12 of the hen diary.\nClementine laid her first egg!"},
		{Text: "2/2 Thanks to @vet_anna@mastodon.social for the advice & the calcium tip!\n\nFull diary: https://hillside-eggs.example.com/diary/2026/11/day-12 #hendiary"},
	}}
	rec := &partRecord{Since: time.Date(2026, 11, 22, 10, 30, 59, 0, time.UTC)}
	s, ok, err := p.find(context.Background(), th, 0, rec, story.Sent{})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "113461349590124412", s.ID)
	s, ok, err = p.find(context.Background(), th, 1, rec, story.Sent{ID: "113461349590124412"})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "113461349726455931", s.ID)

	// Wrong parent, changed text, or older than the first attempt: no match.
	_, ok, _ = p.find(context.Background(), th, 1, rec, story.Sent{ID: "1"})
	assert.False(t, ok)
	th.Parts[0].Text = "1/2 Day 13 of the hen diary."
	_, ok, _ = p.find(context.Background(), th, 0, rec, story.Sent{})
	assert.False(t, ok)
	th.Parts[0].Text = "1/2 Day 12 of the hen diary.\nClementine laid her first egg!"
	late := &partRecord{Since: time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)}
	_, ok, _ = p.find(context.Background(), th, 0, late, story.Sent{})
	assert.False(t, ok)
}

// X returns links as t.co and escapes &; the look-up still matches.
func TestXFindRealShapes(t *testing.T) {
	srv := serve(t, map[string]string{
		"/2/users/me":                `{"data":{"id":"2244994945","name":"Hillside","username":"hillside"}}`,
		"/2/users/2244994945/tweets": "testdata/x_tweets.json",
	})
	x, err := NewX(srv.URL, "tok")
	require.NoError(t, err)
	p := xPlatform{x}
	th := story.Thread{ID: "t", Parts: []story.Part{
		{Text: "1/2 Day 12 of the hen diary.\nClementine laid her first egg!"},
		{Text: "2/2 Eggs & hens, full story: https://hillside-eggs.example.com/diary/2026/11/day-12 #hendiary"},
	}}
	rec := &partRecord{Since: time.Date(2026, 11, 22, 10, 30, 59, 0, time.UTC)}
	s, ok, err := p.find(context.Background(), th, 1, rec, story.Sent{ID: "1859948201974546789"})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "1859948213005566002", s.ID)
	s, ok, err = p.find(context.Background(), th, 0, rec, story.Sent{})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "1859948201974546789", s.ID)
}
