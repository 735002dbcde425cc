package httpx

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
)

func TestAfterPoll(t *testing.T) {
	ctx := context.Background()
	garbled := &listen.DecodeError{Platform: "p", Err: errors.New("bad page")}
	other := errors.New("refused")

	t.Run("success", func(t *testing.T) {
		bo := NewBackoff(Retry{Initial: time.Millisecond, Max: time.Millisecond, MaxAttempts: 2})
		_, ok := bo.Next()
		require.True(t, ok)
		retry, err := AfterPoll(ctx, bo, nil)
		assert.False(t, retry)
		assert.NoError(t, err)
		_, ok = bo.Next() // reset: the attempt budget is whole again
		assert.True(t, ok)
	})
	t.Run("garbled page is retried, then final", func(t *testing.T) {
		bo := NewBackoff(Retry{Initial: time.Millisecond, Max: time.Millisecond, MaxAttempts: 3})
		for range 2 {
			retry, err := AfterPoll(ctx, bo, garbled)
			require.NoError(t, err)
			assert.True(t, retry)
		}
		retry, err := AfterPoll(ctx, bo, garbled)
		assert.False(t, retry)
		assert.Same(t, garbled, err)
	})
	t.Run("other errors are final", func(t *testing.T) {
		bo := NewBackoff(Retry{Initial: time.Millisecond})
		retry, err := AfterPoll(ctx, bo, other)
		assert.False(t, retry)
		assert.Same(t, other, err)
	})
	t.Run("ctx ends the wait", func(t *testing.T) {
		bo := NewBackoff(Retry{Initial: time.Hour, Max: time.Hour, MaxElapsed: -1})
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		retry, err := AfterPoll(cctx, bo, garbled)
		assert.False(t, retry)
		assert.ErrorIs(t, err, context.Canceled)
	})
}
