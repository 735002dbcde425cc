package publish

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cutReused serves requests on real sockets and cuts, after reading it,
// every request that arrives on a reused connection; it counts the
// requests that reached it.
type cutReused struct {
	mu   sync.Mutex
	seen int
}

type connCount struct{}

func (c *cutReused) start(t *testing.T) *httptest.Server {
	srv := httptest.NewUnstartedServer(c)
	srv.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, connCount{}, new(int))
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func (c *cutReused) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.seen++
	c.mu.Unlock()
	n := r.Context().Value(connCount{}).(*int)
	if *n++; *n == 1 {
		w.Write([]byte("ok"))
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// TestSendOnceNoReplay reproduces net/http's replay of a request cut on a
// reused connection (a POST with an idempotency key, with or without a
// body) and checks that sendOnce stops it, for the default client and a
// host's own client.
func TestSendOnceNoReplay(t *testing.T) {
	cases := []struct {
		name, method, header, body string
	}{
		{"POST body Idempotency-Key", http.MethodPost, "Idempotency-Key", `{"status":"hens"}`},
		{"POST no body Idempotency-Key", http.MethodPost, "Idempotency-Key", ""},
		{"POST body X-Idempotency-Key", http.MethodPost, "X-Idempotency-Key", `{"status":"hens"}`},
		{"PUT body Idempotency-Key", http.MethodPut, "Idempotency-Key", `{"status":"hens"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, wrap := range []bool{false, true} {
				c := &cutReused{}
				srv := c.start(t)
				tr := &http.Transport{}
				defer tr.CloseIdleConnections()
				client := &http.Client{Transport: tr}
				if wrap {
					client = sendOnce(client)
				}
				resp, err := client.Get(srv.URL) // opens the connection to reuse
				require.NoError(t, err)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				req, err := http.NewRequest(tc.method, srv.URL, strings.NewReader(tc.body))
				require.NoError(t, err)
				if tc.body == "" {
					req, err = http.NewRequest(tc.method, srv.URL, nil)
					require.NoError(t, err)
				}
				req.Header.Set(tc.header, "earshot/t/1")
				resp, err = client.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				c.mu.Lock()
				seen := c.seen - 1
				c.mu.Unlock()
				if wrap {
					assert.Error(t, err, "sendOnce: the caller sees the cut")
					assert.Equal(t, 1, seen, "sendOnce: the request reached the server once")
				} else {
					assert.NoError(t, err, "net/http alone hides the cut")
					assert.Equal(t, 2, seen, "net/http alone replays it (if not, this test no longer shows the trap)")
				}
			}
		})
	}
	// The host's client is copied, not changed.
	host := &http.Client{Timeout: time.Minute}
	c := sendOnce(host)
	assert.Nil(t, host.Transport)
	assert.Equal(t, time.Minute, c.Timeout)
	assert.IsType(t, onceTransport{}, c.Transport)
}

// TestUnconnected: only errors that prove no connection was made count as
// "not sent".
func TestUnconnected(t *testing.T) {
	get := func(c *http.Client, url string) error {
		resp, err := c.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body) // so that the connection is reused
			resp.Body.Close()
		}
		return err
	}
	// Connection refused: a port nobody listens on any more.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	err = get(&http.Client{Transport: tr}, "http://"+addr+"/")
	require.Error(t, err)
	assert.True(t, unconnected(err), "refused: %v", err)

	// A name that does not resolve (the resolver's answer, simulated).
	dns := &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "pds.invalid", IsNotFound: true}}
	}}
	err = get(&http.Client{Transport: dns}, "http://pds.invalid/")
	assert.True(t, unconnected(err), "dns: %v", err)
	assert.True(t, unconnected(&net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}))

	// A certificate the client does not trust.
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the request reached the handler")
	}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake error is expected
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	err = get(&http.Client{Transport: tr}, tlsSrv.URL)
	require.Error(t, err)
	assert.True(t, unconnected(err), "tls: %v", err)

	// After a connection: a cut, a timeout waiting for the answer, a
	// context ended: the request may have arrived.
	c := &cutReused{}
	srv := c.start(t)
	client := &http.Client{Transport: tr}
	require.NoError(t, get(client, srv.URL))
	resp, err := client.Post(srv.URL, "application/json", strings.NewReader("{}")) // not replayable
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	assert.False(t, unconnected(err), "cut: %v", err)
	assert.False(t, unconnected(context.DeadlineExceeded))
	assert.False(t, unconnected(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}))
	assert.False(t, unconnected(errors.New("dial tcp: connection refused")), "a message is no proof")
}
