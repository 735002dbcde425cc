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

// cutPosts serves requests on real sockets: it answers a GET, and reads
// any other request and closes the connection without an answer. It
// counts the requests of the latter kind that reached it.
type cutPosts struct {
	mu   sync.Mutex
	cuts int
}

func (c *cutPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		w.Write([]byte("ok"))
		return
	}
	io.Copy(io.Discard, r.Body)
	c.mu.Lock()
	c.cuts++
	c.mu.Unlock()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func (c *cutPosts) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cuts
}

// TestSendNoReplay reproduces net/http's replay of a request cut on a
// reused connection (a POST with an idempotency key, with or without a
// body) and checks that the publisher's post client sends it once, with
// the default client and with a host's own client. internal/httpx is what
// stops the replay; the probe transport must not undo that.
func TestSendNoReplay(t *testing.T) {
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
			for _, publisher := range []bool{false, true} {
				c := &cutPosts{}
				srv := httptest.NewServer(c)
				defer srv.Close()
				tr := &http.Transport{}
				defer tr.CloseIdleConnections()
				client := &http.Client{Transport: tr}
				do := func(r *http.Request) error {
					resp, err := client.Do(r)
					if err == nil {
						resp.Body.Close()
					}
					return err
				}
				if publisher {
					cfg, err := newConfig([]Option{WithHTTPClient(client)})
					require.NoError(t, err)
					post, _ := cfg.clients("test", nil)
					do = func(r *http.Request) error {
						_, err := post.Do(r.Context(), r)
						return err
					}
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
				assert.Error(t, do(req), "the connection was cut")
				if publisher {
					assert.Equal(t, 1, c.count(), "the publisher's request reached the server once")
				} else {
					// On a fresh connection net/http does not replay.
					assert.Equal(t, 2, c.count(), "net/http alone replays it on a new connection (if not, this test no longer shows the trap)")
				}
			}
		})
	}
	// The host's client is copied, not changed.
	host := &http.Client{Timeout: time.Minute}
	c := probed(host)
	assert.Nil(t, host.Transport)
	assert.Equal(t, time.Minute, c.Timeout)
	assert.IsType(t, probeTransport{}, c.Transport)
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
	srv := httptest.NewServer(&cutPosts{})
	defer srv.Close()
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
