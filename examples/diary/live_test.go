package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeMastodon answers POST /api/v1/statuses as a Mastodon server does
// (a Status entity), recording the statuses and idempotency keys.
type fakeMastodon struct {
	mu       sync.Mutex
	statuses []string
	keys     map[string]bool
}

func (f *fakeMastodon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/statuses" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer diary-token" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"The access token is invalid"}`))
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
	f.mu.Lock()
	defer f.mu.Unlock()
	key := r.Header.Get("Idempotency-Key")
	if key == "" || f.keys[key] {
		http.Error(w, `{"error":"duplicate"}`, http.StatusUnprocessableEntity)
		return
	}
	f.keys[key] = true
	f.statuses = append(f.statuses, body.Status)
	id := 1000 + len(f.statuses)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
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
