package replay_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
	"github.com/earshot-dev/earshot/listen/replay"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func samplePosts(n int) []listen.Post {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	posts := make([]listen.Post, n)
	for i := range posts {
		posts[i] = listen.Post{
			Platform: "mastodon",
			ID:       fmt.Sprint(1000 + i),
			Author:   listen.Author{Handle: fmt.Sprintf("user%d@example.social", i), Followers: i * 10},
			Text:     fmt.Sprintf("post %d about <Larkspur> & café ☕", i),
			Lang:     "en",
			Created:  base.Add(time.Duration(i) * time.Minute),
			Tags:     []string{"larkspur"},
			Reposts:  i,
		}
	}
	posts[1].Kind = listen.KindUpdate
	posts[2].Kind = listen.KindRepost
	posts[2].Subject = "1000"
	return posts
}

func record(t *testing.T, posts []listen.Post) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := replay.NewWriter(&buf)
	for _, p := range posts {
		require.NoError(t, w.Write(p))
	}
	require.NoError(t, w.Flush())
	return buf.Bytes()
}

func collect(t *testing.T, src listen.Source) []listen.Post {
	t.Helper()
	var got []listen.Post
	for p, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		got = append(got, p)
	}
	return got
}

func TestRoundTrip(t *testing.T) {
	posts := samplePosts(20)
	data := record(t, posts)
	assert.Equal(t, 20, bytes.Count(data, []byte("\n")), "one line per post")
	assert.Contains(t, string(data), "<Larkspur> & café", "HTML is not escaped")

	got := collect(t, replay.New(bytes.NewReader(data)))
	require.Len(t, got, len(posts))
	for i := range posts {
		assert.Equal(t, posts[i].Key(), got[i].Key())
		assert.Equal(t, posts[i].Text, got[i].Text)
		assert.Equal(t, posts[i].Kind, got[i].Kind)
		assert.Equal(t, posts[i].Subject, got[i].Subject)
		assert.True(t, posts[i].Created.Equal(got[i].Created))
		assert.Equal(t, posts[i].Author, got[i].Author)
		assert.Equal(t, posts[i].Tags, got[i].Tags)
	}
}

func TestMalformedLinesAreCountedAndSkipped(t *testing.T) {
	good := record(t, samplePosts(3))
	lines := strings.Split(strings.TrimSpace(string(good)), "\n")
	input := strings.Join([]string{
		lines[0],
		`{"platform":"mastodon","id":`,           // 2: truncated JSON
		``,                                       // 3: blank, ignored
		`{"platform":"mastodon","text":"no id"}`, // 4: missing id
		"{\"platform\":\"x\",\"id\":\"9\",\"text\":\"bad \xff\xfe utf8\"}", // 5: invalid UTF-8, repaired
		`not json at all`, // 6
		lines[1],
		`{"platform":"mastodon","id":"7","kind":"teleport"}`,                         // 8: unknown kind
		`{"platform":"mastodon","id":"8","text":"` + strings.Repeat("a", 300) + `"}`, // 9: too long
		lines[2] + "\r", // 10: CRLF is fine
		`{"platform":"mastodon","id":"last","text":"no newline at end"`, // 11: truncated last line
	}, "\n")
	var seen []int
	src := replay.New(strings.NewReader(input), replay.WithMaxLine(250),
		replay.WithOnError(func(e *replay.LineError) { seen = append(seen, e.Line) }))
	got := collect(t, src)

	require.Len(t, got, 4)
	assert.Equal(t, "1000", got[0].ID)
	assert.Equal(t, "9", got[1].ID)
	assert.True(t, utf8.ValidString(got[1].Text))
	assert.Contains(t, got[1].Text, "\uFFFD")
	assert.Equal(t, "1001", got[2].ID)
	assert.Equal(t, "1002", got[3].ID)

	assert.Equal(t, []int{2, 4, 6, 8, 9, 11}, seen)
	st := src.Stats()
	assert.EqualValues(t, 6, st.Skipped)
	assert.EqualValues(t, 4, st.Delivered)
	errs := src.Errors()
	require.Len(t, errs, 6)
	assert.ErrorIs(t, errs[4], replay.ErrLineTooLong)
	assert.Contains(t, errs[0].Error(), "replay: line 2:")
}

func TestGzipAndOpen(t *testing.T) {
	posts := samplePosts(5)
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	_, err := zw.Write(record(t, posts))
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	path := filepath.Join(t.TempDir(), "posts.jsonl.gz")
	require.NoError(t, os.WriteFile(path, zbuf.Bytes(), 0o600))
	src := replay.Open(path)
	assert.Len(t, collect(t, src), 5)
	assert.Len(t, collect(t, src), 5, "Open replays from the start on every run")

	var gotErr error
	for _, err := range replay.Open(filepath.Join(t.TempDir(), "missing")).Posts(context.Background()) {
		gotErr = err
	}
	assert.ErrorIs(t, gotErr, os.ErrNotExist)
}

func TestRecordTees(t *testing.T) {
	posts := samplePosts(4)
	var buf bytes.Buffer
	w := replay.NewWriter(&buf)
	got := collect(t, replay.Record(listentest.Static(posts...), w))
	assert.Len(t, got, 4)
	again := collect(t, replay.New(&buf))
	require.Len(t, again, 4)
	assert.Equal(t, posts[3].Text, again[3].Text)

	boom := errors.New("boom")
	var last error
	for _, err := range replay.Record(listentest.Failing(boom, posts[0]), replay.NewWriter(&bytes.Buffer{})).Posts(context.Background()) {
		last = err
	}
	assert.ErrorIs(t, last, boom)
}

func TestConformance(t *testing.T) {
	listentest.Run(t, func(t *testing.T) listen.Source {
		return replay.New(bytes.NewReader(record(t, samplePosts(10))))
	})
}

func FuzzDecode(f *testing.F) {
	f.Add(record(&testing.T{}, samplePosts(3)))
	f.Add([]byte("{\"platform\":\"x\",\"id\":\"1\",\"text\":\"\xff\"}\nnot json\n\n"))
	f.Add([]byte(`{"platform":"x","id":"1","kind":"like","created":"bad"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := replay.New(bytes.NewReader(data), replay.WithMaxLine(4096))
		n := 0
		for p, err := range src.Posts(context.Background()) {
			if err != nil {
				t.Fatalf("a replay of in-memory data must not fail: %v", err)
			}
			if p.Platform == "" || p.ID == "" || !utf8.ValidString(p.Text) {
				t.Fatalf("bad post delivered: %+v", p)
			}
			n++
		}
		st := src.Stats()
		if int(st.Delivered) != n {
			t.Fatalf("delivered %d, counted %d", n, st.Delivered)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if int(st.Skipped)+n > lines {
			t.Fatalf("%d skipped + %d delivered > %d lines", st.Skipped, n, lines)
		}
	})
}
