//go:build go1.25

package replay_test

import (
	"bytes"
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/earshot-dev/earshot/listen/replay"
)

// TestSpeedPacesAndCancels: posts one minute apart replay two minutes
// apart in all at 1x and 1.2 s apart in all at 100x (fake time, exact);
// cancelling ctx during a gap ends the replay quietly at that moment.
func TestSpeedPacesAndCancels(t *testing.T) {
	posts := samplePosts(3) // one minute apart
	data := record(t, posts)
	synctest.Test(t, func(t *testing.T) {
		for _, tc := range []struct {
			speed float64
			took  time.Duration
		}{{1, 2 * time.Minute}, {100, 1200 * time.Millisecond}} {
			start := time.Now()
			assert.Len(t, collect(t, replay.New(bytes.NewReader(data), replay.WithSpeed(tc.speed))), 3)
			assert.Equal(t, tc.took, time.Since(start), "speed %v", tc.speed)
		}

		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(30 * time.Second); cancel() }()
		start := time.Now()
		n := 0
		for _, err := range replay.New(bytes.NewReader(data), replay.WithSpeed(1)).Posts(ctx) {
			assert.NoError(t, err)
			n++
		}
		assert.Equal(t, 1, n)
		assert.Equal(t, 30*time.Second, time.Since(start), "the cancel ends the wait for the second post")
	})
}
