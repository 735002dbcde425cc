package reddit

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestPoison: a post whose score is not a number used to fail the whole
// listing; now it is skipped and reported, the rest delivered.
func TestPoison(t *testing.T) {
	listentest.Poison(t, 2, "t3_bad", func(t *testing.T, logger *slog.Logger, onSkip func(*listen.DecodeError)) listen.Source {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v1/access_token" {
				io.WriteString(w, `{"access_token":"tok-abcdefgh","token_type":"bearer","expires_in":86400}`)
				return
			}
			io.WriteString(w, `{"kind":"Listing","data":{"after":null,"children":[
				{"kind":"t3","data":{"id":"b","name":"t3_b","title":"b","created_utc":1795343002}},
				{"kind":"t3","data":{"id":"bad","name":"t3_bad","title":"bad","score":"lots","created_utc":1795343001}},
				{"kind":"t3","data":{"id":"a","name":"t3_a","title":"a","created_utc":1795343000}}]}}`)
		}))
		t.Cleanup(srv.Close)
		src, err := New("cid", "csecret", testUA, Posts("golang"), WithBaseURLs(srv.URL, srv.URL), listen.WithHTTPClient(srv.Client()),
			listen.WithLimiter(rate.NewLimiter(rate.Inf, 1)), listen.WithLogger(logger), listen.WithOnSkip(onSkip))
		require.NoError(t, err)
		return src
	})
}
