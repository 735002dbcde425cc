package mastodon

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
)

// TestUnknownHashtagKeepsPolling: GoToSocial answers 404 "tag was not
// found, or not useable/listable" for a hashtag no status has used yet
// (Mastodon answers []). That ended the source with a final error; now it
// is an empty timeline, logged once, and the first status with the tag
// arrives (issue 24 item 2).
func TestUnknownHashtagKeepsPolling(t *testing.T) {
	f := newFake(t)
	f.gts = true // the GoToSocial dialect, with its 404 for unknown tags
	var logs bytes.Buffer
	src, err := New(f.srv.URL, Hashtag("golang"), fastOpts(f, listen.Follow(),
		listen.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		for f.requestCount() < 5 { // several polls meet the 404 first
			time.Sleep(time.Millisecond)
		}
		f.publish(2)
	}()
	got, _, err := collect(t, src, ctx, func(got map[string]int) bool { return len(got) == 2 })
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.Equal(t, 1, strings.Count(logs.String(), "does not know the hashtag"), "logged once:\n%s", logs.String())
}

// TestWrongSchemeIsFinalAtOnce: an https:// instance URL pointing at a
// plain-HTTP server (or a certificate that does not verify) is final at
// first attempt with ErrUnreachable, for polling and for the WebSocket.
func TestWrongSchemeIsFinalAtOnce(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	for _, u := range []string{strings.Replace(plain.URL, "http://", "https://", 1), tlsSrv.URL} {
		for _, opts := range [][]listen.Option{nil, {WithStream(WebSocket), WithToken("tok-123456")}} {
			client := &http.Client{Transport: &http.Transport{}}
			src, err := New(u, Public(), append(opts, listen.WithHTTPClient(client), listen.Follow())...)
			require.NoError(t, err)
			// A hang guard, far beyond any retry budget: "at once" is
			// asserted by the zero retries, not by the clock.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			var errs []error
			for _, err := range src.Posts(ctx) {
				errs = append(errs, err)
			}
			client.CloseIdleConnections()
			require.NoError(t, ctx.Err(), "the source ended by itself")
			cancel()
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], listen.ErrUnreachable, "%v", errs[0])
			assert.Zero(t, src.Stats().Retries, "final at the first attempt")
		}
	}
}
