package rss

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

// TestSecrets: a private feed reached with user:password, echoing the
// Basic credentials in every error: the password appears in no error,
// log or String.
func TestSecrets(t *testing.T) {
	const pw = "feed-pw-Lq27Xv"
	basic := base64.StdEncoding.EncodeToString([]byte("reader:" + pw))
	listentest.Secrets(t, func(t *testing.T, status int, logger *slog.Logger) (listen.Source, []string) {
		f := newFakeFeeds(t)
		u := f.add("news", "rss", 5)
		f.Config.Handler = listentest.EchoCredentials(f.Config.Handler, status, nil)
		u = strings.Replace(u, "http://", "http://reader:"+pw+"@", 1)
		src, err := New(URLs(u), listen.WithLogger(logger), listen.WithRetryBackoff(time.Millisecond, 4*time.Millisecond), listen.WithMaxRetryTime(50*time.Millisecond))
		require.NoError(t, err)
		return src, []string{pw, basic}
	})
}
