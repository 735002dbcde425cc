package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story/publish"
)

// fakeMastodon answers POST /api/v1/statuses as a Mastodon server does
// (a Status entity), recording the statuses and idempotency keys, and the
// reads a publisher looks a post up with. The first failFirst posts are
// answered 502 by a proxy, without reaching the server.
type fakeMastodon struct {
	mu        sync.Mutex
	statuses  []string
	keys      map[string]bool
	failFirst int
}

func (f *fakeMastodon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer diary-token" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"The access token is invalid"}`))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/accounts/verify_credentials":
		_, _ = w.Write([]byte(`{"id":"7","username":"diary","acct":"diary"}`))
		return
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/accounts/7/statuses":
		var list []map[string]any
		for i := len(f.statuses) - 1; i >= 0; i-- {
			list = append(list, map[string]any{"id": fmt.Sprint(1001 + i), "content": "<p>" + html.EscapeString(f.statuses[i]) + "</p>",
				"created_at": time.Now().UTC().Format(time.RFC3339), "in_reply_to_id": nil, "spoiler_text": ""})
		}
		_ = json.NewEncoder(w).Encode(append(list, []map[string]any{}...))
		return
	case r.Method != http.MethodPost || r.URL.Path != "/api/v1/statuses":
		http.NotFound(w, r)
		return
	}
	if f.failFirst > 0 {
		f.failFirst--
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
		return
	}
	var body struct {
		Status string `json:"status"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.NewDecoder(r.Body).Decode(&body)
	} else {
		body.Status = r.FormValue("status")
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" || f.keys[key] {
		http.Error(w, `{"error":"duplicate"}`, http.StatusUnprocessableEntity)
		return
	}
	f.keys[key] = true
	f.statuses = append(f.statuses, body.Status)
	id := 1000 + len(f.statuses)
	fmt.Fprintf(w, `{"id":"%d","url":"https://hens.example/@diary/%d","content":"<p>%s</p>","created_at":"2026-03-02T07:30:00.000Z","visibility":"public"}`,
		id, id, "x")
}

// Posting to Mastodon: only due episodes are posted, the state file makes
// a rerun post nothing twice, and the next run continues.
func TestPostsDueEpisodesToMastodonOnce(t *testing.T) {
	fake := &fakeMastodon{keys: map[string]bool{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	t.Setenv("MASTODON_TOKEN", "diary-token")
	state := filepath.Join(t.TempDir(), "diary.json")
	args := []string{"-mastodon", srv.URL, "-state", state, "-episodes", "5"}

	morning := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) // days 1 and 2 are due
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), args, &out, &out, morning))
	s := out.String()
	t.Log("\n" + s)
	assert.Contains(t, s, "posting due episodes to mastodon")
	assert.Contains(t, s, "posted https://hens.example/@diary/1001")
	assert.Contains(t, s, "posted https://hens.example/@diary/1002")
	assert.Contains(t, s, "next: day 3 is due Tue 3 Mar 2026 07:30 CET")
	assert.NotContains(t, s, "X (280)", "only the chosen platform")

	out.Reset()
	require.NoError(t, run(context.Background(), args, &out, &out, morning))
	assert.Contains(t, out.String(), "next: day 3 is due")
	assert.NotContains(t, out.String(), "posted")

	out.Reset()
	require.NoError(t, run(context.Background(), args, &out, &out, morning.Add(24*time.Hour)))
	assert.Contains(t, out.String(), "━━ Day 3 ")
	assert.Contains(t, out.String(), "posted https://hens.example/@diary/1003")

	fake.mu.Lock()
	defer fake.mu.Unlock()
	require.Len(t, fake.statuses, 3)
	assert.True(t, strings.HasPrefix(fake.statuses[0], "Day 1 of the hen diary"))
	assert.True(t, strings.HasPrefix(fake.statuses[2], "Day 3 of the hen diary"))
}

func TestBadTokenIsReported(t *testing.T) {
	fake := &fakeMastodon{keys: map[string]bool{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	t.Setenv("MASTODON_TOKEN", "wrong")
	var out bytes.Buffer
	err := run(context.Background(), []string{"-mastodon", srv.URL}, &out, &out, now)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "day 1 on mastodon")
	assert.NotContains(t, err.Error(), "wrong", "the token never appears in errors")
}

// A server that refuses the connection proves nothing was posted: the run
// fails at once, saying so (issue 20 item 3: it used to look the post up
// for ten minutes, then report the outcome as unknown).
func TestRefusedConnectionFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	t.Setenv("MASTODON_TOKEN", "diary-token")
	var out, errs bytes.Buffer
	err = run(context.Background(), []string{"-mastodon", "http://" + addr}, &out, &errs, now)
	require.ErrorIs(t, err, publish.ErrNotSent)
	assert.Equal(t, 1, exitCode(err, &errs))
	msg := errs.String()
	t.Log(msg)
	assert.Contains(t, msg, "diary: day 1 on mastodon:")
	assert.Contains(t, msg, "cannot connect")
	assert.Contains(t, msg, "nothing was posted")
	assert.NotContains(t, msg, "diary-token")
}

// Retries and look-ups are shown on stderr as they happen.
func TestProgressOnRetries(t *testing.T) {
	fake := &fakeMastodon{keys: map[string]bool{}, failFirst: 1}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	t.Setenv("MASTODON_TOKEN", "diary-token")
	var out, errs bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-mastodon", srv.URL, "-episodes", "1"}, &out, &errs, now))
	t.Log("\n" + errs.String())
	assert.Contains(t, errs.String(), "outcome unclear, looking the post up")
	assert.Contains(t, errs.String(), "HTTP 502")
	assert.Contains(t, errs.String(), "the look-up found no such post")
	assert.Contains(t, errs.String(), "retrying")
	assert.Contains(t, out.String(), "posted https://hens.example/@diary/1001")
	assert.Len(t, fake.statuses, 1)
}

// TestMain runs main itself when DIARY_MAIN_ARGS is set, so that a test
// can run the program as a process and signal it.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("DIARY_MAIN_ARGS"); ok {
		os.Args = append([]string{"diary"}, strings.Fields(args)...)
		main()
		return
	}
	os.Exit(m.Run())
}

// SIGTERM (systemd, Docker) stops a run waiting on a server as Ctrl-C
// does: at once, saying that the progress is kept, with exit status 1.
func TestSIGTERMStopsCleanly(t *testing.T) {
	posted, release := make(chan struct{}, 1), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client leave
		select {
		case posted <- struct{}{}:
		default:
		}
		select { // never answers
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DIARY_MAIN_ARGS=-start 2020-01-01 -mastodon "+srv.URL, "MASTODON_TOKEN=diary-token")
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-posted:
	case err := <-done:
		t.Fatalf("exited before posting: %v\n%s%s", err, out.String(), errs.String())
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("no post within a minute")
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("SIGTERM did not stop the run")
	}
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "stdout:\n%s\nstderr:\n%s", out.String(), errs.String())
	assert.Equal(t, 1, ee.ExitCode())
	assert.Contains(t, out.String(), "hen diary: posting due episodes to mastodon")
	assert.Contains(t, errs.String(), "interrupted: progress kept; run again to resume")
}
