package x

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestPoison: a tweet whose id is a number, in a search page and on the
// stream: skipped and reported, the rest delivered.
func TestPoison(t *testing.T) {
	t.Run("search", func(t *testing.T) {
		listentest.Poison(t, 2, "1860000000000000002", func(t *testing.T, logger *slog.Logger, onSkip func(*listen.DecodeError)) listen.Source {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"data":[{"id":"1860000000000000003","text":"c"},{"id":1860000000000000002,"text":"bad"},{"id":"1860000000000000001","text":"a"}],
					"meta":{"newest_id":"1860000000000000003","result_count":3}}`)
			}))
			t.Cleanup(srv.Close)
			src, err := NewSearch(token, "q", WithBaseURL(srv.URL), listen.WithLogger(logger), listen.WithOnSkip(onSkip))
			require.NoError(t, err)
			return src
		})
	})
	t.Run("stream", func(t *testing.T) {
		listentest.Poison(t, 2, "1860000000000000002", func(t *testing.T, logger *slog.Logger, onSkip func(*listen.DecodeError)) listen.Source {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, strings.ReplaceAll(`{"data":{"id":"1860000000000000001","text":"a"}}|{"data":{"id":1860000000000000002,"text":"bad"}}|{"data":{"id":"1860000000000000003","text":"c"}}|`, "|", "\r\n"))
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			}))
			t.Cleanup(srv.Close)
			src, err := NewStream(token, WithBaseURL(srv.URL), listen.WithLogger(logger), listen.WithOnSkip(onSkip), listen.WithStallTimeout(time.Minute))
			require.NoError(t, err)
			return src
		})
	})
}
