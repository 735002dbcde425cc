package bluesky

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
)

// TestRefusedAfterRefreshIsFinal: an expired access token is refreshed;
// a refused refresh leads to one new login; a refused login is final at
// once (ErrAuth), not retried.
func TestRefusedAfterRefreshIsFinal(t *testing.T) {
	var logins, refreshes, searches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "createSession"):
			if logins.Add(1) == 1 {
				io.WriteString(w, `{"did":"did:plc:a","handle":"a.test","accessJwt":"acc-Xk29vbQm","refreshJwt":"ref-Lp38sWn2"}`)
				return
			}
			xrpcErr(w, 401, "AuthenticationRequired", "Invalid identifier or password")
		case strings.HasSuffix(r.URL.Path, "refreshSession"):
			refreshes.Add(1)
			xrpcErr(w, 401, "AuthenticationRequired", "Token has been revoked")
		default:
			searches.Add(1)
			xrpcErr(w, 400, "ExpiredToken", "Token has expired")
		}
	}))
	defer srv.Close()
	src, err := NewSearch(srv.URL, "q", WithCredentials(testHandle, testPassword), listen.Follow())
	require.NoError(t, err)
	var errs []error
	for _, err := range src.Posts(context.Background()) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], listen.ErrAuth)
	assert.Equal(t, int32(2), logins.Load())
	assert.Equal(t, int32(1), refreshes.Load())
	assert.Equal(t, int32(1), searches.Load())
	assert.Zero(t, src.Stats().Retries)
}
