package reddit

import (
	"encoding/base64"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestSecrets: a server echoing the credentials in every error: the
// client secret (in the Basic header of the token request) and the OAuth
// token it issued (on listing requests) appear in no error, log or
// String.
func TestSecrets(t *testing.T) {
	const id, secret = "client-id-4Tq", "client-secret-Rk29Xw7Lm"
	basic := base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
	for name, failing := range map[string]func(*http.Request) bool{
		"token endpoint": func(r *http.Request) bool { return r.URL.Path == "/api/v1/access_token" },
		"listing":        func(r *http.Request) bool { return r.URL.Path != "/api/v1/access_token" },
	} {
		t.Run(name, func(t *testing.T) {
			listentest.Secrets(t, func(t *testing.T, status int, logger *slog.Logger) (listen.Source, []string) {
				f := newFake(t)
				f.id, f.secret = id, secret
				f.publish(3)
				f.srv.Config.Handler = listentest.EchoCredentials(f.srv.Config.Handler, status, failing)
				src, err := New(id, secret, testUA, Posts("golang"), fast(f, listen.WithLogger(logger), listen.WithMaxRetryTime(50*time.Millisecond))...)
				require.NoError(t, err)
				return src, []string{secret, basic, "tok-1-Zq8RmW3xKp", "tok-2-Zq8RmW3xKp"}
			})
		})
	}
}
