package reddit

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/internal/faulttest"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func fast(f *fake, more ...listen.Option) []listen.Option {
	return append([]listen.Option{
		listen.WithHTTPClient(f.srv.Client()),
		WithBaseURLs(f.srv.URL, f.srv.URL),
		listen.WithLimiter(rate.NewLimiter(rate.Inf, 1)),
		listen.WithRetryBackoff(time.Millisecond, 4*time.Millisecond),
		listen.WithMaxRetryTime(10 * time.Second),
		listen.WithInterval(2 * time.Millisecond),
	}, more...)
}

func TestConformance(t *testing.T) {
	listentest.Run(t, func(t *testing.T) listen.Source {
		f := newFake(t)
		f.publish(10)
		src, err := New("cid", "csecret", testUA, Posts("golang"), fast(f, listen.Follow(),
			listen.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}))...)
		require.NoError(t, err)
		return src
	})
}

func TestUserAgentRules(t *testing.T) {
	for _, ua := range []string{"", "  ", "Go-http-client/1.1", "python-requests/2.31", "Mozilla/5.0 (X11; Linux x86_64)", "curl/8.0", "mybot"} {
		_, err := New("cid", "csecret", ua, Posts("golang"))
		assert.Error(t, err, "%q", ua)
	}
	_, err := New("cid", "csecret", "android:com.example.myredditapp:v1.2.3 (by /u/kemitche)", Posts("golang"))
	assert.NoError(t, err)
}

func TestDecodeListing(t *testing.T) {
	raw, err := os.ReadFile("testdata/new.json")
	require.NoError(t, err)
	posts, _, after, err := decodeListing(raw)
	require.NoError(t, err)
	assert.Equal(t, "t3_hyhquk", after)
	require.Len(t, posts, 2, "the more stub is skipped")
	p := posts[0]
	assert.Equal(t, "t3_agi5zf", p.ID)
	assert.Equal(t, "Rate limiting <in> Go\n\nHow do you handle rate limits & retries?\n\n> quoted", p.Text)
	assert.Equal(t, "u/kmiller0112", p.Author.Handle)
	assert.Equal(t, 253, p.Likes)
	assert.Equal(t, 1634, p.Replies)
	assert.Equal(t, time.Unix(1547618271, 0).UTC(), p.Created)
	assert.Equal(t, "https://www.reddit.com/r/golang/comments/agi5zf/rate_limiting_in_go/", p.URL)
	assert.Empty(t, p.Links, "self post")
	q := posts[1]
	assert.Equal(t, 0, q.Likes, "null score")
	assert.Equal(t, []string{"https://go.dev/blog/go1.26"}, q.Links)
	assert.Equal(t, time.Unix(1547618300, 250_000_000).UTC(), q.Created)

	raw, err = os.ReadFile("testdata/comments.json")
	require.NoError(t, err)
	posts, _, after, err = decodeListing(raw)
	require.NoError(t, err)
	assert.Equal(t, "", after)
	require.Len(t, posts, 1)
	assert.Equal(t, "t1_jkl123", posts[0].ID)
	assert.Equal(t, "t3_agi5zf", posts[0].ReplyTo)
	assert.Equal(t, "t3_agi5zf", posts[0].Thread)
	assert.Equal(t, 7, posts[0].Likes)

	for _, bad := range []string{`{"kind":"Listing","data":`, `{"kind":"t3"}`} {
		_, _, _, err := decodeListing([]byte(bad))
		var de *listen.DecodeError
		assert.ErrorAs(t, err, &de, bad)
	}
	// One bad child is skipped; the rest of the listing is kept.
	mixed := `{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"x","name":"t3_x","score":"lots"}},{"kind":"t3","data":{"id":"y","created_utc":1}}]}}`
	posts, skips, _, err := decodeListing([]byte(mixed))
	require.NoError(t, err)
	require.Len(t, posts, 1)
	assert.Equal(t, "t3_y", posts[0].ID)
	require.Len(t, skips, 1)
}

func TestBadCredentialsAreFinal(t *testing.T) {
	f := newFake(t)
	f.publish(3)
	src, err := New("cid", "wrong-secret-value", testUA, Posts("golang"), fast(f, listen.Follow())...)
	require.NoError(t, err)
	var got error
	for _, err := range src.Posts(context.Background()) {
		got = err
	}
	require.ErrorIs(t, got, listen.ErrAuth)
	assert.NotContains(t, got.Error(), "wrong-secret-value")
	assert.Equal(t, 1, f.tokenReqs)
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	f := newFake(t)
	f.ttl = 59 * time.Second // inside the 60 s early-refresh margin at once
	f.publish(3)
	src, err := New("cid", "csecret", testUA, Posts("golang"), fast(f)...)
	require.NoError(t, err)
	for range 3 {
		for _, err := range src.Posts(context.Background()) {
			require.NoError(t, err)
		}
	}
	assert.Equal(t, 3, f.tokenReqs, "a token expiring within a minute is refreshed before use")
}

func TestSecretNotPrinted(t *testing.T) {
	src, err := New("cid", "csecret-very-private", testUA, Posts("golang"))
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", src, src.opt, src.secret), "csecret-very-private")
}

// TestFaults: 429 with X-Ratelimit headers, 5xx, 200 with an HTML page,
// 429 and 503 with Retry-After: 86400, exhausted windows with a reset
// past the pause limit (the host restarts after those two), tokens
// expiring early (401, then a refresh), restarts that forget every token
// and cut every connection, truncated and cut bodies, a post that does
// not decode, duplicates, reordering, more stubs, gzip; then a restart
// from the saved cursor: every post exactly once (the one the loop broke
// out on twice).
func TestFaults(t *testing.T) {
	f := newFake(t)
	ids := f.publish(40)
	f.faultPct = 12
	store := &listen.MemoryStore{}
	// The first run starts from a cursor that knows the first post, so it
	// pages back to it.
	require.NoError(t, store.Save(context.Background(), "k", `["`+ids[0]+`"]`))
	ids = ids[1:]
	src, err := New("cid", "csecret", testUA, Posts("golang"), fast(f, listen.WithCursorStore(store, "k"), listen.Follow(), listen.WithMaxPages(100),
		listen.WithRetryBackoff(time.Millisecond, 2*time.Millisecond), listen.WithPauseLimit(5*time.Millisecond), listen.WithRetryAfterCap(2*time.Millisecond))...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	got := map[string]int{}
	published := 0
	brokeOn := ""
	r1 := faulttest.Supervise(t, ctx, src, 15*time.Millisecond, func(p listen.Post) bool {
		got[p.ID]++
		if len(got) == len(ids)-1 && published < 720 {
			ids = append(ids, f.publish(3)...) // new posts while polling
			published += 3
		}
		if len(got) == 600 {
			brokeOn = p.ID // not handled: comes again after the restart
			return true
		}
		return false
	})
	ids = append(ids, f.publish(30)...) // while stopped
	r2 := faulttest.Supervise(t, ctx, src, 15*time.Millisecond, func(p listen.Post) bool {
		got[p.ID]++
		return len(got) == len(ids)
	})
	lost, dup := faulttest.Loss(ids, got, brokeOn)
	assert.Zero(t, lost, "lost")
	assert.Zero(t, dup, "duplicated")
	assert.Equal(t, len(ids), len(got))
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Logf("faults %d (issue 19 kinds %d) %v; restarts %d; gzip %d; token requests %d; lost %d duplicated %d; stats %+v",
		f.faults.Total(), f.faults.Of(faulttest.Issue19()...), f.faults, r1+r2, f.gzipped.Load(), f.tokenReqs, lost, dup, src.Stats())
	assert.GreaterOrEqual(t, f.faults.Of(faulttest.Issue19()...), 200)
	assert.Positive(t, src.Stats().Skipped, "bad posts skipped")
}
