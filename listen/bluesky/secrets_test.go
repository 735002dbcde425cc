package bluesky

import (
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestSecrets: a PDS echoing the credentials in every error: the app
// password (in createSession's body), the access and refresh tokens it
// issued (in searchPosts and refreshSession) appear in no error, log or
// String. So does the user info of a Jetstream URL.
func TestSecrets(t *testing.T) {
	for name, failing := range map[string]func(*http.Request) bool{
		"login":   func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "createSession") },
		"search":  func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "searchPosts") },
		"refresh": func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "refreshSession") },
	} {
		t.Run(name, func(t *testing.T) {
			listentest.Secrets(t, func(t *testing.T, status int, logger *slog.Logger) (listen.Source, []string) {
				f := newFakeXRPC(t)
				f.mu.Lock()
				f.publish()
				if name == "refresh" {
					f.ttl = 0 // every access token expires: the source refreshes
				}
				f.mu.Unlock()
				f.Config.Handler = listentest.EchoCredentials(f.Config.Handler, status, failing)
				src, err := NewSearch(f.URL, "golang", append(onePass(), listen.WithLogger(logger), listen.WithMaxRetryTime(50*time.Millisecond))...)
				require.NoError(t, err)
				return src, []string{testPassword, "eyJhbGciOi.access1.sig", "eyJhbGciOi.refresh1.sig", "eyJhbGciOi.access2.sig"}
			})
		})
	}
	t.Run("jetstream", func(t *testing.T) {
		const pw = "js-pass-Wq82Lz"
		basic := base64.StdEncoding.EncodeToString([]byte("relay:" + pw))
		listentest.Secrets(t, func(t *testing.T, status int, logger *slog.Logger) (listen.Source, []string) {
			f := newFakeJetstream(t, genEvents(5, 1), false)
			f.Config.Handler = listentest.EchoCredentials(f.Config.Handler, status, nil)
			u := strings.Replace(f.wsURL(), "ws://", "ws://relay:"+pw+"@", 1)
			src, err := NewJetstream(u, append(fast(), listen.WithLogger(logger), listen.WithMaxRetryTime(50*time.Millisecond))...)
			require.NoError(t, err)
			return src, []string{pw, basic}
		})
	})
}
