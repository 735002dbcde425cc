package reddit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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

// TestOversizedPageIsReadInSmallerPages: a listing over the body limit
// used to be a final error at every start; it is asked for again with
// half the page size until it fits.
func TestOversizedPageIsReadInSmallerPages(t *testing.T) {
	var limits []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/access_token" {
			io.WriteString(w, `{"access_token":"tok-abcdefgh","token_type":"bearer","expires_in":86400}`)
			return
		}
		limits = append(limits, r.URL.Query().Get("limit"))
		n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		var children []string
		for i := range n {
			children = append(children, fmt.Sprintf(`{"kind":"t3","data":{"id":"p%d","name":"t3_p%d","title":%q,"created_utc":%d}}`, i, i, strings.Repeat("x", 500), 1795343000-i))
		}
		io.WriteString(w, `{"kind":"Listing","data":{"after":null,"children":[`+strings.Join(children, ",")+`]}}`)
	}))
	defer srv.Close()
	src, err := New("cid", "csecret", testUA, Posts("golang"), WithBaseURLs(srv.URL, srv.URL), listen.WithHTTPClient(srv.Client()),
		listen.WithLimiter(rate.NewLimiter(rate.Inf, 1)), listen.WithMaxBody(2000))
	require.NoError(t, err)
	n := 0
	for _, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 3, n)
	assert.Equal(t, []string{"100", "50", "25", "12", "6", "3"}, limits)
}
