package reddit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/listen"
)

// TestRefusedAfterRefreshIsFinal: a 401 on a listing refreshes the token
// once; a 401 with the fresh token is final at once (ErrAuth), not
// retried for the retry budget.
func TestRefusedAfterRefreshIsFinal(t *testing.T) {
	for _, code := range []int{401, 403} {
		var tokens, listings atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v1/access_token" {
				tokens.Add(1)
				io.WriteString(w, `{"access_token":"tok-abcdefgh","token_type":"bearer","expires_in":86400}`)
				return
			}
			listings.Add(1)
			w.WriteHeader(code)
			io.WriteString(w, `{"message":"Unauthorized","error":401}`)
		}))
		src, err := New("cid", "csecret", testUA, Posts("golang"), WithBaseURLs(srv.URL, srv.URL), listen.WithHTTPClient(srv.Client()),
			listen.WithLimiter(rate.NewLimiter(rate.Inf, 1)), listen.Follow())
		require.NoError(t, err)
		var errs []error
		for _, err := range src.Posts(context.Background()) {
			errs = append(errs, err)
		}
		srv.Close()
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], listen.ErrAuth)
		if code == 401 {
			assert.Equal(t, int32(2), tokens.Load(), "one refresh")
			assert.Equal(t, int32(2), listings.Load())
		} else {
			assert.Equal(t, int32(1), listings.Load(), "403 is not a token problem")
		}
		assert.Zero(t, src.Stats().Retries)
	}
}
