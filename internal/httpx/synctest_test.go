//go:build go1.25

package httpx

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
)

// inProcess serves h without sockets, so a synctest bubble's fake clock
// can advance (real sockets would block it).
type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// TestRealWaitsInFakeTime runs the production defaults (500 ms first
// backoff, Retry-After of two minutes, X's 60 s floor after 429) in a
// bubble: minutes of waiting take no real time, and the waits are exact.
func TestRealWaitsInFakeTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 0
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n++
			switch n {
			case 1:
				w.Header().Set("Retry-After", "120")
				w.WriteHeader(http.StatusServiceUnavailable)
			case 2:
				w.WriteHeader(http.StatusTooManyRequests) // no headers: the floor applies
			default:
				io.WriteString(w, "ok")
			}
		})
		var ctr listen.Counters
		c := &Client{Platform: "x", HTTP: &http.Client{Transport: inProcess{h}}, Counters: &ctr,
			Retry: Retry{MinRateLimitWait: 60 * time.Second}}
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, "http://api.example/2/tweets/search/recent", nil)
		resp, err := c.Do(context.Background(), req)
		require.NoError(t, err)
		assert.Equal(t, "ok", string(resp.Body))
		waited := time.Since(start)
		assert.GreaterOrEqual(t, waited, 180*time.Second, "120 s Retry-After + 60 s floor")
		assert.Less(t, waited, 200*time.Second)
		assert.Equal(t, int64(2), ctr.Stats().Retries)
	})
}

// TestGivesUpAfterMaxElapsed: a server down for good ends with the last
// error once MaxElapsed (15 minutes by default) is used up.
func TestGivesUpAfterMaxElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
		})
		c := &Client{Platform: "test", HTTP: &http.Client{Transport: inProcess{h}}}
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, "http://api.example/", nil)
		_, err := c.Do(context.Background(), req)
		var he *listen.HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 502, he.StatusCode)
		waited := time.Since(start)
		assert.Greater(t, waited, 10*time.Minute)
		assert.LessOrEqual(t, waited, 15*time.Minute)
	})
}
