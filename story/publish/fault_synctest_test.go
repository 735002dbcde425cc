//go:build go1.25

package publish_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/story/publish"
)

// TestFaultInjection publishes many threads through in-process fakes that
// fail at random: requests lost before the server saw them, and
// ambiguous failures after the server committed the post (connection
// reset, 5xx from a proxy, a timeout, a crash of the host process). The
// lookups themselves fail now and then. Inside a synctest bubble the
// backoff and the 1-minute request timeouts take no real time.
func TestFaultInjection(t *testing.T) {
	const threads, parts = 110, 3
	for _, name := range []string{"mastodon", "gotosocial", "bluesky", "x"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h, posted, newPub := platformUnderTest(t, name)
				rng := rand.New(rand.NewPCG(42, uint64(len(name))))
				rt := &faultRT{h: h}
				crashNext := false
				rt.plan = func(r *http.Request) fault {
					if !isPost(r) {
						if rng.Float64() < 0.1 {
							return lostRequest // lookups fail too; reads are retried
						}
						return noFault
					}
					if crashNext {
						crashNext = false
						return crashAfter
					}
					switch x := rng.Float64(); {
					case x < 0.10:
						return lostRequest
					case x < 0.40:
						return resetAfter
					case x < 0.65:
						return gatewayAfter
					case x < 0.77:
						return timeoutAfter
					}
					return noFault
				}
				store := &story.MemoryStore{}
				limiter := rate.NewLimiter(rate.Every(100*time.Millisecond), 5)
				opts := []publish.Option{
					publish.WithHTTPClient(&http.Client{Transport: rt}),
					publish.WithStore(store),
					publish.WithLimiter(limiter),
					publish.WithRetryInterval(500 * time.Millisecond),
					publish.WithMaxRetryTime(time.Hour),
				}
				start := time.Now()
				crashes, reruns := 0, 0
				for i := 0; i < threads; i++ {
					th := story.Thread{ID: fmt.Sprintf("story-%d", i)}
					for p := 1; p <= parts; p++ {
						th.Parts = append(th.Parts, story.Part{Text: fmt.Sprintf("T%d P%d the hens of day %d, part %d %s thanks @vet@farm.social & https://example.com/d/%d", i, p, i, p, strings.Repeat("🐔", p), i)})
					}
					ctx, cancel := context.WithCancel(context.Background())
					rt.mu.Lock()
					rt.crash = cancel
					rt.mu.Unlock()
					if i%7 == 3 {
						crashNext = true // the host dies right after a post is committed
					}
					pub := newPub(opts)
					sent, err := pub.Publish(ctx, th)
					for err != nil {
						// A crash or an unconfirmed part: a new process publishes
						// the same thread again with the same journal.
						if ctx.Err() != nil {
							crashes++
						}
						reruns++
						require.Less(t, reruns, 100, "too many reruns: %v", err)
						cancel()
						ctx, cancel = context.WithCancel(context.Background())
						rt.mu.Lock()
						rt.crash = cancel
						rt.mu.Unlock()
						sent, err = newPub(opts).Publish(ctx, th)
					}
					cancel()
					require.Len(t, sent, parts)
				}
				dups, lost, chain := checkThreads(posted(), threads, parts)
				amb := rt.ambiguous()
				t.Logf("%s: %d threads x %d parts, %d ambiguous failures (%d reset, %d 5xx, %d timeout, %d crash), %d lost requests, %d crashes, %d reruns; duplicates %d, lost parts %d; virtual time %s",
					name, threads, parts, amb, rt.count(resetAfter), rt.count(gatewayAfter), rt.count(timeoutAfter), rt.count(crashAfter),
					rt.count(lostRequest), crashes, reruns, dups, lost, time.Since(start).Round(time.Second))
				assert.GreaterOrEqual(t, amb, 200)
				assert.Zero(t, dups, "duplicate posts")
				assert.Zero(t, lost, "lost parts")
				assert.Empty(t, chain)
				assert.Len(t, posted(), threads*parts)
			})
		})
	}
}

// TestRateLimitedRetryAfter: a 429 with the platform's headers is waited
// out (Retry-After, or the reset in the headers when later) and the post
// is sent once.
func TestRateLimitedRetryAfter(t *testing.T) {
	t.Run("mastodon", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake := newFakeMastodon(false)
			fake.RateLimited = 2
			pub, err := publish.NewMastodon("http://m.test", fake.Token, publish.WithHTTPClient(&http.Client{Transport: &faultRT{h: fake}}))
			require.NoError(t, err)
			start := time.Now()
			_, err = pub.Publish(context.Background(), thread("rl", "one", "two"))
			require.NoError(t, err)
			assert.GreaterOrEqual(t, time.Since(start), 2*time.Minute, "X-RateLimit-Reset one minute ahead, twice")
			assert.Equal(t, 4, fake.Posts)
			assert.Len(t, fake.posted(), 2)
		})
	})
	t.Run("bluesky", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake := newFakeBluesky()
			fake.Limited = 1
			pub, err := publish.NewBluesky("http://pds.test", fake.Handle, fake.Password, publish.WithHTTPClient(&http.Client{Transport: &faultRT{h: fake}}))
			require.NoError(t, err)
			start := time.Now()
			_, err = pub.Publish(context.Background(), thread("rl", "one"))
			require.NoError(t, err)
			assert.GreaterOrEqual(t, time.Since(start), time.Second, "RateLimit-Reset two seconds ahead")
			assert.Len(t, fake.posted(), 1)
		})
	})
	t.Run("x", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake := newFakeX()
			fake.Limited = 1
			pub, err := publish.NewX("http://api.x.test", fake.Token, publish.WithHTTPClient(&http.Client{Transport: &faultRT{h: fake}}))
			require.NoError(t, err)
			start := time.Now()
			_, err = pub.Publish(context.Background(), thread("rl", "one"))
			require.NoError(t, err)
			assert.GreaterOrEqual(t, time.Since(start), 90*time.Second, "x-rate-limit-reset 90 s ahead")
			assert.Equal(t, 2, fake.Posts)
			assert.Len(t, fake.posted(), 1)
		})
	})
}

// TestLimiterShared: an injected rate.Limiter paces every request.
func TestLimiterShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFakeMastodon(false)
		lim := rate.NewLimiter(rate.Every(time.Second), 1)
		pub, err := publish.NewMastodon("http://m.test", fake.Token,
			publish.WithHTTPClient(&http.Client{Transport: &faultRT{h: fake}}), publish.WithLimiter(lim))
		require.NoError(t, err)
		start := time.Now()
		for i := 0; i < 5; i++ {
			_, err := pub.Publish(context.Background(), thread(fmt.Sprint("l", i), fmt.Sprint("post ", i), fmt.Sprint("reply ", i)))
			require.NoError(t, err)
		}
		assert.GreaterOrEqual(t, time.Since(start), 9*time.Second, "10 posts at 1/s")
		assert.Len(t, fake.posted(), 10)
	})
}

// TestServerStarting: a server answering 503 with Retry-After: 120 for
// 0.7 s while it starts (GoToSocial, §12) costs no post, no duplicate and
// only seconds: the look-ups wait on httpx, which caps a 5xx's
// Retry-After.
func TestServerStarting(t *testing.T) {
	for _, name := range []string{"gotosocial", "bluesky", "x"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := fakeFor(t, name)
				start := time.Now()
				h := startingUp(f.h, start.Add(700*time.Millisecond))
				pub := f.newPub("", []publish.Option{publish.WithHTTPClient(&http.Client{Transport: &faultRT{h: h}})})
				sent, err := pub.Publish(context.Background(), thread("starting", "T0 P1 the hens", "T0 P2 are up"))
				require.NoError(t, err)
				require.Len(t, sent, 2)
				dups, lost, chain := checkThreads(f.posted(), 1, 2)
				assert.Zero(t, dups)
				assert.Zero(t, lost)
				assert.Empty(t, chain)
				t.Logf("%s: 2 parts published through a 0.7 s start in %s (virtual time), %d post requests", name, time.Since(start), f.posts())
				// Seconds, not the two minutes Retry-After asks: httpx caps a
				// 5xx's Retry-After at 5 s (X's 5 s floor after a 5xx makes
				// it 10 s). GoToSocial on loopback: caught up within 5 s.
				assert.Less(t, time.Since(start), 15*time.Second)
			})
		})
	}
}
