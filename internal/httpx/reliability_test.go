package httpx

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPermanentNetworkErrorsAreFinal: a name that does not resolve, a
// certificate that does not verify and an HTTP answer to an HTTPS request
// fail at the first attempt with ErrUnreachable (they were retried for
// 15 minutes before).
func TestPermanentNetworkErrorsAreFinal(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	var dials atomic.Int32
	nxdomain := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}
	}}}
	untrusted := &http.Client{Transport: &http.Transport{}} // does not trust the test CA
	cases := []struct {
		name   string
		client *http.Client
		url    string
	}{
		{"dns name not found", nxdomain, "https://api.example.invalid/x"},
		{"tls verification", untrusted, tlsSrv.URL},
		{"http answer to https", untrusted, strings.Replace(plain.URL, "http://", "https://", 1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ctr counts
			c := &Client{Platform: "test", HTTP: tc.client, Retry: fast, Counters: &ctr}
			_, err := get(t, c, tc.url)
			require.ErrorIs(t, err, ErrUnreachable)
			var ne *NetworkError
			require.ErrorAs(t, err, &ne)
			assert.True(t, ne.Permanent)
			assert.Zero(t, ctr.retries.Load(), "final at the first attempt")
			untrusted.CloseIdleConnections()
		})
	}
	assert.Equal(t, int32(1), dials.Load())
}

// TestTransientNetworkErrorIsRetried: a refused connection is not
// permanent; it is retried, and a NetworkError without ErrUnreachable is
// returned when the budget is spent.
func TestTransientNetworkErrorIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	var ctr counts
	c := &Client{Platform: "test", HTTP: &http.Client{Transport: &http.Transport{}}, Retry: Retry{Initial: time.Millisecond, MaxAttempts: 3}, Counters: &ctr}
	_, err := get(t, c, url)
	var ne *NetworkError
	require.ErrorAs(t, err, &ne)
	assert.False(t, ne.Permanent)
	assert.NotErrorIs(t, err, ErrUnreachable)
	assert.Equal(t, int64(2), ctr.retries.Load())
}

// TestSecretRedactedBeforeTruncation: a token that straddles the 200-byte
// cut of the error message must not leave its first part behind.
func TestSecretRedactedBeforeTruncation(t *testing.T) {
	const tok = "tok-0123456789abcdefghij"
	for pad := 180; pad < 200; pad++ {
		srv, _ := script(t, status(400, nil, `{"error":"`+strings.Repeat("x", pad)+tok+`"}`))
		c := newClient(srv, nil)
		c.Secrets = []Secret{tok}
		_, err := get(t, c, srv.URL)
		require.Error(t, err)
		assertNoPiece(t, err.Error(), tok)
	}
}

// TestRegisteredSecretRedacted: a token learnt at run time (a refresh) is
// scrubbed from errors and logs, in its URL-encoded form too.
func TestRegisteredSecretRedacted(t *testing.T) {
	const tok = "fresh/token+0123456789"
	srv, _ := script(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"bad `+r.URL.RawQuery+`"}`)
	})
	var logs bytes.Buffer
	c := newClient(srv, nil)
	c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c.Register(tok)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/x?t="+strings.ReplaceAll(strings.ReplaceAll(tok, "/", "%2F"), "+", "%2B"), nil)
	_, err := c.Do(context.Background(), req)
	require.Error(t, err)
	c.Log(context.Background(), slog.LevelInfo, "seen "+tok, "err", err, "tok", tok)
	assertNoPiece(t, err.Error(), tok)
	assertNoPiece(t, logs.String(), tok)
	assert.Contains(t, logs.String(), "[REDACTED]")
}

// assertNoPiece fails if s holds any 8-byte piece of secret.
func assertNoPiece(t *testing.T, s, secret string) {
	t.Helper()
	for i := 0; i+8 <= len(secret); i++ {
		if strings.Contains(s, secret[i:i+8]) {
			t.Fatalf("%q holds %q, a piece of the secret", s, secret[i:i+8])
		}
	}
}

// TestPostNotReplayedByTransport: net/http re-sends a request with an
// Idempotency-Key (or GetBody) by itself when a reused connection breaks
// after the server read it. A server that committed the POST would then
// have it twice; the client must send it once per attempt.
func TestPostNotReplayedByTransport(t *testing.T) {
	var posts atomic.Int32
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(w, "warm") // leaves a keep-alive connection to reuse
			return
		}
		io.ReadAll(r.Body)
		posts.Add(1)
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		mu.Unlock()
		// Committed; now the connection breaks before the answer.
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer srv.Close()
	c := &Client{Platform: "test", HTTP: srv.Client(), Retry: Retry{MaxAttempts: 1}}
	for _, withBody := range []bool{true, false} {
		posts.Store(0)
		_, err := get(t, c, srv.URL)
		require.NoError(t, err)
		body := io.Reader(strings.NewReader(`{"status":"hello"}`))
		if !withBody {
			body = http.NoBody
		}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/statuses", body)
		req.Header.Set("Idempotency-Key", "story-1/part-2")
		_, err = c.Do(context.Background(), req)
		require.Error(t, err)
		assert.Equal(t, int32(1), posts.Load(), "the transport re-sent the POST (body %v)", withBody)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"story-1/part-2", "story-1/part-2"}, keys, "the header still reaches the server")
}
