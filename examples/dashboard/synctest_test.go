//go:build go1.25

package main

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A slow client never blocks publishing: messages that do not fit its
// buffer are dropped and counted, and a fast client gets everything. In a
// synctest bubble, a publish that blocked on the slow client would leave
// every goroutine blocked: the bubble reports the deadlock at once.
func TestSlowClientIsDroppedNotWaitedFor(t *testing.T) {
	synctest.Test(t, slowClientIsDroppedNotWaitedFor)
}

func slowClientIsDroppedNotWaitedFor(t *testing.T) {
	h := newHub(4)
	slow, ok := h.subscribe()
	require.True(t, ok)
	fast, ok := h.subscribe()
	require.True(t, ok)
	got := make(chan int)
	go func() {
		n := 0
		for msg := range fast.ch {
			n++
			if string(msg) == "last" {
				break
			}
		}
		got <- n
	}()
	for i := 0; i < 1000; i++ {
		h.publish([]byte("x"))
		if i%100 == 0 {
			time.Sleep(time.Millisecond) // let the fast reader keep up
		}
	}
	for !func() bool { // the fast reader must get "last": retry while its buffer is full
		before := fast.dropped.Load()
		h.publish([]byte("last"))
		return fast.dropped.Load() == before
	}() {
		time.Sleep(time.Millisecond)
	}
	n := <-got
	assert.Equal(t, int64(4), int64(len(slow.ch)), "the slow client's buffer is full")
	assert.GreaterOrEqual(t, slow.dropped.Load(), int64(996))
	assert.Equal(t, h.dropped.Load(), slow.dropped.Load()+fast.dropped.Load())
	assert.Greater(t, n, 4, "the fast client received more than a buffer's worth")
	h.unsubscribe(slow)
	h.unsubscribe(fast)
	assert.Equal(t, 0, h.count())
	h.close()
	_, ok = h.subscribe()
	assert.False(t, ok, "a closed hub refuses new clients")
	h.publish([]byte("after close")) // must not panic or block
}
