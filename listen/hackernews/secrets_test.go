package hackernews

import (
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestSecrets: a mirror reached with user:password in its base URL,
// echoing the Basic credentials in every error: the password appears in
// no error, log or String.
func TestSecrets(t *testing.T) {
	const pw = "mirror-pw-Tz83Kq"
	basic := base64.StdEncoding.EncodeToString([]byte("hn:" + pw))
	for _, kind := range []string{"search", "items"} {
		t.Run(kind, func(t *testing.T) {
			listentest.Secrets(t, func(t *testing.T, status int, logger *slog.Logger) (listen.Source, []string) {
				f := newFake(t)
				f.srv.Config.Handler = listentest.EchoCredentials(f.srv.Config.Handler, status, nil)
				base := strings.Replace(f.srv.URL, "http://", "http://hn:"+pw+"@", 1)
				opts := []listen.Option{listen.WithHTTPClient(f.srv.Client()), listen.WithLogger(logger), listen.WithRetryBackoff(time.Millisecond, 4*time.Millisecond),
					listen.WithMaxRetryTime(50 * time.Millisecond)}
				var src listen.Source
				var err error
				if kind == "search" {
					src, err = New("golang", append(opts, WithBaseURL(base+"/api/v1"))...)
				} else {
					src, err = NewItems(append(opts, WithBaseURL(base+"/v0"))...)
				}
				require.NoError(t, err)
				return src, []string{pw, basic}
			})
		})
	}
}
