package publish_test

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/story/publish"
)

// countingClient dials through dial and counts the dials.
func countingClient(dial func(ctx context.Context, network, addr string) (net.Conn, error)) (*http.Client, *atomic.Int32) {
	var n atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		n.Add(1)
		return dial(ctx, network, addr)
	}}
	return &http.Client{Transport: tr}, &n
}

func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestNotSentFailsFast (issue 20 item 3): a connection that cannot be
// made proves that nothing was posted. Publish reports ErrNotSent after one
// dial, without a look-up and without retries (it used to retry the
// look-up for WithMaxRetryTime and then report ErrUnconfirmed), and the
// next Publish sends the part without looking first.
func TestNotSentFailsFast(t *testing.T) {
	var d net.Dialer
	dials := map[string]func(ctx context.Context, network, addr string) (net.Conn, error){
		"refused": func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, closedPort(t))
		},
		"dns": func(_ context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		},
	}
	for _, name := range []string{"mastodon", "bluesky", "x"} {
		for cause, dial := range dials {
			t.Run(name+"/"+cause, func(t *testing.T) {
				f := fakeFor(t, name)
				srv := httptest.NewServer(f.h)
				defer srv.Close()
				client, n := countingClient(dial)
				store := &story.MemoryStore{}
				opts := []publish.Option{publish.WithHTTPClient(client), publish.WithStore(store), publish.WithMaxRetryTime(time.Minute)}
				_, err := f.newPub(srv.URL, opts).Publish(context.Background(), thread("down", "T0 P1 hello"))
				require.ErrorIs(t, err, publish.ErrNotSent)
				assert.NotErrorIs(t, err, publish.ErrUnconfirmed)
				assert.ErrorContains(t, err, "cannot connect")
				var pe *publish.PartError
				require.ErrorAs(t, err, &pe)
				assert.Zero(t, pe.Part)
				assert.Equal(t, int32(1), n.Load(), "one dial: no retries, no look-up")

				// The server is back: the part is sent, with no look-up first.
				var reads atomic.Int32
				up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodGet {
						reads.Add(1)
					}
					f.h.ServeHTTP(w, r)
				}))
				defer up.Close()
				sent, err := f.newPub(up.URL, []publish.Option{publish.WithStore(store)}).Publish(context.Background(), thread("down", "T0 P1 hello"))
				require.NoError(t, err)
				require.Len(t, sent, 1)
				assert.Len(t, f.posted(), 1)
				if name == "mastodon" {
					assert.Zero(t, reads.Load(), "a part known not sent is not looked up")
				}
			})
		}
	}
}

// TestNotSentTLS: a certificate the client refuses proves nothing was sent.
func TestNotSentTLS(t *testing.T) {
	f := fakeFor(t, "mastodon")
	var reached atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		f.h.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake error is expected
	srv.StartTLS()
	defer srv.Close()
	_, err := f.newPub(srv.URL, []publish.Option{publish.WithMaxRetryTime(time.Minute)}).Publish(context.Background(), thread("tls", "hello"))
	require.ErrorIs(t, err, publish.ErrNotSent)
	assert.ErrorContains(t, err, "certificate")
	assert.Zero(t, reached.Load())
}

// TestPendingPartUnreachable: a part left pending by an unclear attempt
// cannot be looked up while the server is unreachable: Publish reports
// ErrUnconfirmed at once, never ErrNotSent, and keeps the part pending.
func TestPendingPartUnreachable(t *testing.T) {
	fake := newFakeMastodon(true)
	store := &story.MemoryStore{}
	first := true
	rt := &faultRT{h: fake, plan: func(r *http.Request) fault {
		if isPost(r) && first {
			first = false
			return crashAfter // the server commits, the host dies
		}
		return noFault
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt.crash = cancel
	pub, err := publish.NewMastodon("http://m.test", fake.Token, fast(rt, store)...)
	require.NoError(t, err)
	_, err = pub.Publish(ctx, thread("p", "hello"))
	require.ErrorIs(t, err, context.Canceled) // the part is pending

	client, n := countingClient(func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, closedPort(t))
	})
	down, err := publish.NewMastodon("http://m.test", fake.Token, publish.WithHTTPClient(client), publish.WithStore(store), publish.WithMaxRetryTime(time.Minute))
	require.NoError(t, err)
	_, err = down.Publish(context.Background(), thread("p", "hello"))
	require.ErrorIs(t, err, publish.ErrUnconfirmed)
	assert.NotErrorIs(t, err, publish.ErrNotSent)
	assert.ErrorContains(t, err, "look-up: cannot connect")
	assert.Equal(t, int32(1), n.Load())

	// Back up: the look-up finds the post; nothing is sent twice.
	sent, err := publish.NewMastodon("http://m.test", fake.Token, fast(&faultRT{h: fake}, store)...)
	require.NoError(t, err)
	got, err := sent.Publish(context.Background(), thread("p", "hello"))
	require.NoError(t, err)
	assert.Len(t, got, 1)
	assert.Len(t, fake.posted(), 1)
}

// Rules of a server that cannot be reached: an error at once.
func TestRulesUnreachable(t *testing.T) {
	client, n := countingClient(func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, closedPort(t))
	})
	pub, err := publish.NewMastodon("http://m.test", "token", publish.WithHTTPClient(client), publish.WithMaxRetryTime(time.Minute))
	require.NoError(t, err)
	_, err = pub.Rules(context.Background())
	assert.ErrorContains(t, err, "cannot connect")
	assert.Equal(t, int32(1), n.Load())
}
