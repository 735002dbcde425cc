package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain runs the program itself when a test starts the test binary as
// a child process (see command), so that exit codes and signals are
// tested on the real main.
func TestMain(m *testing.M) {
	if os.Getenv("EARSHOT_RUN_MONITOR") == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

// command returns the monitor's main as a child process.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "EARSHOT_RUN_MONITOR=1")
	return cmd
}

func exitStatus(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// The offline run must show the story of the sample data: a negative
// shift and a volume spike during the complaint wave, and the viral post
// flagged within its first hour.
func TestOfflineRunShowsTheComplaintWave(t *testing.T) {
	s := defaultRun(t)
	t.Log("\n" + s)

	assert.True(t, strings.HasPrefix(s, "earshot monitor: listening for larkspur"))
	assert.Contains(t, s, "negative shift about larkspur since Tue 1", "the shift alert comes on Tuesday, the day of the wave")
	assert.Contains(t, s, "spike in negative posts about larkspur since Tue")
	assert.Regexp(t, `post about larkspur going viral since Tue .*after (\d+)m`, s)
	assert.Contains(t, s, "Eight years of Larkspur stamps", "the viral post is quoted")
	assert.Contains(t, s, "✓ over: spike in negative posts about larkspur", "the end of an episode is reported")
	assert.NotContains(t, s, "since Mon", "no alert on the quiet first day (the copy-paste flood is collapsed)")
	assert.Contains(t, s, "Summary: heard 3927 records")
	assert.Contains(t, s, "counted but not scored")
}

func TestReplayFileWithBadLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posts.jsonl")
	lines := []string{
		`{"platform":"x","id":"1","text":"Larkspur latte is lovely","created":"2026-03-02T09:00:00Z"}`,
		`{"platform":"x","id":`,
		`{"platform":"x","id":"2","text":"larkspur is awful","created":"2026-03-02T10:00:00Z"}`,
	}
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600))
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-replay", path, "-speed", "0"}, &out, &errOut))
	assert.Contains(t, out.String(), "2 matched a key")
	assert.Contains(t, out.String(), "Sources: 1 malformed records skipped")
	assert.Contains(t, errOut.String(), `msg="replay: skipping a malformed record" err="replay: line 2:`, "logged as it happens")
}

// Issue 20 item 5: a file of garbage is not a quiet brand: exit status 1
// and an error naming the cause.
func TestGarbageReplayFails(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.bin")
	b := make([]byte, 20_000)
	for i := range b {
		b[i] = byte(i*7919 + i/13)
	}
	require.NoError(t, os.WriteFile(garbage, b, 0o600))
	empty := filepath.Join(dir, "empty.jsonl")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))

	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-replay", garbage, "-speed", "0"}, &out, &errOut)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no usable records in "+garbage)
	assert.Equal(t, 1, exitCode(err, io.Discard))
	assert.Contains(t, out.String(), "Summary: heard 0 records", "the summary still shows")

	err = run(context.Background(), []string{"-replay", empty, "-speed", "0"}, &out, &errOut)
	assert.ErrorContains(t, err, "no records in "+empty)
}

func TestRecordThenReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-speed", "0", "-record", path}, &out, &out))
	var again bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-speed", "0", "-replay", path}, &again, &again))
	strip := func(s string) string { _, rest, _ := strings.Cut(s, "\n\n"); return rest } // the banner names the file
	assert.Equal(t, strip(out.String()), strip(again.String()), "a recording replays to the same report")
}

// Issue 20 items 5 and 6: bad command lines are errors with exit status
// 2, and -h is not an error.
func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	t.Setenv("REDDIT_CLIENT_ID", "")
	for _, args := range [][]string{
		{"extra"},
		{"-nosuchflag"},
		{"-speed", "-1"},
		{"-speed", "NaN"},
		{"-every", "-1h"},
		{"-every", "0s"},
		{"-query", `"unbalanced`},
		{"-key", "larkspur"},
		{"-key", "a=x", "-key", "a=y"},
		{"-mastodon", "not a url"},
		{"-reddit", "coffee"},
		{"-webhook", "ftp://example.com/x"},
		{"-config", filepath.Join(dir, "missing.json")},
		{"-config", write("unknown.json", `{"keyz": []}`)},
		{"-config", write("badquery.json", `{"keys": [{"name": "a", "query": "(larkspur"}]}`)},
		{"-config", write("noquery.json", `{"keys": [{"name": "a"}]}`)},
		{"-config", write("duration.json", `{"every": "soon"}`)},
		{"-config", write("negative.json", `{"every": "-3h"}`)},
		{"-config", write("twice.json", `{"keys": [{"name": "a", "query": "x"}, {"name": "a", "query": "y"}]}`)},
		{"-config", write("notjson.json", `keys: [a]`)},
		{"-config", write("trailing.json", `{"every": "1h"} {"every": "2h"}`)},
		{"-config", write("trailing2.json", `{"every": "1h"}]`)},
		{"-config", write("rise.json", `{"thresholds": {"shift_rise": 1.5}}`)},
		{"-config", write("count.json", `{"thresholds": {"spike_min_count": -1}}`)},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut)
		require.Error(t, err, "%q", args)
		assert.Equal(t, 2, exitCode(err, &errOut), "%q: %v", args, err)
		assert.NotEmpty(t, errOut.String(), "%q: a message on stderr", args)
		assert.Empty(t, out.String(), "%q: nothing started", args)
	}
	ok := write("ok.json", "{\"every\": \"1h\", \"keys\": [{\"name\": \"a\", \"query\": \"x\"}]}\n\n")
	cfg, err := parse([]string{"-config", ok}, io.Discard)
	require.NoError(t, err, "white space after the object is fine")
	assert.Equal(t, "a", cfg.keys[0].Name)
	cfg, err = parse([]string{"-config", ok, "-key", "b=y", "-key", "c=z"}, io.Discard)
	require.NoError(t, err)
	require.Len(t, cfg.keys, 2, "-key replaces the config's keys")
	assert.Equal(t, "c", cfg.keys[1].Name)
}

// The real program: -h exits 0 with a first line saying what the program
// does and reads; bad flags exit 2; a garbage replay exits 1.
func TestExitStatus(t *testing.T) {
	var stderr bytes.Buffer
	cmd := command("-h")
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run())
	first, _, _ := strings.Cut(stderr.String(), "\n")
	assert.Equal(t, "monitor reports what is said about a brand and its competitors as it happens, from the embedded sample data (three days about a fictional roaster and two rivals), a -replay file or live sources.", first)
	assert.Contains(t, stderr.String(), "Usage: ")
	assert.Contains(t, stderr.String(), "-replay")

	for args, want := range map[string]int{"extra": 2, "-speed -1": 2, "-bogus": 2} {
		cmd := command(strings.Fields(args)...)
		var se bytes.Buffer
		cmd.Stderr = &se
		assert.Equal(t, want, exitStatus(cmd.Run()), args)
		assert.NotEmpty(t, se.String(), args)
	}
	garbage := filepath.Join(t.TempDir(), "garbage.bin")
	require.NoError(t, os.WriteFile(garbage, bytes.Repeat([]byte{0xff, 0x00, '\n'}, 100), 0o600))
	assert.Equal(t, 1, exitStatus(command("-replay", garbage).Run()))
}

// Issue 20 item 2: SIGTERM (systemd, Docker) stops the monitor like
// Ctrl-C: the summary is printed and the exit status is 0.
func TestSIGTERMPrintsTheSummary(t *testing.T) {
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		cmd := command("-speed", "100")
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		r := bufio.NewReader(stdout)
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(line, "earshot monitor: listening for"), "the banner comes at once: %q", line)
		require.NoError(t, cmd.Process.Signal(sig))
		rest, _ := io.ReadAll(r)
		assert.NoError(t, cmd.Wait(), "%v", sig)
		assert.Contains(t, string(rest), "Summary: heard", "%v", sig)
	}
}

// Issue 20 item 2: a dead source prints its banner at once, logs its
// retries as they happen, and ends with an error, not "heard 0".
func TestDeadSourceIsVisible(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	dead := srv.URL
	srv.Close() // nothing listens any more
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var out bytes.Buffer
	var errOut syncBuffer
	err := run(ctx, []string{"-mastodon", dead}, &out, &errOut)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no posts heard: the sources failed")
	assert.Equal(t, 1, exitCode(err, io.Discard))
	assert.Contains(t, out.String(), "listening live to Mastodon "+dead)
	assert.Regexp(t, `Sources: 0 malformed records skipped, [1-9]\d* retries`, out.String())
	assert.Contains(t, errOut.String(), `msg="mastodon: retrying"`)
	assert.Contains(t, errOut.String(), "connection refused")
}

// A live run stopped before anything was said, with no failure, is fine.
func TestCancelStopsQuietly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-speed", "100"}, &out, &out))
	assert.Contains(t, out.String(), "Summary:")
}

// A config file with two keys and a webhook: both keys are tracked, the
// alerts name their key, and each alert reaches the webhook as
// Slack-compatible JSON, at its start and at its end.
func TestConfigFileKeysAndWebhook(t *testing.T) {
	var mu sync.Mutex
	var bodies []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		var body map[string]any
		assert.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		mu.Lock()
		bodies = append(bodies, body)
		mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()

	cfg := map[string]any{
		"keys": []map[string]string{
			{"name": "larkspur", "query": "larkspur OR @larkspur OR #larkspurplus OR #bringbackstamps"},
			{"name": "kindness", "query": "#larkspurkindness OR ring"},
		},
		"thresholds": map[string]any{"spike_bucket": "15m", "viral_threshold": 500},
		"webhook":    srv.URL + "/hook",
		"every":      "6h",
	}
	path := filepath.Join(t.TempDir(), "monitor.json")
	b, err := json.Marshal(cfg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-config", path, "-speed", "0"}, &out, &out))
	s := out.String()
	t.Log("\n" + s)
	assert.Contains(t, s, "larkspur = larkspur OR @larkspur")
	assert.Contains(t, s, "kindness = #larkspurkindness OR ring")
	assert.Contains(t, s, "negative shift about larkspur since Tue")
	assert.Contains(t, s, "spike in negative posts about larkspur since Tue")
	assert.Regexp(t, `Tue 03 06:00 +\d+`, s, "the 6h interval of the config is used")
	assert.NotContains(t, s, "Tue 03 09:00  ", "no 3h rows")

	n := strings.Count(s, "⚠ ALERT") + strings.Count(s, "✓ over:")
	require.Greater(t, n, 2)
	assert.Contains(t, s, fmt.Sprintf("Webhook: %d alerts sent, 0 dropped, 0 failed", n))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, bodies, n)
	var texts []string
	for _, b := range bodies {
		texts = append(texts, fmt.Sprint(b["text"]))
	}
	joined := strings.Join(texts, "\n")
	assert.Contains(t, joined, "negative shift about larkspur")
	assert.Contains(t, joined, "post about larkspur going viral")
	assert.Regexp(t, `negative shift about larkspur since .*; why: \S+ \(\d+% of posts`, joined, "the reasons reach the webhook")
	assert.Contains(t, joined, ", ended ", "the end of an episode reads as an end")
}

// A refusing webhook is counted and logged, and never stops the monitor.
func TestWebhookFailuresAreCounted(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "invalid_token", http.StatusForbidden)
	}))
	defer srv.Close()
	var out bytes.Buffer
	var errOut syncBuffer
	require.NoError(t, run(context.Background(), []string{"-speed", "0", "-webhook", srv.URL + "/T/B/SECRET"}, &out, &errOut))
	assert.Regexp(t, `Webhook: 0 alerts sent, 0 dropped, [1-9]\d* failed`, out.String())
	assert.Contains(t, out.String(), "last webhook error: webhook: status 403 after 1 attempts")
	assert.Contains(t, errOut.String(), `msg="webhook: alert not sent"`)
	assert.NotContains(t, out.String()+errOut.String(), "SECRET", "the webhook URL is a secret")
	assert.Equal(t, int64(strings.Count(errOut.String(), "alert not sent")), calls.Load(), "one POST per alert: 403 is final")
}

// syncBuffer is a bytes.Buffer safe for the webhook sender's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
