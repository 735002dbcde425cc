//go:build go1.25

package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/faulttest"
	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/watch"
	"github.com/earshot-dev/earshot/trend/webhook"
)

// Issue 20 item 1: `monitor -webhook` against an endpoint answering 500
// sent 2,655 POSTs for 4 alerts in 10 s, then reported "context
// canceled". Now each alert's retries are spaced and bounded, the drain
// deadline stops the rest, and the report names the 500.
func TestFailingWebhookIsNotFlooded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		posts := 0
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			posts++
			http.Error(w, "internal error", http.StatusInternalServerError)
		})
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		s, err := newSender("https://hooks.example.com/services/T/B/SECRET", log, &http.Client{Transport: faulttest.InProcess{H: h}})
		require.NoError(t, err)
		start := time.Now()
		for i := range 4 {
			s.send(watch.Alert{Alert: trend.Alert{Kind: trend.AlertSpike, Key: "k", Start: start.Add(time.Duration(i) * time.Hour)}})
		}
		sent, dropped, failed := s.close()
		t.Logf("%d POSTs for 4 alerts in %v (fake time)", posts, time.Since(start))
		assert.Equal(t, 0, sent)
		assert.Equal(t, 0, dropped)
		assert.Equal(t, 4, failed)
		assert.LessOrEqual(t, time.Since(start), drainTimeout+time.Second)
		assert.Less(t, posts, 40, "about 7 POSTs per alert in its 5 s, none after the drain deadline")
		// Each failure names the 500, also when the deadline cut its
		// retries short; an alert still queued at the deadline was not
		// sent at all. None reads as a bare "context canceled".
		var we *webhook.Error
		require.ErrorAs(t, s.lastErr, &we)
		causes := regexp.MustCompile(`err="webhook: (status 500 after \d+ attempts|not sent)( \(stopped: context canceled\))?" failed=\d`)
		assert.Len(t, causes.FindAllString(logs.String(), -1), 4, logs.String())
		assert.GreaterOrEqual(t, strings.Count(logs.String(), `err="webhook: status 500 after`), 2)
		assert.Contains(t, logs.String(), "failed=4")
		assert.NotContains(t, logs.String(), "SECRET")
	})
}

// The quick start replays three days of sample posts at the default speed
// in about fifteen seconds: paced, not instant, and not a minute. The
// bubble's fake clock measures the pacing itself, whatever the load.
func TestDefaultSpeedTakesAboutFifteenSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var out bytes.Buffer
		require.NoError(t, run(t.Context(), nil, &out, &out))
		took := time.Since(start)
		t.Logf("default replay took %v of fake time", took)
		assert.Greater(t, took, 10*time.Second, "the default replay is paced, not instant")
		assert.Less(t, took, 20*time.Second)
	})
}
