package webhook_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

var testAlert = trend.Alert{
	Kind: trend.AlertSpike, Key: "acme", Start: t0, Peak: t0.Add(10 * time.Minute),
	Severity: trend.Critical, Score: 0.83, Summary: "12x the usual volume",
	Evidence: []trend.Evidence{{ID: "p1", Text: "acme is down again", At: t0}},
}

const secretPath = "/services/T000/B000/XXXXSECRET"

// slack is a fake incoming webhook: it checks the request like Slack does
// and answers with the scripted statuses, then 200 "ok".
type slack struct {
	script  []func(w http.ResponseWriter)
	calls   atomic.Int32
	payload atomic.Value
}

func (s *slack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.calls.Add(1))
	if r.Method != http.MethodPost || r.URL.Path != secretPath ||
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

func newHook(t *testing.T, h http.Handler, opts ...webhook.Option) (*webhook.Webhook, string) {
	srv := httptest.NewServer(h)
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		client.CloseIdleConnections()
		srv.Close()
	})
	u := srv.URL + secretPath
	w, err := webhook.New(u, append([]webhook.Option{webhook.WithHTTPClient(client), webhook.WithRetryInterval(time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	return w, u
}

func TestRetries(t *testing.T) {
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
		{"400 is final", []func(http.ResponseWriter){status(400, "")}, 1, 400},
		{"Retry-After beyond the retry time gives up", []func(http.ResponseWriter){status(429, "3600")}, 1, 429},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := &slack{script: tc.script}
			w, u := newHook(t, fake, webhook.WithMaxRetryTime(5*time.Second))
			err := w.Send(context.Background(), testAlert) // Retry-After's wait: TestRetryAfterIsWaitedFor
			assert.Equal(t, tc.calls, int(fake.calls.Load()))
			if tc.code == 0 {
				require.NoError(t, err)
				return
			}
			var we *webhook.Error
			require.ErrorAs(t, err, &we)
			assert.Equal(t, tc.code, we.StatusCode)
			assert.Equal(t, tc.calls, we.Attempts)
			assert.Nil(t, we.Err)
			assert.Equal(t, fmt.Sprintf("webhook: status %d after %d attempts", tc.code, tc.calls), err.Error())
			assert.NotContains(t, err.Error(), "SECRET")
			assert.NotContains(t, err.Error(), u)
		})
	}
}

func TestNetworkErrorHidesURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + secretPath
	srv.Close() // nothing listens any more
	w, err := webhook.New(u, webhook.WithMaxRetryTime(50*time.Millisecond), webhook.WithRetryInterval(5*time.Millisecond),
		webhook.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}))
	require.NoError(t, err)
	err = w.Send(context.Background(), testAlert)
	var we *webhook.Error
	require.ErrorAs(t, err, &we)
	assert.Zero(t, we.StatusCode)
	assert.Contains(t, we.Cause, "connection refused")
	assert.GreaterOrEqual(t, we.Attempts, 2)
	assert.NotContains(t, err.Error(), "SECRET")
	assert.NotContains(t, w.String(), "SECRET")
	assert.NotContains(t, fmt.Sprint(w), "SECRET")
	assert.NotContains(t, fmt.Sprintf("%+v", *w), "SECRET")
}

func TestPayload(t *testing.T) {
	fake := &slack{}
	w, _ := newHook(t, fake, webhook.WithBlocks())
	require.NoError(t, w.Send(context.Background(), testAlert))
	m := fake.payload.Load().(map[string]any)
	assert.Equal(t, testAlert.String(), m["text"])
	blocks, ok := m["blocks"].([]any)
	require.True(t, ok)
	require.Len(t, blocks, 3)
	first := blocks[0].(map[string]any)
	assert.Equal(t, "section", first["type"])
	assert.Contains(t, first["text"].(map[string]any)["text"], "CRITICAL spike")

	ended := testAlert
	ended.End = t0.Add(time.Hour)
	b, err := w.Payload(ended)
	require.NoError(t, err)
	assert.Contains(t, string(b), "ended 2026-03-02T01:00:00Z")

	plain, _ := newHook(t, &slack{})
	b, err = plain.Payload(testAlert)
	require.NoError(t, err)
	assert.JSONEq(t, fmt.Sprintf(`{"text": %q}`, testAlert.String()), string(b))
}

func TestNewRejects(t *testing.T) {
	for _, u := range []string{"", "ftp://x/y", "hooks.slack.com/services/x", "http://"} {
		_, err := webhook.New(u)
		assert.Error(t, err, u)
	}
	for _, o := range []webhook.Option{webhook.WithMaxRetryTime(-time.Second), webhook.WithRetryInterval(-1), webhook.WithFormat(nil)} {
		_, err := webhook.New("https://hooks.example.com/x", o)
		assert.Error(t, err)
	}
}

// Every POST the server receives is an attempt the webhook counted: when
// a reused keep-alive connection is cut after the server read the
// request (an ambiguous failure), net/http must not replay the POST by
// itself (it would with an Idempotency-Key; issue 24's trap). The retry
// that follows is the webhook's own, counted and logged.
func TestNoTransportReplay(t *testing.T) {
	var got atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					if got.Add(1) == 2 {
						return // the second request, on the reused connection: cut
					}
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			}(c)
		}
	}()
	defer func() { ln.Close(); <-done }()

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	w, err := webhook.New("http://"+ln.Addr().String()+secretPath,
		webhook.WithHTTPClient(client), webhook.WithRetryInterval(time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, w.Send(context.Background(), testAlert)) // opens the connection
	err = w.Send(context.Background(), testAlert)               // cut, then retried by the webhook
	require.NoError(t, err)
	assert.Equal(t, int32(3), got.Load(), "one POST, then one cut and one retry: no hidden replay")
}

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Text string }
		_ = json.NewDecoder(r.Body).Decode(&m)
		fmt.Println("posted:", m.Text)
	}))
	defer srv.Close()
	hook, err := webhook.New(srv.URL + "/services/T000/B000/XXXX")
	if err != nil {
		fmt.Println(err)
		return
	}
	a := trend.Alert{Kind: trend.AlertSpike, Key: "acme", Severity: trend.Warning, Score: 0.6,
		Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Summary: "4x the usual volume"}
	sink := trend.StartsAndEnds(hook, 100) // an episode is posted when it opens and when it ends
	_ = sink.Send(context.Background(), a)
	_ = sink.Send(context.Background(), a) // a repeat: not posted
	a.End = a.Start.Add(90 * time.Minute)
	_ = sink.Send(context.Background(), a)
	fmt.Println(hook)
	// Output:
	// posted: warning spike "acme" since 2026-03-02T09:00:00Z score 0.60: 4x the usual volume
	// posted: warning spike "acme" from 2026-03-02T09:00:00Z, ended 2026-03-02T10:30:00Z, score 0.60: 4x the usual volume
	// webhook.Webhook([REDACTED])
}
