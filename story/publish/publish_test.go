package publish_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/story/publish"
	"github.com/earshot-dev/earshot/story/storytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func thread(id string, texts ...string) story.Thread {
	t := story.Thread{ID: id, Lang: "en"}
	for _, s := range texts {
		t.Parts = append(t.Parts, story.Part{Text: s})
	}
	return t
}

func fast(rt http.RoundTripper, store story.Store, extra ...publish.Option) []publish.Option {
	return append([]publish.Option{
		publish.WithHTTPClient(&http.Client{Transport: rt}),
		publish.WithStore(store),
		publish.WithRetryInterval(time.Millisecond),
		publish.WithMaxRetryTime(2 * time.Second),
	}, extra...)
}

func TestMastodonThread(t *testing.T) {
	for _, gts := range []bool{false, true} {
		t.Run(fmt.Sprint("gotosocial=", gts), func(t *testing.T) {
			fake := newFakeMastodon(gts)
			var keys []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if isPost(r) {
					keys = append(keys, r.Header.Get("Idempotency-Key"))
				}
				fake.ServeHTTP(w, r)
			}))
			defer srv.Close()
			pub, err := publish.NewMastodon(srv.URL, fake.Token, publish.WithLimiter(rate.NewLimiter(rate.Inf, 1)))
			require.NoError(t, err)
			th := thread("hen-diary-12", "1/3 Clementine laid her first egg & we cheered. https://example.com/a/very/long/path/to/the/diary", "2/3 Mabel was not impressed.\n\nShe kept scratching.", "3/3 More tomorrow #hendiary")
			sent, err := pub.Publish(context.Background(), th)
			require.NoError(t, err)
			require.Len(t, sent, 3)
			posts := fake.posted()
			dups, lost, chain := checkThreadsByText(posts, th)
			assert.Zero(t, dups)
			assert.Zero(t, lost)
			assert.Empty(t, chain)
			assert.Equal(t, []string{"earshot/hen-diary-12/1", "earshot/hen-diary-12/2", "earshot/hen-diary-12/3"}, keys)
			for i, s := range sent {
				assert.Equal(t, posts[i].ID, s.ID)
				assert.Contains(t, s.URL, s.ID)
			}
			// Publishing again posts nothing and returns the same parts.
			again, err := pub.Publish(context.Background(), th)
			require.NoError(t, err)
			assert.Equal(t, sent, again)
			assert.Len(t, fake.posted(), 3)
		})
	}
}

// checkThreadsByText is checkThreads for one thread whose texts are known.
func checkThreadsByText(posts []fakePost, th story.Thread) (dups, lost int, chain []string) {
	var renamed []fakePost
	for _, p := range posts {
		for i, part := range th.Parts {
			if p.Text == part.Text {
				p.Text = fmt.Sprintf("T0 P%d ", i+1)
			}
		}
		renamed = append(renamed, p)
	}
	return checkThreads(renamed, 1, len(th.Parts))
}

func TestMastodonValidation(t *testing.T) {
	fake := newFakeMastodon(false)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	pub, err := publish.NewMastodon(srv.URL, fake.Token)
	require.NoError(t, err)

	// Too long for the default limit: refused before anything is posted.
	th := thread("long", "fine", strings.Repeat("a", 501))
	_, err = pub.Publish(context.Background(), th)
	var pe *publish.PartError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 1, pe.Part)
	assert.ErrorIs(t, err, story.ErrTooLong)
	assert.Zero(t, fake.Posts)

	// The host claims 5,000 characters but the server has 500: its 422 is
	// final, recorded as failed, and not retried.
	big, err := publish.NewMastodon(srv.URL, fake.Token, publish.WithMaxCharacters(5000))
	require.NoError(t, err)
	_, err = big.Publish(context.Background(), thread("long2", strings.Repeat("b", 600)))
	var he *listen.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 422, he.StatusCode)
	assert.Contains(t, he.Message, "character limit")
	assert.Equal(t, 1, fake.Posts)

	_, err = pub.Publish(context.Background(), thread("blank", " \n "))
	assert.ErrorIs(t, err, story.ErrEmpty)
	_, err = pub.Publish(context.Background(), story.Thread{ID: "img", Parts: []story.Part{{Text: "hens", Images: []story.Image{{Alt: "three hens"}}}}})
	assert.ErrorContains(t, err, "image 1 has no data")
	_, err = pub.Publish(context.Background(), story.Thread{ID: "img", Parts: []story.Part{{Text: "hens", Images: []story.Image{{Data: []byte("x"), MIME: "image/png"}}}}})
	assert.ErrorContains(t, err, "no alt text")
	assert.Zero(t, fake.Uploads)
	x, err := publish.NewX(srv.URL, "t")
	require.NoError(t, err)
	_, err = x.Publish(context.Background(), story.Thread{ID: "img", Parts: []story.Part{{Text: "hens", Images: []story.Image{{Data: []byte("x"), MIME: "image/png", Alt: "hens"}}}}})
	assert.ErrorIs(t, err, publish.ErrMedia)
	_, err = publish.NewMastodon(srv.URL, fake.Token, publish.WithVisibility("everyone"))
	assert.Error(t, err)
	_, err = publish.NewMastodon("ftp://x", fake.Token)
	assert.Error(t, err)
}

// A refusal (GoToSocial's validation 400, a bad token) is final and
// ErrNotSent, and still a *listen.HTTPError.
func TestGoToSocialValidation400(t *testing.T) {
	fake := newFakeMastodon(true)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	pub, err := publish.NewMastodon(srv.URL, fake.Token, publish.WithMaxCharacters(10000))
	require.NoError(t, err)
	_, err = pub.Publish(context.Background(), thread("gts-long", strings.Repeat("c", 5001)))
	require.ErrorIs(t, err, publish.ErrNotSent)
	var he *listen.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 400, he.StatusCode)
	assert.Equal(t, 1, fake.Posts, "a 400 is final: not retried")
	bad, err := publish.NewMastodon(srv.URL, "wrong")
	require.NoError(t, err)
	_, err = bad.Publish(context.Background(), thread("auth", "hello"))
	assert.ErrorIs(t, err, publish.ErrNotSent)
	assert.ErrorIs(t, err, listen.ErrAuth)
}

func TestSecretsNeverShown(t *testing.T) {
	fake := newFakeMastodon(false)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	m, err := publish.NewMastodon(srv.URL, "wrong-"+fake.Token)
	require.NoError(t, err)
	_, err = m.Publish(context.Background(), thread("t", "hello"))
	require.Error(t, err)
	assert.ErrorIs(t, err, listen.ErrAuth)
	bs := newFakeBluesky()
	bsrv := httptest.NewServer(bs)
	defer bsrv.Close()
	b, err := publish.NewBluesky(bsrv.URL, bs.Handle, "not-"+bs.Password)
	require.NoError(t, err)
	_, berr := b.Publish(context.Background(), thread("t", "hello"))
	require.Error(t, berr)
	assert.ErrorIs(t, berr, listen.ErrAuth)
	x, err := publish.NewX(srv.URL, "x-secret-token-value")
	require.NoError(t, err)
	for _, s := range []string{err2s(err), err2s(berr), fmt.Sprint(m), fmt.Sprintf("%+v", m), fmt.Sprintf("%#v", m),
		fmt.Sprint(b), fmt.Sprintf("%+v", b), fmt.Sprintf("%#v", b), fmt.Sprintf("%+v", x), fmt.Sprintf("%#v", x)} {
		assert.NotContains(t, s, fake.Token)
		assert.NotContains(t, s, bs.Password)
		assert.NotContains(t, s, "x-secret-token-value")
	}
}

func err2s(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestBlueskyThread(t *testing.T) {
	fake := newFakeBluesky()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	pub, err := publish.NewBluesky(srv.URL, fake.Handle, fake.Password)
	require.NoError(t, err)
	th := thread("bsky-1", "Hens 🐔 with @alice.test and @nobody.test #hendiary https://example.com/diary", "part two", "part three")
	sent, err := pub.Publish(context.Background(), th)
	require.NoError(t, err)
	require.Len(t, sent, 3)
	dups, lost, chain := checkThreadsByText(fake.posted(), th)
	assert.Zero(t, dups+lost)
	assert.Empty(t, chain)
	rec := fake.Records[0].Record
	facets := rec["facets"].([]any)
	require.Len(t, facets, 3, "mention of alice, tag, link; nobody.test does not resolve")
	text := rec["text"].(string)
	first := facets[0].(map[string]any)
	idx := first["index"].(map[string]any)
	assert.Equal(t, "@alice.test", text[int(idx["byteStart"].(float64)):int(idx["byteEnd"].(float64))])
	assert.Equal(t, "did:plc:alice000000000000000000", first["features"].([]any)[0].(map[string]any)["did"])
	assert.Equal(t, []any{"en"}, rec["langs"])
	assert.True(t, strings.HasPrefix(sent[0].ID, "at://"+fake.DID+"/app.bsky.feed.post/"))
	assert.NotEmpty(t, sent[2].CID)

	// A second thread reuses the session; an expired token is refreshed,
	// never a new login.
	fake.ExpireAll()
	_, err = pub.Publish(context.Background(), thread("bsky-2", "another day", "and more"))
	require.NoError(t, err)
	assert.Equal(t, 1, fake.Logins)
	assert.Equal(t, 1, fake.Refresh)
	assert.Equal(t, 1, fake.Expired)
	assert.Len(t, fake.posted(), 5)
}

func TestBlueskyDuplicateKey500(t *testing.T) {
	fake := newFakeBluesky()
	// The first createRecord is committed but its answer is lost; the
	// retry with the same rkey gets the PDS's bare 500.
	first := true
	rt := &faultRT{h: fake, plan: func(r *http.Request) fault {
		if isPost(r) && first {
			first = false
			return resetAfter
		}
		return noFault
	}}
	pub, err := publish.NewBluesky("http://pds.test", fake.Handle, fake.Password, fast(rt, &story.MemoryStore{})...)
	require.NoError(t, err)
	sent, err := pub.Publish(context.Background(), thread("dup", "only once"))
	require.NoError(t, err)
	assert.Len(t, fake.posted(), 1)
	assert.Equal(t, fake.posted()[0].ID, sent[0].ID)
	assert.Equal(t, 1, fake.Posts, "found by getRecord: no second createRecord")
}

func TestXThreadAndDuplicate(t *testing.T) {
	fake := newFakeX()
	first := true
	rt := &faultRT{h: fake, plan: func(r *http.Request) fault {
		if isPost(r) && first {
			first = false
			return gatewayAfter
		}
		return noFault
	}}
	pub, err := publish.NewX("http://api.x.test", fake.Token, fast(rt, &story.MemoryStore{})...)
	require.NoError(t, err)
	th := thread("x-1", "Eggs & hens: https://example.com/x", "second", "third")
	sent, err := pub.Publish(context.Background(), th)
	require.NoError(t, err)
	require.Len(t, sent, 3)
	dups, lost, chain := checkThreadsByText(fake.posted(), th)
	assert.Zero(t, dups+lost)
	assert.Empty(t, chain)
	assert.Equal(t, 3, fake.Posts, "the first part was found by the look-up, not re-sent")

	// A blind 403 duplicate that the look-up cannot confirm is an error,
	// not a success.
	fake2 := newFakeX()
	srv := httptest.NewServer(fake2)
	defer srv.Close()
	fake2.Tweets = append(fake2.Tweets, xTweet{ID: "1", Text: "same words", CreatedAt: time.Now().Add(-48 * time.Hour)})
	p2, err := publish.NewX(srv.URL, fake2.Token, fast(http.DefaultTransport, &story.MemoryStore{})...)
	require.NoError(t, err)
	_, err = p2.Publish(context.Background(), thread("x-2", "same words"))
	assert.ErrorIs(t, err, publish.ErrUnconfirmed)
	assert.Contains(t, err.Error(), "duplicate content")
	assert.Equal(t, 1, fake2.Posts, "a duplicate is not resent")
}

// A crash after the server committed part 2: a new process with the same
// journal resumes from part 3, posting nothing twice.
func TestResumeAfterCrash(t *testing.T) {
	for _, name := range []string{"mastodon", "gotosocial", "bluesky", "x"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "journal.json")
			h, posted, newPub := platformUnderTest(t, name)
			posts := 0
			rt := &faultRT{h: h}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rt.crash = cancel
			rt.plan = func(r *http.Request) fault {
				if isPost(r) {
					posts++
					if posts == 2 {
						return crashAfter
					}
				}
				return noFault
			}
			store, err := story.OpenFileStore(path)
			require.NoError(t, err)
			th := thread("crash-"+name, "T0 P1 first", "T0 P2 second", "T0 P3 third")
			sent, err := newPub(fast(rt, store)).Publish(ctx, th)
			require.ErrorIs(t, err, context.Canceled)
			assert.Len(t, sent, 1)

			store2, err := story.OpenFileStore(path) // the restarted process
			require.NoError(t, err)
			sent, err = newPub(fast(rt, store2)).Publish(context.Background(), th)
			require.NoError(t, err)
			assert.Len(t, sent, 3)
			dups, lost, chain := checkThreads(posted(), 1, 3)
			assert.Zero(t, dups)
			assert.Zero(t, lost)
			assert.Empty(t, chain)
		})
	}
}

type pubFactory func(opts []publish.Option) story.Publisher

func platformUnderTest(t testing.TB, name string) (http.Handler, func() []fakePost, pubFactory) {
	f := fakeFor(t, name)
	return f.h, f.posted, func(opts []publish.Option) story.Publisher { return f.newPub("", opts) }
}

// fakePlatform is a fake server and a publisher factory for one platform.
type fakePlatform struct {
	h      http.Handler
	posted func() []fakePost
	posts  func() int // POSTs that created, or tried to create, a post
	// newPub returns a publisher for the fake at base ("": an in-process URL).
	newPub func(base string, opts []publish.Option) story.Publisher
}

func fakeFor(t testing.TB, name string) fakePlatform {
	at := func(base, def string) string {
		if base == "" {
			return def
		}
		return base
	}
	check := func(p story.Publisher, err error) story.Publisher {
		require.NoError(t, err)
		return p
	}
	switch name {
	case "mastodon", "gotosocial":
		f := newFakeMastodon(name == "gotosocial")
		return fakePlatform{f, f.posted, f.postCount, func(base string, opts []publish.Option) story.Publisher {
			return check(publish.NewMastodon(at(base, "http://masto.test"), f.Token, opts...))
		}}
	case "bluesky":
		f := newFakeBluesky()
		return fakePlatform{f, f.posted, f.postCount, func(base string, opts []publish.Option) story.Publisher {
			return check(publish.NewBluesky(at(base, "http://pds.test"), f.Handle, f.Password, opts...))
		}}
	default:
		f := newFakeX()
		return fakePlatform{f, f.posted, f.postCount, func(base string, opts []publish.Option) story.Publisher {
			return check(publish.NewX(at(base, "http://api.x.test"), f.Token, opts...))
		}}
	}
}

func TestThreadChanged(t *testing.T) {
	fake := newFakeMastodon(false)
	store := &story.MemoryStore{}
	pub, err := publish.NewMastodon("http://m.test", fake.Token, fast(&faultRT{h: fake}, store)...)
	require.NoError(t, err)
	_, err = pub.Publish(context.Background(), thread("c", "one", "two"))
	require.NoError(t, err)
	_, err = pub.Publish(context.Background(), thread("c", "one, edited", "two"))
	assert.ErrorIs(t, err, publish.ErrThreadChanged)
	// Appending a part to a published thread continues it.
	sent, err := pub.Publish(context.Background(), thread("c", "one", "two", "three"))
	require.NoError(t, err)
	assert.Len(t, sent, 3)
	assert.Len(t, fake.posted(), 3)
}

func TestDryRun(t *testing.T) {
	d := &publish.DryRun{Rules: story.BlueskyRules{}}
	th := story.Thread{ID: "d1", Parts: []story.Part{{Text: "hello", Images: []story.Image{{MIME: "image/jpeg", Alt: "a hen on a fence"}}}, {Text: "world"}}}
	sent, err := d.Publish(context.Background(), th)
	require.NoError(t, err)
	assert.Equal(t, []story.Sent{{ID: "dry-1"}, {ID: "dry-2"}}, sent)
	again, err := d.Publish(context.Background(), th)
	require.NoError(t, err)
	assert.Equal(t, sent, again)
	require.Len(t, d.Threads(), 1)
	assert.Equal(t, "a hen on a fence", d.Threads()[0].Parts[0].Images[0].Alt)
	_, err = d.Publish(context.Background(), thread("d2", strings.Repeat("x", 301)))
	assert.ErrorIs(t, err, story.ErrTooLong)
	assert.Len(t, d.Threads(), 1)
	var _ story.Publisher = d
	assert.True(t, errors.Is(err, story.ErrTooLong))
}

// Answering someone else's post: part 1 replies to it; on Bluesky the
// root is the answered thread's root.
func TestAnswerAnotherPost(t *testing.T) {
	ctx := context.Background()
	m := newFakeMastodon(false)
	m.Statuses = append(m.Statuses, mastoStatus{ID: "4242", Text: "cracked eggs!", CreatedAt: time.Now()})
	mp, err := publish.NewMastodon("http://m.test", m.Token, fast(&faultRT{h: m}, &story.MemoryStore{})...)
	require.NoError(t, err)
	_, err = mp.Publish(ctx, story.Thread{ID: "reply/1", Parts: []story.Part{{Text: "@bob sorry!"}, {Text: "@bob more"}}, ReplyTo: story.Sent{ID: "4242"}})
	require.NoError(t, err)
	got := m.posted()
	require.Len(t, got, 3)
	assert.Equal(t, "4242", got[1].Parent)
	assert.Equal(t, got[1].ID, got[2].Parent)

	// A post seen on another instance is answered by its local ID,
	// resolved from its URL.
	m.Remote = map[string]string{"https://mastodon.social/@bob/113000000000000001": "4242"}
	_, err = mp.Publish(ctx, story.Thread{ID: "reply/remote", Parts: []story.Part{{Text: "@bob@mastodon.social on it!"}},
		ReplyTo: story.Sent{ID: "113000000000000001", URL: "https://mastodon.social/@bob/113000000000000001"}})
	require.NoError(t, err)
	got = m.posted()
	require.Len(t, got, 4)
	assert.Equal(t, "4242", got[3].Parent)
	_, err = mp.Publish(ctx, story.Thread{ID: "reply/gone", Parts: []story.Part{{Text: "hello?"}},
		ReplyTo: story.Sent{ID: "9", URL: "https://mastodon.social/@bob/9"}})
	assert.ErrorContains(t, err, "not found")
	assert.Len(t, m.posted(), 4)

	b := newFakeBluesky()
	bp, err := publish.NewBluesky("http://pds.test", b.Handle, b.Password, fast(&faultRT{h: b}, &story.MemoryStore{})...)
	require.NoError(t, err)
	parent := story.Sent{ID: "at://did:plc:bob/app.bsky.feed.post/3kparent", CID: "bafyparent"}
	root := story.Sent{ID: "at://did:plc:carol/app.bsky.feed.post/3kroot", CID: "bafyroot"}
	_, err = bp.Publish(ctx, story.Thread{ID: "reply/2", Parts: []story.Part{{Text: "one"}, {Text: "two"}}, ReplyTo: parent, ReplyRoot: root})
	require.NoError(t, err)
	posts := b.posted()
	require.Len(t, posts, 2)
	assert.Equal(t, parent.ID, posts[0].Parent)
	assert.Equal(t, root.ID, posts[0].Root)
	assert.Equal(t, posts[0].ID, posts[1].Parent)
	assert.Equal(t, root.ID, posts[1].Root)

	// From a listen.Post only the URI is known: the CID and the thread's
	// root are looked up (app.bsky.feed.getPosts).
	b.Others = map[string]otherPost{
		"at://did:plc:bob/app.bsky.feed.post/3kanswer": {CID: "bafyanswer", RootURI: root.ID, RootCID: root.CID},
	}
	_, err = bp.Publish(ctx, story.Thread{ID: "reply/3", Parts: []story.Part{{Text: "three"}, {Text: "four"}},
		ReplyTo: story.Sent{ID: "at://did:plc:bob/app.bsky.feed.post/3kanswer"}})
	require.NoError(t, err)
	recs := b.Records[2:]
	require.Len(t, recs, 2)
	reply := recs[0].Record["reply"].(map[string]any)
	assert.Equal(t, map[string]any{"uri": "at://did:plc:bob/app.bsky.feed.post/3kanswer", "cid": "bafyanswer"}, reply["parent"])
	assert.Equal(t, map[string]any{"uri": root.ID, "cid": root.CID}, reply["root"])
	assert.Equal(t, map[string]any{"uri": root.ID, "cid": root.CID}, recs[1].Record["reply"].(map[string]any)["root"])

	_, err = bp.Publish(ctx, story.Thread{ID: "reply/4", Parts: []story.Part{{Text: "five"}},
		ReplyTo: story.Sent{ID: "at://did:plc:bob/app.bsky.feed.post/3kdeleted"}})
	assert.ErrorContains(t, err, "not found")
	assert.Len(t, b.Records, 4, "nothing posted")
}

func TestLogsHaveNoSecrets(t *testing.T) {
	var buf strings.Builder
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := newFakeBluesky()
	n := 0
	rt := &faultRT{h: b, plan: func(r *http.Request) fault {
		n++
		if n%2 == 0 {
			return gatewayAfter
		}
		return noFault
	}}
	pub, err := publish.NewBluesky("http://pds.test", b.Handle, b.Password, fast(rt, &story.MemoryStore{}, publish.WithLogger(logger))...)
	require.NoError(t, err)
	_, err = pub.Publish(context.Background(), thread("logs", "one", "two"))
	require.NoError(t, err)
	b.ExpireAll()
	_, err = pub.Publish(context.Background(), thread("logs2", "three"))
	require.NoError(t, err)
	m := newFakeMastodon(true)
	mp, err := publish.NewMastodon("http://m.test", m.Token, fast(&faultRT{h: m, plan: rt.plan}, &story.MemoryStore{}, publish.WithLogger(logger))...)
	require.NoError(t, err)
	_, err = mp.Publish(context.Background(), thread("logs3", "four", "five"))
	require.NoError(t, err)
	out := buf.String()
	assert.Contains(t, out, "looking the post up")
	for _, secret := range []string{b.Password, "eyJhY2Nlc3Mi", "eyJyZWZyZXNoIg", m.Token} {
		assert.NotContains(t, out, secret)
	}
}

// Images go up once with their alt text, even when the post is retried.
func TestImagesWithAltText(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n fake image bytes")
	part := story.Part{Text: "Clementine and her first egg", Images: []story.Image{
		{Data: png, MIME: "image/png", Alt: "A brown hen standing next to a small brown egg in straw"},
		{Data: append(png, '2'), MIME: "image/png", Alt: "The egg, close up"},
	}}
	t.Run("mastodon", func(t *testing.T) {
		fake := newFakeMastodon(false)
		first := true
		rt := &faultRT{h: fake, plan: func(r *http.Request) fault {
			if r.URL.Path == "/api/v1/statuses" && first {
				first = false
				return lostRequest
			}
			return noFault
		}}
		pub, err := publish.NewMastodon("http://m.test", fake.Token, fast(rt, &story.MemoryStore{})...)
		require.NoError(t, err)
		_, err = pub.Publish(context.Background(), story.Thread{ID: "img", Parts: []story.Part{part}})
		require.NoError(t, err)
		assert.Equal(t, 2, fake.Uploads, "not re-uploaded on retry")
		require.Len(t, fake.Statuses, 1)
		ids := fake.Statuses[0].MediaIDs
		require.Len(t, ids, 2)
		assert.Equal(t, part.Images[0].Alt, fake.Media[ids[0]])
		assert.Equal(t, part.Images[1].Alt, fake.Media[ids[1]])
	})
	t.Run("bluesky", func(t *testing.T) {
		fake := newFakeBluesky()
		first := true
		rt := &faultRT{h: fake, plan: func(r *http.Request) fault {
			if isPost(r) && first {
				first = false
				return lostRequest
			}
			return noFault
		}}
		pub, err := publish.NewBluesky("http://pds.test", fake.Handle, fake.Password, fast(rt, &story.MemoryStore{})...)
		require.NoError(t, err)
		_, err = pub.Publish(context.Background(), story.Thread{ID: "img", Parts: []story.Part{part}})
		require.NoError(t, err)
		assert.Equal(t, 2, fake.Uploads, "not re-uploaded on retry")
		require.Len(t, fake.Records, 1)
		embed := fake.Records[0].Record["embed"].(map[string]any)
		imgs := embed["images"].([]any)
		require.Len(t, imgs, 2)
		assert.Equal(t, part.Images[0].Alt, imgs[0].(map[string]any)["alt"])
		big := story.Part{Text: "too big", Images: []story.Image{{Data: make([]byte, 1000001), MIME: "image/jpeg", Alt: "big"}}}
		_, err = pub.Publish(context.Background(), story.Thread{ID: "big", Parts: []story.Part{big}})
		assert.ErrorContains(t, err, "at most 1000000")
	})
}

func TestConformance(t *testing.T) {
	for _, name := range []string{"mastodon", "gotosocial", "bluesky", "x"} {
		t.Run(name, func(t *testing.T) {
			h, posted, newPub := platformUnderTest(t, name)
			store := &story.MemoryStore{}
			limit := map[string]int{"mastodon": 501, "gotosocial": 501, "bluesky": 301, "x": 281}[name]
			storytest.RunPublisher(t, storytest.Harness{
				New: func(t *testing.T) story.Publisher { return newPub(fast(&faultRT{h: h}, store)) },
				Posted: func() []storytest.Posted {
					var out []storytest.Posted
					for _, p := range posted() {
						out = append(out, storytest.Posted{ID: p.ID, Text: p.Text, Parent: p.Parent})
					}
					return out
				},
				Limit: limit,
			})
		})
	}
	t.Run("dryrun", func(t *testing.T) {
		d := &publish.DryRun{Rules: story.XRules{}}
		storytest.RunPublisher(t, storytest.Harness{
			New: func(*testing.T) story.Publisher { return d },
			Posted: func() []storytest.Posted {
				var out []storytest.Posted
				n := 0
				for _, th := range d.Threads() {
					for i, p := range th.Parts {
						n++
						parent := ""
						if i > 0 {
							parent = fmt.Sprint("dry-", n-1)
						}
						out = append(out, storytest.Posted{ID: fmt.Sprint("dry-", n), Text: p.Text, Parent: parent})
					}
				}
				return out
			},
			Limit: 281,
		})
	})
}

func TestMastodonRulesFromInstance(t *testing.T) {
	fake := newFakeMastodon(true) // GoToSocial: 5,000 characters
	srv := httptest.NewServer(fake)
	defer srv.Close()
	pub, err := publish.NewMastodon(srv.URL, fake.Token)
	require.NoError(t, err)
	long := thread("gts-long-ok", strings.Repeat("word ", 200)) // 1,000 characters
	_, err = pub.Publish(context.Background(), long)
	require.ErrorIs(t, err, story.ErrTooLong, "before Rules: Mastodon's default 500")
	rules, err := pub.Rules(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 5000, rules.MaxCharacters)
	assert.Equal(t, 23, rules.URLLength)
	_, err = pub.Publish(context.Background(), long)
	require.NoError(t, err)
	parts, err := story.Split(strings.Repeat("The hens are fine. ", 400), rules, true)
	require.NoError(t, err)
	assert.Len(t, parts, 2)
}
