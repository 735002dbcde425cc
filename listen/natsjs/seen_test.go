package natsjs

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSeenSetForgetsOldestFirst(t *testing.T) {
	s := newSeenSet(3)
	for _, k := range []string{"a", "b", "c"} {
		assert.True(t, s.Add(k), k)
	}
	assert.False(t, s.Add("a"), "a duplicate is not new")
	assert.True(t, s.Add("d"), "d forgets a")
	assert.False(t, s.Add("b"), "b is still remembered")
	assert.True(t, s.Add("a"), "a forgotten key is new again")
	assert.Len(t, s.m, 3)

	one := newSeenSet(0) // at least one key
	assert.True(t, one.Add("x"))
	assert.False(t, one.Add("x"))
	assert.True(t, one.Add("y"))
	assert.True(t, one.Add("x"))
}

func TestSleepEndsWithCtx(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, sleep(ctx, time.Hour), context.Canceled)
	assert.NoError(t, sleep(context.Background(), time.Millisecond))
	assert.ErrorIs(t, sleep(ctx, 0), context.Canceled)
}
