package publish_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/story/publish"
)

// cutServer serves a fake on a real socket and fails the way the proxy of
// issue 24 did: a POST that creates a post and arrives on a reused
// keep-alive connection is committed by the fake, and then the connection
// is closed without an answer. Go's http.Transport replays such a request
// by itself when it looks idempotent (GetBody set and an Idempotency-Key
// header), so a server that ignores the key (GoToSocial) stores it twice.
type cutServer struct {
	h    http.Handler
	plan func(reused bool) proxyFault // for each POST; nil: cut those on reused connections

	mu       sync.Mutex
	cuts     int
	gateways int
	reused   int // POSTs seen on a reused connection
}

type proxyFault int

const (
	forward    proxyFault = iota
	cutAfter              // forwarded, committed, then the connection is closed
	badGateway            // 502 without forwarding
)

type connKey struct{}

// start serves c on a new httptest server whose connections count their
// requests.
func (c *cutServer) start(t *testing.T) *httptest.Server {
	srv := httptest.NewUnstartedServer(c)
	srv.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, new(int))
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func (c *cutServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := r.Context().Value(connKey{}).(*int)
	*n++ // one goroutine serves a connection's requests in turn
	c.mu.Lock()
	fault := forward
	if isPost(r) {
		reused := *n > 1
		if reused {
			c.reused++
		}
		switch {
		case c.plan != nil:
			fault = c.plan(reused)
		case reused:
			fault = cutAfter
		}
		if fault == cutAfter && !reused {
			fault = forward // only a reused connection can be replayed
		}
		switch fault {
		case cutAfter:
			c.cuts++
		case badGateway:
			c.gateways++
		}
	}
	c.mu.Unlock()
	switch fault {
	case forward:
		c.h.ServeHTTP(w, r)
		return
	case badGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
		return
	}
	c.h.ServeHTTP(httptest.NewRecorder(), r) // committed; the answer is lost
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func (c *cutServer) counts() (cuts, gateways, reused int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cuts, c.gateways, c.reused
}

// TestCutReusedConnection: every publisher sends each post request once;
// after a reused connection is cut with the post committed, it is the
// publisher's look-up that finds the post, never a replay by the
// transport. Run with the publisher's default client and with a host's
// own *http.Client.
func TestCutReusedConnection(t *testing.T) {
	const threads, parts = 4, 3
	for _, name := range []string{"mastodon", "gotosocial", "bluesky", "x"} {
		for _, client := range []string{"default", "host"} {
			t.Run(name+"/"+client, func(t *testing.T) {
				f := fakeFor(t, name)
				cs := &cutServer{h: f.h}
				srv := cs.start(t)
				opts := []publish.Option{publish.WithRetryInterval(time.Millisecond), publish.WithMaxRetryTime(5 * time.Second)}
				if client == "host" {
					tr := &http.Transport{}
					defer tr.CloseIdleConnections()
					opts = append(opts, publish.WithHTTPClient(&http.Client{Transport: tr, Timeout: 10 * time.Second}))
				}
				pub := f.newPub(srv.URL, opts)
				for i := 0; i < threads; i++ {
					th := story.Thread{ID: fmt.Sprint("cut-", i)}
					for p := 1; p <= parts; p++ {
						th.Parts = append(th.Parts, story.Part{Text: fmt.Sprintf("T%d P%d the hens, day %d", i, p, i)})
					}
					sent, err := pub.Publish(context.Background(), th)
					require.NoError(t, err)
					require.Len(t, sent, parts)
				}
				cuts, _, _ := cs.counts()
				dups, lost, chain := checkThreads(f.posted(), threads, parts)
				t.Logf("%s, %s client: %d parts, %d cut after commit on a reused connection, %d post requests; duplicates %d, lost %d",
					name, client, threads*parts, cuts, f.posts(), dups, lost)
				assert.GreaterOrEqual(t, cuts, threads*parts-1, "every post after the first rides a reused connection")
				assert.Zero(t, dups, "duplicate posts")
				assert.Zero(t, lost, "lost parts")
				assert.Empty(t, chain)
				assert.Equal(t, threads*parts, f.posts(), "each part sent once: found by the look-up, not sent again")
			})
		}
	}
}

// TestFaultInjectionRealSockets repeats the loopback experiment of issue
// 24 against the fakes: 120 parts per platform over real keep-alive
// connections, 40% of the posts on reused connections cut after the server
// committed them, 10% of all posts answered 502 by the proxy without
// forwarding them, and every failed Publish run again.
func TestFaultInjectionRealSockets(t *testing.T) {
	const threads, parts = 40, 3
	for _, name := range []string{"mastodon", "gotosocial", "bluesky", "x"} {
		t.Run(name, func(t *testing.T) {
			f := fakeFor(t, name)
			rng := rand.New(rand.NewPCG(24, uint64(len(name))))
			cs := &cutServer{h: f.h, plan: func(reused bool) proxyFault {
				switch x := rng.Float64(); {
				case x < 0.1:
					return badGateway
				case x < 0.5 && reused:
					return cutAfter
				}
				return forward
			}}
			srv := cs.start(t)
			pub := f.newPub(srv.URL, []publish.Option{publish.WithRetryInterval(time.Millisecond), publish.WithMaxRetryTime(5 * time.Second)})
			reruns := 0
			for i := 0; i < threads; i++ {
				th := story.Thread{ID: fmt.Sprint("real-", i)}
				for p := 1; p <= parts; p++ {
					th.Parts = append(th.Parts, story.Part{Text: fmt.Sprintf("T%d P%d eggs and hens on day %d", i, p, i)})
				}
				_, err := pub.Publish(context.Background(), th)
				for ; err != nil; reruns++ {
					require.Less(t, reruns, 20, "too many reruns: %v", err)
					_, err = pub.Publish(context.Background(), th)
				}
			}
			cuts, gateways, reused := cs.counts()
			dups, lost, chain := checkThreads(f.posted(), threads, parts)
			t.Logf("%s: %d parts, %d of %d posts on reused connections cut after commit, %d answered 502 unsent, %d reruns; duplicates %d, lost %d",
				name, threads*parts, cuts, reused, gateways, reruns, dups, lost)
			assert.GreaterOrEqual(t, cuts, 30)
			assert.GreaterOrEqual(t, gateways, 5)
			assert.Zero(t, dups, "duplicate posts")
			assert.Zero(t, lost, "lost parts")
			assert.Empty(t, chain)
		})
	}
}
