package natsjs

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSeenSetForgetsOldestFirst(t *testing.T) {
	s := newSeenSet(3)
	add := func(k string) bool { return s.add(s.hash(k)) }
	for _, k := range []string{"a", "b", "c"} {
		assert.True(t, add(k), k)
	}
	assert.False(t, add("a"), "a duplicate is not new")
	assert.True(t, add("d"), "d forgets a")
	assert.False(t, s.has(s.hash("a")))
	assert.True(t, s.has(s.hash("b")), "b is still remembered")
	assert.True(t, add("a"), "a forgotten key is new again")
	assert.Len(t, s.m, 3)

	one := newSeenSet(0) // at least one key
	assert.True(t, one.add(one.hash("x")))
	assert.False(t, one.add(one.hash("x")))
	assert.True(t, one.add(one.hash("y")))
	assert.True(t, one.add(one.hash("x")))
}

func TestSleepEndsWithCtx(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, sleep(ctx, time.Hour), context.Canceled)
	assert.NoError(t, sleep(context.Background(), time.Millisecond))
	assert.ErrorIs(t, sleep(ctx, 0), context.Canceled)
}
