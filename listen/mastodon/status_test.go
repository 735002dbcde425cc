package mastodon

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
)

func TestDecodeStatus(t *testing.T) {
	data, err := os.ReadFile("testdata/status.json")
	require.NoError(t, err)
	p, err := DecodeStatus(data, "mastodon.example")
	require.NoError(t, err)
	assert.Equal(t, "mastodon", p.Platform)
	assert.Equal(t, "109348677773283527", p.ID)
	assert.Equal(t, listen.KindPost, p.Kind)
	assert.Equal(t, "alice@mastodon.example", p.Author.Handle)
	assert.Equal(t, "Alice 🐙", p.Author.Name)
	assert.Equal(t, 321, p.Author.Followers)
	assert.Equal(t, "en", p.Lang)
	assert.Equal(t, time.Date(2022, 11, 15, 16, 6, 48, 410e6, time.UTC), p.Created)
	assert.Equal(t, "Just shipped v2 of our #golang listener & it's fast! Thanks @bob 🎉\n\n"+
		"Details: https://blog.example.com/posts/2022/11/listener-v2-release-notes\nFeedback welcome :blobcat: <3", p.Text)
	assert.Equal(t, []string{"golang"}, p.Tags)
	assert.Equal(t, []string{"bob@other.example"}, p.Mentions)
	assert.Equal(t, []string{"https://blog.example.com/posts/2022/11/listener-v2-release-notes"}, p.Links)
	assert.Equal(t, 11, p.Likes)
	assert.Equal(t, 5, p.Reposts)
	assert.Equal(t, 2, p.Replies)
	assert.Equal(t, "https://mastodon.example/@alice/109348677773283527", p.URL)
}

func TestDecodeStatusErrors(t *testing.T) {
	_, err := DecodeStatus([]byte(`{"id":`), "")
	var de *listen.DecodeError
	require.ErrorAs(t, err, &de)
	_, err = DecodeStatus([]byte(`{"content":"<p>x</p>"}`), "")
	require.ErrorAs(t, err, &de)
	_, err = DecodeStatus([]byte(`{"id":123}`), "") // ids must be strings
	require.ErrorAs(t, err, &de)
}

func TestDecodeReblogAndSpoiler(t *testing.T) {
	p, err := DecodeStatus([]byte(`{"id":"2","created_at":"2022-11-15T16:06:48.410Z","account":{"acct":"carol@x.example"},"content":"",
	 "reblog":{"id":"1","content":"<p>orig</p>","spoiler_text":"cw: food","language":"de","favourites_count":3,"account":{"acct":"dave"}}}`), "m.example")
	require.NoError(t, err)
	assert.Equal(t, listen.KindRepost, p.Kind)
	assert.Equal(t, "1", p.Subject)
	assert.Equal(t, "cw: food\n\norig", p.Text)
	assert.Equal(t, "carol@x.example", p.Author.Handle)
	assert.Equal(t, 3, p.Likes)
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "hello", "hello"},
		{"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo"},
		{"br", "<p>a<br>b<br/>c<br />d</p>", "a\nb\nc\nd"},
		{"entities", "<p>&lt;b&gt; &amp; &quot;q&quot; &#39;s&#39; &#x1F600; caf&eacute;</p>", `<b> & "q" 's' 😀 café`},
		{"mention", `<p><span class="h-card"><a href="https://x/@bob" class="u-url mention">@<span>bob</span></a></span> hi</p>`, "@bob hi"},
		{"script dropped", "<p>a<script>alert(1)</script>b</p>", "ab"},
		{"unterminated", "<p>a <b", "a <b"},
		{"gt in attr", `<a href="https://x/?a>b">link</a>`, "link"},
		{"upper", "<P>a</P><P>b</P>", "a\n\nb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, htmlToText(tc.in).Text)
		})
	}
	got := htmlToText(`<a href="https://a.example/x?y=1&amp;z=2">a</a> <a href="https://a.example/x?y=1&amp;z=2">again</a> <a href="mailto:x@y">m</a>`)
	assert.Equal(t, []string{"https://a.example/x?y=1&z=2"}, got.Links)
}

func TestIDLess(t *testing.T) {
	assert.True(t, idLess("9", "10"))
	assert.True(t, idLess("109348677773283527", "109348677773283528"))
	assert.False(t, idLess("110000000000000000", "99999999999999999"))
	assert.True(t, idLess("01HQZ5Y1Z0V8X9R3N4K6M2P7TA", "01HQZ5Y1Z0V8X9R3N4K6M2P7TB"))
}

func TestDecodePageFastMatchesStdlib(t *testing.T) {
	raw, err := os.ReadFile("testdata/status.json")
	require.NoError(t, err)
	page := []byte("[" + string(raw) + ",\n" + string(raw) + "]")
	fast, ok := decodePageFast(page)
	require.True(t, ok)
	var std []status
	require.NoError(t, json.Unmarshal(page, &std))
	assert.Equal(t, std, fast)
	_, ok = decodePageFast([]byte(`[{"id":"1"},{"ID":"2"}]`))
	assert.False(t, ok, "case-variant keys go to encoding/json")
	got, skips, err := decodePage([]byte(`[{"id":"1"},{"ID":"2"}]`), false)
	require.NoError(t, err)
	assert.Empty(t, skips)
	assert.Len(t, got, 2)
	assert.Equal(t, "2", got[1].ID)
}

func TestDecodeWSFrame(t *testing.T) {
	ev, data, err := decodeWSFrame([]byte(`{"stream":["public"],"event":"update","payload":"{\"id\":\"1\"}"}`))
	require.NoError(t, err)
	assert.Equal(t, "update", ev)
	assert.Equal(t, `{"id":"1"}`, string(data))
	ev, data, err = decodeWSFrame([]byte(`{"stream":["public"],"event":"delete","payload":"106692867363994015"}`))
	require.NoError(t, err)
	assert.Equal(t, "delete", ev)
	assert.Equal(t, "106692867363994015", string(data))
	ev, data, err = decodeWSFrame([]byte(`{"stream":["user"],"event":"filters_changed"}`))
	require.NoError(t, err)
	assert.Equal(t, "filters_changed", ev)
	assert.Nil(t, data)
	_, _, err = decodeWSFrame([]byte(`{"error":"Unknown stream type","status":400}`))
	var he *listen.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 400, he.StatusCode)
	ev, data, err = decodeWSFrame([]byte(`{"event":"upd`))
	require.NoError(t, err)
	assert.Equal(t, "update", ev, "a broken frame asks for a backfill")
	assert.Nil(t, data)
}

func TestDecodeStatusBot(t *testing.T) {
	for _, bot := range []bool{true, false} {
		raw := `{"id":"1","created_at":"2022-11-15T16:06:48.410Z","content":"<p>beep</p>","account":{"id":"9","acct":"robot","bot":` + map[bool]string{true: "true", false: "false"}[bot] + `}}`
		p, err := DecodeStatus([]byte(raw), "m.example")
		require.NoError(t, err)
		assert.Equal(t, bot, p.Author.Bot)
	}
}

// TestKeySetBounds: a key set the masks cannot hold is a programmer
// error caught at once, not a key that silently never matches.
func TestKeySetBounds(t *testing.T) {
	names := make([]string, 65)
	for i := range names {
		names[i] = fmt.Sprintf("k%d", i)
	}
	assert.Panics(t, func() { newKeySet(names...) }, "65 names")
	assert.Panics(t, func() { newKeySet(strings.Repeat("x", 32)) }, "a 32-byte name")
	ks := newKeySet(names[:64]...)
	assert.Equal(t, uint64(1)<<63, ks.byLen[3]&(1<<63), "the 64th name has its bit")
}
