package trend_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/earshot-dev/earshot/trend"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testAlert = trend.Alert{
	Kind: trend.AlertSpike, Key: "acme", Start: t0, Peak: t0.Add(10 * time.Minute),
	Severity: trend.Critical, Score: 0.83, Summary: "12x the usual volume",
	Evidence: []trend.Evidence{{ID: "p1", Text: "acme is down again", At: t0}},
}

// slack is a fake incoming webhook: it checks the request like Slack does
// and answers with the scripted statuses, then 200 "ok".
type slack struct {
	t       *testing.T
	script  []func(w http.ResponseWriter)
	calls   atomic.Int32
	payload atomic.Value
}

func (s *slack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.calls.Add(1))
	if r.Method != http.MethodPost || r.URL.Path != "/services/T000/B000/XXXXSECRET" ||
		r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "invalid_token", http.StatusForbidden)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m["text"] == "" {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	s.payload.Store(m)
	if n <= len(s.script) {
		s.script[n-1](w)
		return
	}
	_, _ = io.WriteString(w, "ok")
}

func status(code int, retryAfter string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
		fmt.Fprint(w, http.StatusText(code))
	}
}

func newHook(t *testing.T, h http.Handler, opts ...trend.WebhookOption) (*trend.Webhook, string) {
	srv := httptest.NewServer(h)
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		client.CloseIdleConnections()
		srv.Close()
	})
	u := srv.URL + "/services/T000/B000/XXXXSECRET"
	w, err := trend.NewWebhook(u, append([]trend.WebhookOption{trend.WithHTTPClient(client), trend.WithRetryInterval(time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	return w, u
}

func TestWebhookRetries(t *testing.T) {
	cases := []struct {
		name   string
		script []func(http.ResponseWriter)
		calls  int
		code   int // 0: success
	}{
		{"ok", nil, 1, 0},
		{"429 with Retry-After then ok", []func(http.ResponseWriter){status(429, "1")}, 2, 0},
		{"503 then 500 then ok", []func(http.ResponseWriter){status(503, ""), status(500, "")}, 3, 0},
		{"404 is final", []func(http.ResponseWriter){status(404, "")}, 1, 404},
		{"Retry-After beyond the retry time gives up", []func(http.ResponseWriter){status(429, "3600")}, 1, 429},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := &slack{t: t, script: tc.script}
			w, u := newHook(t, fake, trend.WithMaxRetryTime(5*time.Second))
			start := time.Now()
			err := w.Send(context.Background(), testAlert)
			assert.Equal(t, tc.calls, int(fake.calls.Load()))
			if tc.code == 0 {
				require.NoError(t, err)
				if tc.calls == 2 {
					assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After was honoured")
				}
				return
			}
			require.Error(t, err)
			var we *trend.WebhookError
			require.ErrorAs(t, err, &we)
			assert.Equal(t, tc.code, we.StatusCode)
			assert.ErrorIs(t, err, trend.ErrWebhook)
			assert.NotContains(t, err.Error(), "SECRET")
			assert.NotContains(t, err.Error(), u)
		})
	}
}

func TestWebhookNetworkErrorHidesURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/services/T000/B000/XXXXSECRET"
	srv.Close() // nothing listens any more
	w, err := trend.NewWebhook(u, trend.WithMaxRetryTime(50*time.Millisecond), trend.WithRetryInterval(5*time.Millisecond),
		trend.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}))
	require.NoError(t, err)
	err = w.Send(context.Background(), testAlert)
	require.Error(t, err)
	assert.ErrorIs(t, err, trend.ErrWebhook)
	assert.NotContains(t, err.Error(), "SECRET")
	assert.NotContains(t, w.String(), "SECRET")
	assert.NotContains(t, fmt.Sprint(w), "SECRET")
	assert.NotContains(t, fmt.Sprintf("%+v", *w), "SECRET")
}

func TestWebhookContext(t *testing.T) {
	fake := &slack{t: t, script: []func(http.ResponseWriter){status(503, "30")}}
	w, _ := newHook(t, fake, trend.WithMaxRetryTime(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := w.Send(ctx, testAlert)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second, "a cancelled context stops the wait")
}

func TestWebhookPayload(t *testing.T) {
	fake := &slack{t: t}
	w, _ := newHook(t, fake, trend.WithBlocks())
	require.NoError(t, w.Send(context.Background(), testAlert))
	m := fake.payload.Load().(map[string]any)
	assert.Equal(t, testAlert.String(), m["text"])
	blocks, ok := m["blocks"].([]any)
	require.True(t, ok)
	require.Len(t, blocks, 3)
	first := blocks[0].(map[string]any)
	assert.Equal(t, "section", first["type"])
	assert.Contains(t, first["text"].(map[string]any)["text"], "CRITICAL spike")

	plain, _ := newHook(t, &slack{t: t})
	b, err := plain.Payload(testAlert)
	require.NoError(t, err)
	assert.JSONEq(t, fmt.Sprintf(`{"text": %q}`, testAlert.String()), string(b))
}

func TestNewWebhookRejects(t *testing.T) {
	for _, u := range []string{"", "ftp://x/y", "hooks.slack.com/services/x", "http://"} {
		_, err := trend.NewWebhook(u)
		assert.Error(t, err, u)
	}
}

func TestDedupe(t *testing.T) {
	var got []trend.Alert
	sink := trend.Dedupe(trend.SinkFunc(func(_ context.Context, a trend.Alert) error {
		got = append(got, a)
		return nil
	}), 2)
	ctx := context.Background()
	open := testAlert
	grown := open
	grown.Score = 0.9
	closed := grown
	closed.End = t0.Add(time.Hour)
	other := open
	other.Key = "globex"
	for _, a := range []trend.Alert{open, grown, open, closed, closed, grown, other} {
		require.NoError(t, sink.Send(ctx, a))
	}
	require.Len(t, got, 3)
	assert.True(t, got[0].Open())
	assert.False(t, got[1].Open())
	assert.Equal(t, "globex", got[2].Key)

	failing := trend.Dedupe(trend.SinkFunc(func(context.Context, trend.Alert) error { return errors.New("boom") }), 0)
	assert.Error(t, failing.Send(ctx, open))
	assert.Panics(t, func() { trend.Dedupe(nil, 1) })
}

func ExampleSinkFunc() {
	var sink trend.Sink = trend.Dedupe(trend.SinkFunc(func(_ context.Context, a trend.Alert) error {
		fmt.Println(a.Kind, a.Key, a.Open())
		return nil
	}), 100)
	a := trend.Alert{Kind: trend.AlertSpike, Key: "acme", Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	_ = sink.Send(context.Background(), a) // episode opens
	_ = sink.Send(context.Background(), a) // repeat: dropped
	a.End = a.Start.Add(time.Hour)
	_ = sink.Send(context.Background(), a) // episode ends
	// Output:
	// spike acme true
	// spike acme false
}
