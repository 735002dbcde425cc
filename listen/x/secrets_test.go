package x

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestSecrets: a server echoing the bearer token in every error: it
// appears in no error, log or String of Search or Stream.
func TestSecrets(t *testing.T) {
	for _, kind := range []string{"search", "stream"} {
		t.Run(kind, func(t *testing.T) {
			listentest.Secrets(t, func(t *testing.T, status int, logger *slog.Logger) (listen.Source, []string) {
				f := newFakeX(t, 5)
				f.Config.Handler = listentest.EchoCredentials(f.Config.Handler, status, nil)
				opts := append(onePass(f.URL), listen.WithLogger(logger), listen.WithMaxRetryTime(50*time.Millisecond), WithBackfill("#golang"))
				var src listen.Source
				var err error
				if kind == "search" {
					src, err = NewSearch(token, "#golang", opts...)
				} else {
					src, err = NewStream(token, opts...)
				}
				require.NoError(t, err)
				return src, []string{token}
			})
		})
	}
}

// TestStringHidesUserInfo: String() of a Stream whose base URL carries
// user:password shows neither (it printed the URL as given).
func TestStringHidesUserInfo(t *testing.T) {
	src, err := NewStream(token, WithBaseURL("https://proxy-user:proxy-secret-77@api.example"))
	require.NoError(t, err)
	for _, s := range []string{src.String(), fmt.Sprint(src), fmt.Sprintf("%+v", src)} {
		assert.NotContains(t, s, "proxy-secret-77")
		assert.NotContains(t, s, token[:20])
	}
}
