package natsjs

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/earshot-dev/earshot/listen"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testServer is an in-process NATS server with JetStream on file storage
// in a temporary directory; it can be stopped and started again on the
// same port and directory.
type testServer struct {
	t         testing.TB
	dir       string
	port      int
	srv       *server.Server
	inProcess bool // connect in-process rather than over TCP loopback
}

// newStream starts a server, connects to it and creates the posts stream
// with opts; ctx ends after timeout or with the test.
func newStream(t testing.TB, timeout time.Duration, opts ...Option) (*testServer, jetstream.JetStream, context.Context) {
	t.Helper()
	ts := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	_, js := ts.connect(t)
	if err := EnsureStream(ctx, js, opts...); err != nil {
		t.Fatal(err)
	}
	return ts, js, ctx
}

func startServer(t testing.TB) *testServer {
	t.Helper()
	ts := &testServer{t: t, dir: t.TempDir(), port: -1}
	ts.start()
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) start() {
	ts.t.Helper()
	opts := &server.Options{
		Host: "127.0.0.1", Port: ts.port, JetStream: true, StoreDir: ts.dir,
		NoLog: true, NoSigs: true, ServerName: "earshot-test",
	}
	srv, err := server.NewServer(opts)
	require.NoError(ts.t, err)
	srv.Start()
	require.True(ts.t, srv.ReadyForConnections(10*time.Second), "server not ready")
	ts.srv = srv
	ts.port = srv.Addr().(*net.TCPAddr).Port
}

func (ts *testServer) stop() {
	if ts.srv != nil {
		ts.srv.Shutdown()
		ts.srv.WaitForShutdown()
		ts.srv = nil
	}
}

func (ts *testServer) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", ts.port) }

// connect returns a connection that reconnects for ever, and its JetStream
// handle; both are closed when the test ends.
func (ts *testServer) connect(t testing.TB) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	opts := []nats.Option{nats.MaxReconnects(-1), nats.ReconnectWait(50 * time.Millisecond),
		nats.ReconnectBufSize(64 << 20), nats.Timeout(10 * time.Second)}
	if ts.inProcess {
		opts = append(opts, nats.InProcessServer(ts.srv))
	}
	nc, err := nats.Connect(ts.url(), opts...)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(5*time.Second))
	require.NoError(t, err)
	return nc, js
}

// testPosts returns n distinct posts from two platforms spread over ten
// minutes, with hashtags: a steady background and #launch rising in the
// last quarter.
func testPosts(n int) []listen.Post {
	base := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	out := make([]listen.Post, n)
	for i := range out {
		platform := "mastodon"
		if i%3 == 0 {
			platform = "bluesky"
		}
		text := fmt.Sprintf("post %d #topic%d", i, i%7)
		if i > n*3/4 && i%2 == 0 {
			text += " #launch"
		}
		out[i] = listen.Post{
			Platform: platform, ID: fmt.Sprint(i), Text: text,
			Created: base.Add(time.Duration(i) * (10 * time.Minute) / time.Duration(n)),
			Author:  listen.Author{Handle: fmt.Sprintf("user%d", i%13)},
		}
	}
	return out
}
