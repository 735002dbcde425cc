package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The offline run must show the story of the sample data: a negative
// shift and a volume spike during the complaint wave, and the viral post
// flagged within its first hour.
func TestOfflineRunShowsTheComplaintWave(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-speed", "0"}, &out, &errOut))
	s := out.String()
	t.Log("\n" + s)

	assert.Contains(t, s, "negative shift for larkspur since Tue 1", "the shift alert comes on Tuesday, the day of the wave")
	assert.Contains(t, s, "volume spike in negative posts since Tue")
	assert.Regexp(t, `post going viral .*3lark5viral22.*after (\d+)m`, s)
	assert.Contains(t, s, "Eight years of Larkspur stamps", "the viral post is quoted")
	assert.NotContains(t, s, "since Mon", "no alert on the quiet first day")
	assert.Contains(t, s, "Summary: heard 3370 records")
	assert.Contains(t, s, "counted but not scored")
	assert.Empty(t, errOut.String())
}

func TestDefaultSpeedFinishesInTime(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 13 s of wall time")
	}
	start := time.Now()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out, &out))
	assert.Less(t, time.Since(start), 30*time.Second)
	assert.Greater(t, time.Since(start), 5*time.Second, "the default replay is paced, not instant")
}

func TestReplayFileWithBadLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posts.jsonl")
	lines := []string{
		`{"platform":"x","id":"1","text":"Larkspur latte is lovely","created":"2026-03-02T09:00:00Z"}`,
		`{"platform":"x","id":`,
		`{"platform":"x","id":"2","text":"larkspur is awful","created":"2026-03-02T10:00:00Z"}`,
	}
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-replay", path, "-speed", "0"}, &out, &out))
	assert.Contains(t, out.String(), "2 matched the query")
	assert.Contains(t, out.String(), "skipped 1 malformed records")
}

func TestRecordThenReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-speed", "0", "-record", path}, &out, &out))
	var again bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-speed", "0", "-replay", path}, &again, &again))
	assert.Equal(t, out.String(), again.String(), "a recording replays to the same report")
}

func TestBadFlags(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-query", `"unbalanced`}, &out, &out)
	assert.ErrorContains(t, err, "position 1")
	err = run(context.Background(), []string{"-mastodon", "not a url"}, &out, &out)
	assert.Error(t, err)
}

func TestCancelStopsQuietly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-speed", "100"}, &out, &out))
	assert.Contains(t, out.String(), "Summary:")
}

// A config file with two keys and a webhook: both keys are tracked, the
// alerts name their key, and each alert reaches the webhook as
// Slack-compatible JSON.
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
	assert.Contains(t, s, "negative shift for larkspur since Tue")
	assert.Contains(t, s, "larkspur: volume spike in negative posts since Tue")
	assert.Regexp(t, `Tue 03 06:00 +\d+`, s, "the 6h interval of the config is used")
	assert.NotContains(t, s, "Tue 03 09:00  ", "no 3h rows")

	n := strings.Count(s, "⚠ ALERT")
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
	assert.Contains(t, joined, "negative shift for larkspur")
	assert.Contains(t, joined, "post going viral")
}

// A failing webhook is counted, retried within its bound, and never stops
// the monitor.
func TestWebhookFailuresAreCounted(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "invalid_token", http.StatusForbidden)
	}))
	defer srv.Close()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-speed", "0", "-webhook", srv.URL}, &out, &out))
	assert.Regexp(t, `Webhook: 0 alerts sent, 0 dropped, [1-9]\d* failed`, out.String())
	assert.Contains(t, out.String(), "last webhook error")
	assert.NotContains(t, out.String(), srv.URL, "the webhook URL is a secret")
	assert.Positive(t, calls.Load())
}

func TestBadConfig(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"unknown key":   `{"keyz": []}`,
		"bad query":     `{"keys": [{"name": "a", "query": "(larkspur"}]}`,
		"bad duration":  `{"every": "soon"}`,
		"duplicate key": `{"keys": [{"name": "a", "query": "x"}, {"name": "a", "query": "y"}]}`,
		"not json":      `keys: [a]`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
			require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
			var out bytes.Buffer
			assert.Error(t, run(context.Background(), []string{"-config", path, "-speed", "0"}, &out, &out))
		})
	}
	t.Setenv("REDDIT_CLIENT_ID", "")
	var out bytes.Buffer
	assert.Error(t, run(context.Background(), []string{"-config", filepath.Join(dir, "missing.json")}, &out, &out))
	assert.Error(t, run(context.Background(), []string{"-reddit", "coffee"}, &out, &out), "reddit without credentials")
}
