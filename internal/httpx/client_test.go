package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fast is a retry policy for tests: tiny backoff.
var fast = Retry{Initial: time.Millisecond, Max: 5 * time.Millisecond, MaxElapsed: 5 * time.Second}

func newClient(srv *httptest.Server, ctr *counts) *Client {
	c := &Client{Platform: "test", HTTP: srv.Client(), UserAgent: "earshot-test/1", Retry: fast}
	if ctr != nil {
		c.Counters = ctr
	}
	return c
}

// get sends a GET with c. The context is a hang guard only, far beyond
// any retry budget here; its expiry fails the test.
func get(t *testing.T, c *Client, url string) (*Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	resp, err := c.Do(ctx, req)
	require.NoError(t, ctx.Err(), "hang guard: no result within two minutes")
	return resp, err
}

// script serves the responses in order, then repeats the last one.
func script(t *testing.T, steps ...func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	h, n := scripted(steps...)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, n
}

// scripted is script's handler, for in-process use; n counts requests.
func scripted(steps ...func(w http.ResponseWriter, r *http.Request)) (h http.Handler, n *atomic.Int32) {
	n = new(atomic.Int32)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(steps) {
			i = len(steps) - 1
		}
		steps[i](w, r)
	}), n
}

func status(code int, hdr map[string]string, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func TestServerErrorBurst(t *testing.T) {
	srv, n := script(t,
		status(502, nil, "<html>bad gateway</html>"),
		status(503, nil, `{"error":"maintenance"}`),
		status(500, nil, ""),
		status(504, nil, ""),
		status(200, nil, `ok`),
	)
	var ctr counts
	resp, err := get(t, newClient(srv, &ctr), srv.URL)
	require.NoError(t, err)
	assert.Equal(t, "ok", string(resp.Body))
	assert.Equal(t, int32(5), n.Load())
	assert.Equal(t, int64(4), ctr.retries.Load())
}

func TestServerErrorGivesUp(t *testing.T) {
	srv, n := script(t, status(503, nil, `{"error":"maintenance"}`))
	c := newClient(srv, nil)
	c.Retry.MaxAttempts = 3
	_, err := get(t, c, srv.URL)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 503, he.StatusCode)
	assert.Equal(t, "maintenance", he.Message)
	assert.Equal(t, int32(3), n.Load())
}

func TestRateLimitBeyondMaxElapsed(t *testing.T) {
	srv, n := script(t, status(429, map[string]string{"Retry-After": "3600"}, `{"error":"rate limit reached"}`))
	_, err := get(t, newClient(srv, nil), srv.URL)
	var rle *RateLimitError
	require.ErrorAs(t, err, &rle)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, time.Hour, rle.RetryAfter)
	assert.Equal(t, "test", rle.Platform)
	assert.Equal(t, int32(1), n.Load(), "a wait past MaxElapsed is not slept")
}

func TestAuthNotRetried(t *testing.T) {
	for _, code := range []int{401, 403} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			srv, n := script(t, status(code, nil, `{"error":"The access token is invalid"}`))
			c := newClient(srv, nil)
			_, err := get(t, c, srv.URL+"/api?access_token=sekrit-token")
			require.ErrorIs(t, err, ErrAuth)
			assert.Equal(t, int32(1), n.Load())
			assert.Contains(t, err.Error(), "The access token is invalid")
		})
	}
}

func TestNotFound(t *testing.T) {
	srv, n := script(t, status(404, nil, `{"error":"Record not found"}`))
	_, err := get(t, newClient(srv, nil), srv.URL)
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, int32(1), n.Load())
}

func TestNotModifiedIsSuccess(t *testing.T) {
	srv, _ := script(t, status(304, nil, ""))
	resp, err := get(t, newClient(srv, nil), srv.URL)
	require.NoError(t, err)
	assert.Equal(t, 304, resp.StatusCode)
}

func TestHugeBody(t *testing.T) {
	srv, n := script(t, func(w http.ResponseWriter, _ *http.Request) {
		chunk := strings.Repeat("x", 64<<10)
		for i := 0; i < 20; i++ { // 1.25 MB
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	})
	c := newClient(srv, nil)
	c.MaxBody = 1 << 20
	_, err := get(t, c, srv.URL)
	var tl *TooLargeError
	require.ErrorAs(t, err, &tl)
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, int64(1<<20), tl.Limit)
	assert.Equal(t, int32(1), n.Load(), "too large is permanent")
}

func TestBodyExactlyAtLimit(t *testing.T) {
	srv, _ := script(t, status(200, nil, strings.Repeat("y", 1000)))
	c := newClient(srv, nil)
	c.MaxBody = 1000
	resp, err := get(t, c, srv.URL)
	require.NoError(t, err)
	assert.Len(t, resp.Body, 1000)
}

func TestSlowServer(t *testing.T) {
	release := make(chan struct{})
	srv, n := script(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := newClient(srv, nil)
	c.RequestTimeout = 50 * time.Millisecond
	c.Retry.MaxAttempts = 2
	_, err := get(t, c, srv.URL+"/x?access_token=abcdef123")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no response within 50ms")
	assert.NotContains(t, err.Error(), "abcdef123")
	assert.Equal(t, int32(2), n.Load())
}

func TestSlowBodyTimesOut(t *testing.T) {
	srv, n := script(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "[")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	c := newClient(srv, nil)
	c.RequestTimeout = 50 * time.Millisecond
	c.Retry.MaxAttempts = 2
	_, err := get(t, c, srv.URL)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "body not complete")
	assert.Equal(t, int32(2), n.Load())
}

func TestCancelledBeforeStart(t *testing.T) {
	srv, n := script(t, status(200, nil, "ok"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	_, err := newClient(srv, nil).Do(ctx, req)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int32(0), n.Load())
}

func TestNetworkErrorRedacted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := &Client{Platform: "test", Retry: Retry{Initial: time.Millisecond, MaxAttempts: 2}, Secrets: []Secret{"tok-very-secret"}}
	req, _ := http.NewRequest(http.MethodGet, url+"/api/v1/streaming?access_token=tok-very-secret&stream=public", nil)
	_, err := c.Do(context.Background(), req)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "tok-very-secret")
	assert.Contains(t, err.Error(), "access_token=REDACTED")
	assert.True(t, strings.HasPrefix(err.Error(), "test: GET "), err.Error())
	defaultClient.CloseIdleConnections()
}

func TestSecretInBodyRedacted(t *testing.T) {
	srv, _ := script(t, status(400, nil, `{"error":"bad token tok-very-secret"}`))
	c := newClient(srv, nil)
	c.Secrets = []Secret{"tok-very-secret"}
	_, err := get(t, c, srv.URL)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "tok-very-secret")
	assert.Contains(t, err.Error(), "[REDACTED]")
}

func TestUserAgentAndPostBodyReplayed(t *testing.T) {
	var bodies []string
	var uas []string
	srv, _ := script(t,
		func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			bodies, uas = append(bodies, string(b)), append(uas, r.UserAgent())
			w.WriteHeader(502)
		},
		func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			bodies, uas = append(bodies, string(b)), append(uas, r.UserAgent())
			io.WriteString(w, "ok")
		})
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("grant_type=client_credentials"))
	_, err := newClient(srv, nil).Do(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, []string{"grant_type=client_credentials", "grant_type=client_credentials"}, bodies)
	assert.Equal(t, []string{"earshot-test/1", "earshot-test/1"}, uas)
}

func TestLimiterSlowedByHeaders(t *testing.T) {
	reset := time.Now().Add(100 * time.Second).UTC().Format(time.RFC3339Nano)
	srv, _ := script(t, status(200, map[string]string{"X-RateLimit-Remaining": "9", "X-RateLimit-Reset": reset}, ""))
	c := newClient(srv, nil)
	c.RateLimit = ParseMastodon
	c.Limiter = rate.NewLimiter(100, 1)
	_, err := get(t, c, srv.URL)
	require.NoError(t, err)
	assert.InDelta(t, 0.1, float64(c.Limiter.Limit()), 0.01, "10 requests over 100 s")
}

func TestOpenStreamAndStall(t *testing.T) {
	srv, _ := script(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, ":)\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	// A hang guard: the stream lives on ctx, so its expiry would end the
	// read with ctx's error, not ErrStalled. The exact idle wait is
	// asserted in fake time by TestIdleReaderWaitsExactlyIdle.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := newClient(srv, nil).Open(ctx, req)
	require.NoError(t, err)
	body := IdleReader(resp.Body, "test", 80*time.Millisecond)
	defer body.Close()
	buf := make([]byte, 16)
	n, err := body.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, ":)\n", string(buf[:n]))
	_, err = io.ReadAll(body)
	assert.ErrorIs(t, err, ErrStalled)
	var se *StallError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 80*time.Millisecond, se.Idle)
}

func TestOpenErrorStatus(t *testing.T) {
	srv, _ := script(t, status(404, nil, `{"error":"Unknown channel requested"}`))
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	_, err := newClient(srv, nil).Open(context.Background(), req)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestBackoffGivesUp(t *testing.T) {
	b := NewBackoff(Retry{Initial: time.Millisecond, Max: 2 * time.Millisecond, MaxAttempts: 3})
	_, ok := b.Next()
	assert.True(t, ok)
	_, ok = b.Next()
	assert.True(t, ok)
	_, ok = b.Next()
	assert.False(t, ok)
	b.Reset()
	d, ok := b.Next()
	assert.True(t, ok)
	assert.LessOrEqual(t, d, 3*time.Millisecond)
}

func TestSecretPrinting(t *testing.T) {
	s := Secret("hunter2hunter2")
	cfg := struct{ Token Secret }{s}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(f, cfg), "hunter2", f)
	}
	assert.Equal(t, "hunter2hunter2", string(s))
}

func TestRedactURL(t *testing.T) {
	cases := map[string]string{
		"https://h/api?access_token=abc&stream=public":    "https://h/api?access_token=REDACTED&stream=public",
		"https://user:pw@h/x":                             "https://REDACTED@h/x",
		"https://h/x?q=golang":                            "https://h/x?q=golang",
		"https://h/x?client_secret=s&refresh_token=r&a=1": "https://h/x?a=1&client_secret=REDACTED&refresh_token=REDACTED",
	}
	for in, want := range cases {
		assert.Equal(t, want, RedactURLString(in), in)
	}
}

func TestErrorMessage(t *testing.T) {
	assert.Equal(t, "Too many requests", ErrorMessage([]byte(`{"error":"Too many requests"}`)))
	assert.Equal(t, "RateLimitExceeded: Rate Limit Exceeded", ErrorMessage([]byte(`{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`)))
	assert.Equal(t, "Unauthorized", ErrorMessage([]byte(`{"message":"Unauthorized","error":401}`)))
	assert.Equal(t, "", ErrorMessage([]byte(`<html><body>nope</body></html>`)))
	assert.Equal(t, "OK", ErrorMessage([]byte("OK\nmore")))
	long := ErrorMessage([]byte(`{"error":"` + strings.Repeat("é", 300) + `"}`))
	assert.LessOrEqual(t, len(long), 204)
	assert.True(t, strings.HasSuffix(long, "…"))
}

func TestIsRetryable(t *testing.T) {
	assert.True(t, IsRetryable(&HTTPError{StatusCode: 503}))
	assert.False(t, IsRetryable(&HTTPError{StatusCode: 401}))
	assert.True(t, IsRetryable(&RateLimitError{}))
	assert.False(t, IsRetryable(&TooLargeError{}))
	assert.True(t, IsRetryable(&NetworkError{Err: errors.New("connection reset")}))
	assert.False(t, IsRetryable(&NetworkError{Err: errors.New("no such host"), Permanent: true}))
	assert.False(t, IsRetryable(errors.New("some error nobody marked")))
	assert.True(t, IsRetryable(Again(errors.New("garbled page"), 0)))
	assert.True(t, IsRetryable(&StallError{}))
}

// counts is a Counter for tests.
type counts struct{ retries, pauses atomic.Int64 }

func (c *counts) Retry() { c.retries.Add(1) }
func (c *counts) Pause() { c.pauses.Add(1) }
