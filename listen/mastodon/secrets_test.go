package mastodon

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestSecrets: a server that echoes the token and the URL's user info in
// every error answer; neither appears in errors, logs or String.
func TestSecrets(t *testing.T) {
	const tok, pw = "tok-Zk3PqLm8RtYw2Vn5", "pw-Hs7Dx4Nc9Bq1"
	basic := base64.StdEncoding.EncodeToString([]byte("alice:" + pw))
	for _, mode := range []string{"poll", "websocket", "sse"} {
		t.Run(mode, func(t *testing.T) {
			listentest.Secrets(t, func(t *testing.T, status int, logger *slog.Logger) (listen.Source, []string) {
				f := newFake(t)
				f.publish(3)
				f.srv.Config.Handler = listentest.EchoCredentials(f.srv.Config.Handler, status, nil)
				opts := fastOpts(f, WithToken(tok), listen.WithLogger(logger), listen.WithMaxRetryTime(50*time.Millisecond))
				switch mode {
				case "websocket":
					opts = append(opts, WithStream(WebSocket))
				case "sse":
					opts = append(opts, WithStream(SSE))
				}
				src, err := New(strings.Replace(f.srv.URL, "http://", "http://alice:"+pw+"@", 1), Hashtag("golang"), opts...)
				require.NoError(t, err)
				return src, []string{tok, pw, basic}
			})
		})
	}
}

// TestStringHidesUserInfo: String() of a source whose instance URL
// carries user:password shows neither.
func TestStringHidesUserInfo(t *testing.T) {
	src, err := New("https://alice:hunter2-secret@m.example", Local(), WithStreamURL("wss://bob:other-secret@s.example"))
	require.NoError(t, err)
	for _, s := range []string{src.String(), fmt.Sprint(src), fmt.Sprintf("%+v", src)} {
		assert.NotContains(t, s, "hunter2")
		assert.NotContains(t, s, "other-secret")
	}
	assert.Contains(t, src.String(), "m.example")
}
