//go:build go1.25

package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/faulttest"
	"github.com/earshot-dev/earshot/trend/webhook"
)

// failing answers 500 to everything and notes when each request came.
type failing struct{ at []time.Time }

func (f *failing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.at = append(f.at, time.Now())
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// Issue 20 item 1: against an endpoint answering 500, the webhook spaces
// its attempts by at least the retry interval, stops when the retry time
// is used up (it sent 29,912 POSTs in 3 s when the backoff's stop became
// a zero wait), and reports the 500.
func TestFailingEndpointIsNotFlooded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &failing{}
		w, err := webhook.New("https://hooks.example.com/services/T/B/SECRET",
			webhook.WithHTTPClient(&http.Client{Transport: faulttest.InProcess{H: f}}),
			webhook.WithMaxRetryTime(time.Minute)) // the default interval: 500 ms
		require.NoError(t, err)
		start := time.Now()
		err = w.Send(context.Background(), testAlert)
		took := time.Since(start)

		var we *webhook.Error
		require.ErrorAs(t, err, &we)
		assert.Equal(t, 500, we.StatusCode, "the real cause")
		assert.Nil(t, we.Err)
		assert.Equal(t, len(f.at), we.Attempts)
		t.Logf("%d POSTs in %v (fake time)", len(f.at), took)
		assert.GreaterOrEqual(t, len(f.at), 4)
		assert.LessOrEqual(t, len(f.at), 12, "exponential backoff over one minute")
		assert.LessOrEqual(t, took, time.Minute, "the retry time bounds the whole send")
		for i := 1; i < len(f.at); i++ {
			assert.GreaterOrEqual(t, f.at[i].Sub(f.at[i-1]), 500*time.Millisecond, "attempt %d came too soon", i+1)
		}
	})
}

// Cancelling during the retries (the monitor's drain deadline) ends the
// send at once and still reports the last status.
func TestCancelDuringRetriesReportsTheStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &failing{}
		w, err := webhook.New("https://hooks.example.com/services/T/B/SECRET",
			webhook.WithHTTPClient(&http.Client{Transport: faulttest.InProcess{H: f}}))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = w.Send(ctx, testAlert)
		var we *webhook.Error
		require.ErrorAs(t, err, &we)
		assert.Equal(t, 500, we.StatusCode)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, len(f.at), 10)
		assert.Contains(t, err.Error(), "status 500 after")
	})
}

// A cancelled ctx stops the wait at once, and the error still names the
// last status (issue 20 item 1: the monitor reported "context canceled").
// On a fake clock, so a loaded machine cannot make the first answer late.
func TestContextKeepsTheCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := &slack{script: []func(http.ResponseWriter){status(503, "30")}}
		w, err := webhook.New("https://hooks.example.com"+secretPath,
			webhook.WithHTTPClient(&http.Client{Transport: faulttest.InProcess{H: fake}}),
			webhook.WithMaxRetryTime(time.Minute))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err = w.Send(ctx, testAlert)
		assert.Equal(t, 100*time.Millisecond, time.Since(start), "a cancelled context stops the 30 s wait")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var we *webhook.Error
		require.ErrorAs(t, err, &we)
		assert.Equal(t, 503, we.StatusCode)
		assert.Equal(t, "webhook: status 503 after 1 attempts (stopped: context deadline exceeded)", err.Error())
	})
}

// TestRetryAfterIsWaitedFor: a 429 with Retry-After: 1 is sent again
// after that second, not after the (1 ms) retry interval.
func TestRetryAfterIsWaitedFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := &slack{script: []func(http.ResponseWriter){status(429, "1")}}
		w, err := webhook.New("https://hooks.example.com"+secretPath,
			webhook.WithHTTPClient(&http.Client{Transport: faulttest.InProcess{H: fake}}),
			webhook.WithRetryInterval(time.Millisecond), webhook.WithMaxRetryTime(5*time.Second))
		require.NoError(t, err)
		start := time.Now()
		require.NoError(t, w.Send(context.Background(), testAlert))
		took := time.Since(start)
		assert.Equal(t, int32(2), fake.calls.Load())
		assert.GreaterOrEqual(t, took, time.Second, "Retry-After was honoured")
		assert.LessOrEqual(t, took, time.Second+2*time.Millisecond)
	})
}
