package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/examples/sample"
	"github.com/earshot-dev/earshot/listen"
)

var (
	sampleOnce  sync.Once
	sampleState []byte
	sampleErr   error
)

// replayed returns a dashboard holding the snapshot of the whole sample
// (replayed once for all tests: it takes seconds under -race).
func replayed(t *testing.T) *dashboard {
	t.Helper()
	sampleOnce.Do(func() {
		d := newDashboard(4)
		keys, err := compile(defaultKeys)
		if err != nil {
			sampleErr = err
			return
		}
		l := newListener(keys)
		sampleErr = d.listen(context.Background(), l, sample.Source(), false, true)
		l.finish()
		d.show(l.snapshot(), func(s *status) { s.Mode, s.Done = "replay", true })
		sampleState = d.hub.latest()
	})
	require.NoError(t, sampleErr)
	d := newDashboard(4)
	d.hub.publish(sampleState)
	return d
}

// smallReplay writes the first n records of the sample to a file.
func smallReplay(t *testing.T, n int) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(sample.Data()))
	require.NoError(t, err)
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	var buf bytes.Buffer
	for i := 0; i < n && sc.Scan(); i++ {
		buf.Write(sc.Bytes())
		buf.WriteByte('\n')
	}
	require.NoError(t, sc.Err())
	path := filepath.Join(t.TempDir(), "small.jsonl")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	return path
}

func TestStateBeforeFirstSnapshot(t *testing.T) {
	d := newDashboard(4)
	rec := httptest.NewRecorder()
	d.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/state", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
}

func TestStateSnapshotJSON(t *testing.T) {
	d := replayed(t)
	rec := httptest.NewRecorder()
	d.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/state", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))

	var m message
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m))
	want := countSample(t)
	assert.Equal(t, 3927, m.Heard, "every record, the dropped ones included")
	assert.Equal(t, want.matched, m.Matched)
	assert.Equal(t, int64(72), want.bots, "the sample's bot")
	assert.Equal(t, dropped{NearDuplicates: want.collapsed, Bots: want.bots}, m.Dropped)
	assert.True(t, m.Status.Done)
	require.Len(t, m.Keys, 3)
	k := m.Keys[0]
	assert.Equal(t, "larkspur", k.Name)
	assert.Equal(t, want.mentions["larkspur"], k.Posts)
	assert.InDelta(t, 1, k.Negative+k.Neutral+k.Positive, 1e-9)
	require.Greater(t, len(k.Points), 60, "an hourly point for most of three days")
	sum, peak := 0, 0
	for i, p := range k.Points {
		sum += p.Posts
		peak = max(peak, p.Negative)
		if i > 0 {
			assert.Equal(t, time.Hour, p.At.Sub(k.Points[i-1].At), "points are consecutive hours")
		}
	}
	assert.Equal(t, k.Posts, sum, "every matched post is in a point")
	assert.Greater(t, peak, 50, "the complaint wave")

	kinds := map[string]int{}
	for _, a := range m.Alerts {
		kinds[string(a.Kind)+" "+a.Tracked]++
		assert.NotEmpty(t, a.Title)
		assert.NotEmpty(t, a.Evidence, "every alert shows evidence posts: %s", a.Title)
		assert.LessOrEqual(t, len(a.Evidence), 2, "two examples are enough for a page")
		if a.Kind == "viral" {
			assert.Empty(t, a.Reasons, "a viral post is its own reason")
		} else {
			assert.NotEmpty(t, a.Reasons, "every spike and shift says why: %s", a.Title)
		}
	}
	assert.Equal(t, 1, kinds["sentiment larkspur"])
	assert.Equal(t, 1, kinds["viral larkspur"])
	assert.GreaterOrEqual(t, kinds["spike larkspur"], 1)
	assert.Equal(t, 1, kinds["sentiment brightcup"], "%v", kinds)
	require.NotEmpty(t, m.Viral)
	assert.Contains(t, m.Viral[0].Text, "Eight years of Larkspur stamps")
	assert.True(t, m.Viral[0].Flagged)
	assert.GreaterOrEqual(t, m.Viral[0].Final, m.Viral[0].Observed)
}

// Issue 22: the share of voice and the top authors the page gets are the
// sample's own figures, counted here the slow way.
func TestStateVoice(t *testing.T) {
	d := replayed(t)
	var m message
	require.NoError(t, json.Unmarshal(d.hub.latest(), &m))
	want := countSample(t)
	v := m.Voice
	assert.Equal(t, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), v.From)
	assert.Equal(t, time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), v.To)
	require.Len(t, v.Keys, 3)
	total := 0
	for _, n := range want.mentions {
		total += n
	}
	for i, kv := range v.Keys {
		name := defaultKeys[i].Name
		assert.Equal(t, name, kv.Key)
		assert.Equal(t, int64(want.mentions[name]), kv.Mentions, name)
		assert.InDelta(t, float64(want.mentions[name])/float64(total), kv.Share, 1e-12, name)
		assert.Equal(t, int64(len(want.authors[name])), kv.Authors, "%s: distinct authors (exact below 128 a bucket)", name)
		assert.Equal(t, int64(m.Keys[i].Scored), kv.Negative+kv.Neutral+kv.Positive, name)
		var hours int64
		for _, h := range v.Hours {
			hours += h.Mentions[i]
		}
		assert.Equal(t, kv.Mentions, hours, "%s: the hours add up", name)

		top := want.topAuthor(name)
		require.NotEmpty(t, kv.Drivers.ByMentions, name)
		assert.Equal(t, top, kv.Drivers.ByMentions[0].Author, name)
		assert.Equal(t, want.lastDay[name][top], kv.Drivers.ByMentions[0].Mentions, name)
		assert.LessOrEqual(t, len(kv.Drivers.ByReach), driversShown)
		assert.NotNil(t, kv.Drivers.Advocates)
	}
	assert.Len(t, v.Hours, 72)
	assert.Greater(t, v.Keys[0].Share, 0.7, "the complaint wave makes larkspur the loudest")
}

// bruteForce counts the sample the slow way: the posts about each
// default key after bots' posts and near-duplicates are dropped, their
// authors, and each author's mentions of each key on the last day.
type bruteForce struct {
	matched   int
	mentions  map[string]int
	authors   map[string]map[string]bool
	lastDay   map[string]map[string]int
	collapsed int64
	bots      int64
}

func countSample(t *testing.T) bruteForce {
	t.Helper()
	keys, err := compile(defaultKeys)
	require.NoError(t, err)
	b := bruteForce{mentions: map[string]int{}, authors: map[string]map[string]bool{}, lastDay: map[string]map[string]int{}}
	wed := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	src := listen.NearDedupe(listen.Filter(sample.Source(), func(p listen.Post) bool {
		if p.Author.Bot {
			b.bots++
			return false
		}
		return true
	}), 0)
	for p, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		if p.Kind != listen.KindPost {
			continue
		}
		about := false
		for _, k := range keys {
			if !k.q.Match(&p) {
				continue
			}
			about = true
			b.mentions[k.Name]++
			if b.authors[k.Name] == nil {
				b.authors[k.Name], b.lastDay[k.Name] = map[string]bool{}, map[string]int{}
			}
			b.authors[k.Name][author(p)] = true
			if !p.Created.Before(wed) {
				b.lastDay[k.Name][author(p)]++
			}
		}
		if about {
			b.matched++
		}
	}
	b.collapsed = src.(listen.StatsReporter).Stats().Duplicates
	return b
}

// topAuthor is the author with the most mentions of key on the last day
// (ties by name).
func (b bruteForce) topAuthor(key string) string {
	best := ""
	for a, n := range b.lastDay[key] {
		if m := b.lastDay[key][best]; best == "" || n > m || (n == m && a < best) {
			best = a
		}
	}
	return best
}

func TestStaticPage(t *testing.T) {
	d := newDashboard(4)
	for path, want := range map[string]string{
		"/":          "Listening dashboard",
		"/app.js":    "new EventSource(",
		"/style.css": "--neg:",
	} {
		rec := httptest.NewRecorder()
		d.handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		assert.Equal(t, http.StatusOK, rec.Code, path)
		assert.Contains(t, rec.Body.String(), want, path)
	}
	rec := httptest.NewRecorder()
	d.handler().ServeHTTP(rec, httptest.NewRequest("POST", "/api/state", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

// readEvent reads one SSE event: its lines up to the blank line.
func readEvent(t *testing.T, r *bufio.Reader) []string {
	t.Helper()
	lines, err := nextEvent(r)
	require.NoError(t, err)
	return lines
}

func nextEvent(r *bufio.Reader) ([]string, error) {
	var lines []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return lines, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return lines, nil
		}
		lines = append(lines, line)
	}
}

func TestEventsFraming(t *testing.T) {
	d := replayed(t)
	srv := httptest.NewServer(d.handler())
	defer srv.Close()
	defer d.hub.close() // before srv.Close, which waits for the stream

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	r := bufio.NewReader(resp.Body)

	assert.Equal(t, []string{"retry: 2000"}, readEvent(t, r))
	// The latest snapshot comes first, for a page that connects late.
	ev := readEvent(t, r)
	require.Len(t, ev, 2)
	assert.Equal(t, "event: state", ev[0])
	require.True(t, strings.HasPrefix(ev[1], "data: {"))
	var m message
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(ev[1], "data: ")), &m))
	assert.Equal(t, 2355, m.Matched)

	// A new snapshot is pushed as it is published.
	d.hub.publish([]byte(`{"heard":1}`))
	assert.Equal(t, []string{"event: state", `data: {"heard":1}`}, readEvent(t, r))
}

func TestEventsKeepAlive(t *testing.T) {
	old := keepAlive
	keepAlive = 20 * time.Millisecond
	defer func() { keepAlive = old }()
	d := newDashboard(4)
	srv := httptest.NewServer(d.handler())
	defer srv.Close()
	defer d.hub.close()
	resp, err := http.Get(srv.URL + "/events")
	require.NoError(t, err)
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	assert.Equal(t, []string{"retry: 2000"}, readEvent(t, r))
	assert.Equal(t, []string{": keep-alive"}, readEvent(t, r), "a comment keeps an idle stream open")
}

// A client that goes away is unsubscribed and its handler returns.
func TestEventsClientDisconnect(t *testing.T) {
	d := replayed(t)
	srv := httptest.NewServer(d.handler())
	defer srv.Close()
	defer d.hub.close()
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events", nil)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		readEvent(t, bufio.NewReader(resp.Body))
		require.Eventually(t, func() bool { return d.hub.count() == 1 }, 2*time.Minute, 5*time.Millisecond)
		cancel()
		resp.Body.Close()
		require.Eventually(t, func() bool { return d.hub.count() == 0 }, 2*time.Minute, 5*time.Millisecond,
			"the handler noticed the disconnect")
	}
}

// The whole program: serves the page and events on an ephemeral port,
// runs the replay, and on cancel closes the streams, shuts down and
// returns, with no goroutine left (TestMain checks with goleak).
func TestRunServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var out bytes.Buffer
	file := smallReplay(t, 300)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-speed", "0", "-wait=false", "-replay", file}, &out, io.Discard, ready)
	}()
	addr := <-ready
	base := "http://" + addr

	resp, err := http.Get(base + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), "<script src=\"app.js\"></script>")

	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/api/state")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var m message
		return json.NewDecoder(resp.Body).Decode(&m) == nil && m.Status.Done && m.Heard == 300 && len(m.Keys[0].Points) > 0
	}, 2*time.Minute, 20*time.Millisecond, "the replay finishes and the state is served")

	// An open event stream must not hold up the shutdown.
	resp, err = http.Get(base + "/events")
	require.NoError(t, err)
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	readEvent(t, r)
	readEvent(t, r)

	// A stream that held up the shutdown would make run wait out its 5 s
	// shutdown timeout and return the deadline's error; the two minutes
	// are a hang guard only.
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(2 * time.Minute):
		t.Fatal("run did not return after cancel")
	}
	_, err = io.ReadAll(r)
	assert.NoError(t, err, "the stream ends cleanly")
	assert.Contains(t, out.String(), "earshot dashboard: http://127.0.0.1:")
	assert.Contains(t, out.String(), "stopped")
}

// With -wait (the default) the replay waits for the first page.
func TestReplayWaitsForFirstViewer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	file := smallReplay(t, 300)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-speed", "0", "-replay", file}, io.Discard, io.Discard, ready)
	}()
	base := "http://" + <-ready
	state := func() message {
		var m message
		require.Eventually(t, func() bool {
			resp, err := http.Get(base + "/api/state")
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			return json.NewDecoder(resp.Body).Decode(&m) == nil
		}, 2*time.Minute, 10*time.Millisecond)
		return m
	}
	time.Sleep(200 * time.Millisecond)
	m := state()
	assert.True(t, m.Status.Waiting)
	assert.Zero(t, m.Heard, "nothing replayed before a page connects")

	resp, err := http.Get(base + "/events")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return state().Status.Done }, 2*time.Minute, 20*time.Millisecond)
	resp.Body.Close()
	cancel()
	require.NoError(t, <-done)
}

// Two -key flags give the page two key cards.
func TestTwoKeys(t *testing.T) {
	cfg, err := parse([]string{"-key", "larkspur=larkspur OR @larkspur", "-key", "stamps=stamps OR #bringbackstamps",
		"-replay", smallReplay(t, 300)}, io.Discard)
	require.NoError(t, err)
	require.Len(t, cfg.keys, 2)
	d := newDashboard(4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.speed, cfg.wait = 0, false
	done := make(chan struct{})
	go func() { defer close(done); _, _, _ = d.feed(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	var m message
	require.Eventually(t, func() bool {
		b := d.hub.latest()
		return b != nil && json.Unmarshal(b, &m) == nil && m.Status.Done
	}, 2*time.Minute, 10*time.Millisecond)
	cancel()
	<-done
	require.Len(t, m.Keys, 2)
	assert.Equal(t, "stamps", m.Keys[1].Name)
	assert.Positive(t, m.Keys[0].Posts)
}

// With -loop the replay starts again after a pause, from an empty state.
func TestLoopReplaysAgain(t *testing.T) {
	cfg, err := parse([]string{"-loop", "-speed", "0", "-wait=false", "-replay", smallReplay(t, 100)}, io.Discard)
	require.NoError(t, err)
	cfg.pause = 20 * time.Millisecond
	d := newDashboard(4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _, _, _ = d.feed(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	var m message
	require.Eventually(t, func() bool {
		b := d.hub.latest()
		return b != nil && json.Unmarshal(b, &m) == nil && m.Status.Round >= 3
	}, 2*time.Minute, 5*time.Millisecond)
	cancel()
	<-done
	assert.LessOrEqual(t, m.Heard, 100, "each round starts from an empty pipeline")
}

// Many clients at once: each gets every snapshot published while it reads.
func TestManyClients(t *testing.T) {
	d := newDashboard(4)
	d.hub.publish([]byte(`{"heard":0}`))
	srv := httptest.NewServer(d.handler())
	defer srv.Close()
	defer d.hub.close()
	const n = 50
	readers := make([]*bufio.Reader, n)
	for i := range readers {
		resp, err := http.Get(srv.URL + "/events")
		require.NoError(t, err)
		defer resp.Body.Close()
		readers[i] = bufio.NewReader(resp.Body)
		readEvent(t, readers[i])
		assert.Equal(t, []string{"event: state", `data: {"heard":0}`}, readEvent(t, readers[i]))
	}
	require.Equal(t, n, d.hub.count())
	d.hub.publish([]byte(`{"heard":1}`))
	var wg sync.WaitGroup
	for _, r := range readers {
		wg.Add(1)
		go func(r *bufio.Reader) {
			defer wg.Done()
			ev, err := nextEvent(r)
			assert.NoError(t, err)
			assert.Equal(t, []string{"event: state", `data: {"heard":1}`}, ev)
		}(r)
	}
	wg.Wait()
	assert.Zero(t, d.hub.dropped.Load())
}

// The page carries the latest snapshot inline, escaped so that no text in
// a post can end the script element.
func TestIndexInlinesState(t *testing.T) {
	d := newDashboard(4)
	get := func() string {
		rec := httptest.NewRecorder()
		d.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
		return rec.Body.String()
	}
	assert.NotContains(t, get(), "window.EARSHOT_STATE")
	b, err := json.Marshal(message{snapshot: snapshot{Keys: []keyState{{Name: `</script><script>alert(1)</script>`}}}})
	require.NoError(t, err)
	d.hub.publish(b)
	page := get()
	assert.Contains(t, page, "<script>window.EARSHOT_STATE = {")
	assert.Equal(t, 2, strings.Count(page, "</script>"), "only the inline state's and app.js's script elements end")
	assert.Contains(t, page, `\u003c/script\u003e`)
}
