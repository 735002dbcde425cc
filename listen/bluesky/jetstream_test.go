package bluesky

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/faulttest"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/config"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// fast are options that keep tests quick: short backoff and stall timeout.
func fast() []listen.Option {
	return []listen.Option{listen.WithRetryBackoff(time.Millisecond, 5*time.Millisecond), listen.WithStallTimeout(2 * time.Second), listen.WithMaxRetryTime(10 * time.Second)}
}

func TestJetstreamConformance(t *testing.T) {
	listentest.Run(t, func(t *testing.T) listen.Source {
		f := newFakeJetstream(t, genEvents(40, 1), true)
		src, err := NewJetstream(f.wsURL(), append(fast(), WithCollections(CollectionPost, CollectionLike, CollectionRepost))...)
		require.NoError(t, err)
		return src
	})
}

// TestMapping decodes every fixture event (captured shapes from
// wire-formats §2.1 and §12) and compares the posts with a golden file.
// Run with -update to rewrite it.
func TestMapping(t *testing.T) {
	f, err := os.Open("testdata/jetstream.jsonl")
	require.NoError(t, err)
	defer f.Close()
	type result struct {
		Line int          `json:"line"`
		Post *listen.Post `json:"post"` // null: not delivered
	}
	var got []result
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var ev event
		require.NoError(t, decodeEvent(sc.Bytes(), &ev), "line %d", n)
		r := result{Line: n}
		if p, ok := toPost(&ev); ok {
			r.Post = &p
		}
		got = append(got, r)
	}
	b, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	golden := "testdata/jetstream.golden.json"
	if *update {
		require.NoError(t, os.WriteFile(golden, append(b, '\n'), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(b))

	// Spot checks that do not depend on the golden file.
	first := got[0].Post
	require.NotNil(t, first)
	assert.Equal(t, "at://did:plc:ragtjsm2j2vknwkz3zp4oxrd/app.bsky.feed.post/3n2vg6j7qzk2z", first.ID)
	assert.Equal(t, "https://bsky.app/profile/did:plc:ragtjsm2j2vknwkz3zp4oxrd/post/3n2vg6j7qzk2z", first.URL)
	assert.Equal(t, []string{"golang"}, first.Tags)
	assert.Equal(t, []string{"alice.test"}, first.Mentions)
	assert.Equal(t, []string{"https://example.com"}, first.Links)
	assert.Equal(t, "en", first.Lang)
	assert.Equal(t, time.Date(2026, 11, 22, 10, 35, 24, 499e6, time.UTC), first.Created)
	assert.Equal(t, "at://did:plc:uqzpqmrjnptsxezjx4xuh2mn/app.bsky.feed.post/3n2vg5xxwbs26", first.ReplyTo)
	for _, i := range []int{2, 3, 4, 7} { // other collection, identity, account, follow
		assert.Nil(t, got[i].Post, "line %d must not be delivered", i+1)
	}
	assert.Equal(t, listen.KindLike, got[5].Post.Kind)
	assert.Equal(t, "at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223", got[5].Post.Subject)
	assert.Equal(t, listen.KindRepost, got[6].Post.Kind)
	assert.Equal(t, listen.KindUpdate, got[8].Post.Kind)
	assert.Equal(t, []string{"rsv", "music"}, got[8].Post.Tags)
	assert.Equal(t, listen.KindDelete, got[9].Post.Kind)
	assert.Equal(t, time.UnixMicro(1779719013004410).UTC(), got[10].Post.Created, "bad createdAt falls back to time_us")
}

// collect reads src until it has n deliveries or ctx ends, and counts
// each delivery key.
func collect(t *testing.T, ctx context.Context, src listen.Source, n int, seen map[string]int) (int, error) {
	t.Helper()
	got := 0
	for p, err := range src.Posts(ctx) {
		if err != nil {
			return got, err
		}
		seen[p.ID+"#"+p.Kind.String()]++
		if got++; got == n {
			break
		}
	}
	return got, nil
}

// handleThenStop handles n deliveries, then breaks out on the next one
// without handling it: as a host that stops, it is not counted, and the
// source must deliver it again after a restart.
func handleThenStop(t *testing.T, ctx context.Context, src listen.Source, n int, seen map[string]int) (int, error) {
	t.Helper()
	got := 0
	for p, err := range src.Posts(ctx) {
		if err != nil {
			return got, err
		}
		if got == n {
			break
		}
		seen[p.ID+"#"+p.Kind.String()]++
		got++
	}
	return got, nil
}

// TestJetstreamFaults runs the fault-injection scenario against both
// server generations: every post, like, repost and delete the fake
// published is delivered exactly once despite dropped connections (1006,
// 1000), refused handshakes (429, 503), garbage, truncated and binary
// frames, duplicates, reordering, stalls and storage-block replays, and a
// restart from the saved cursor resumes without gaps or repeats.
func TestJetstreamFaults(t *testing.T) {
	for _, seq := range []bool{false, true} {
		name := "time_us"
		if seq {
			name = "sequence"
		}
		t.Run(name, func(t *testing.T) {
			events := genEvents(1500, 7)
			want := wantKeys(events)
			f := newFakeJetstream(t, events, seq)
			f.rng = newRand(11)
			f.faultRate = 0.15
			f.stall = 120 * time.Millisecond
			store := &listen.MemoryStore{}
			opts := append(fast(),
				WithCollections(CollectionPost, CollectionLike, CollectionRepost),
				listen.WithCursorStore(store, "k"), listen.WithStallTimeout(60*time.Millisecond), listen.WithSaveInterval(0), WithRewind(100*time.Millisecond),
				listen.WithRetryBackoff(time.Millisecond, 2*time.Millisecond), listen.WithPauseLimit(5*time.Millisecond), listen.WithRetryAfterCap(2*time.Millisecond),
				// The log spans 1.5 s, not hours: a restarted server that
				// numbers its events anew is told by a smaller jump.
				config.Own("test.seqJump", func(o *jetOptions) { o.seqJump = 50 * time.Millisecond }))
			ctx := ctxTimeout(t, 2*time.Minute)
			seen := map[string]int{}

			// Run 1 handles half, then breaks out on a delivery it does
			// not handle; a run ended by a rate limit past the pause
			// limit is started again by the host.
			src1, err := NewJetstream(f.wsURL(), opts...)
			require.NoError(t, err)
			n1 := 0
			restarts := faulttest.Supervise(t, ctx, src1, 5*time.Millisecond, func(p listen.Post) bool {
				if n1 == len(want)/2 {
					return true
				}
				seen[p.ID+"#"+p.Kind.String()]++
				n1++
				return false
			})
			saved, _ := store.Load(ctx, "k")
			require.NotEmpty(t, saved)

			// Restart: a new source resumes from the saved cursor.
			src2, err := NewJetstream(f.wsURL(), opts...)
			require.NoError(t, err)
			n2 := 0
			restarts += faulttest.Supervise(t, ctx, src2, 5*time.Millisecond, func(p listen.Post) bool {
				seen[p.ID+"#"+p.Kind.String()]++
				n2++
				return n2 == len(want)-n1
			})

			for k, c := range seen {
				assert.True(t, want[k], "unexpected delivery %s", k)
				assert.Equal(t, 1, c, "%s delivered %d times", k, c)
			}
			for k := range want {
				assert.Contains(t, seen, k, "lost %s", k)
			}
			f.mu.Lock()
			assert.Equal(t, len(events), f.published, "the fake published its whole log")
			t.Logf("jetstream %s: faults %d (issue 19 kinds %d) %v; connections %d; restarts %d",
				name, f.faults.Total(), f.faults.Of(faulttest.Issue19()...), f.faults, f.conns, restarts)
			assert.GreaterOrEqual(t, f.faults.Of(faulttest.Issue19()...), 200)
			f.mu.Unlock()
			st1, st2 := src1.Stats(), src2.Stats()
			assert.Positive(t, st1.Reconnects+st2.Reconnects)
			assert.Positive(t, st1.Duplicates+st2.Duplicates)
			assert.Positive(t, st1.Skipped+st2.Skipped)
			// The one delivery run 1 broke out on came again in run 2.
			assert.Equal(t, int64(len(want)+1), st1.Delivered+st2.Delivered)
		})
	}
}

func TestJetstreamResumesWithSequenceCursor(t *testing.T) {
	events := genEvents(30, 3)
	f := newFakeJetstream(t, events, true)
	store := &listen.MemoryStore{}
	opts := append(fast(), listen.WithCursorStore(store, "k"))
	ctx := ctxTimeout(t, 10*time.Second)
	src, err := NewJetstream(f.wsURL(), opts...)
	require.NoError(t, err)
	_, err = collect(t, ctx, src, 5, map[string]int{})
	require.NoError(t, err)
	src, err = NewJetstream(f.wsURL(), opts...)
	require.NoError(t, err)
	_, err = collect(t, ctx, src, 1, map[string]int{})
	require.NoError(t, err)
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Len(t, f.cursors, 2)
	assert.Equal(t, "", f.cursors[0], "first run tails live")
	var st savedState
	c, _ := store.Load(ctx, "k")
	require.NoError(t, json.Unmarshal([]byte(c), &st))
	assert.Positive(t, st.Seq)
	assert.Less(t, st.Seq, int64(1e15), "a sequence, not a time")
	assert.NotEmpty(t, f.cursors[1])
	assert.Less(t, len(f.cursors[1]), 15, "resumed with the sequence cursor, got %s", f.cursors[1])
}

func TestJetstreamHandshakeRefused(t *testing.T) {
	f := newFakeJetstream(t, genEvents(5, 1), false)
	src, err := NewJetstream(f.URL+"/nope", fast()...)
	require.NoError(t, err)
	var errs []error
	for _, err := range src.Posts(ctxTimeout(t, 5*time.Second)) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], listen.ErrNotFound)
	assert.True(t, strings.HasPrefix(errs[0].Error(), "bluesky: "), errs[0].Error())
}

func TestJetstreamRetries5xxThenFlows(t *testing.T) {
	f := newFakeJetstream(t, genEvents(20, 2), false)
	f.reject = 3
	src, err := NewJetstream(f.wsURL(), fast()...)
	require.NoError(t, err)
	n, err := collect(t, ctxTimeout(t, 10*time.Second), src, 3, map[string]int{})
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Equal(t, int64(3), src.Stats().Reconnects)
}

func TestJetstreamGivesUp(t *testing.T) {
	f := newFakeJetstream(t, genEvents(5, 1), false)
	f.reject = 1 << 30
	src, err := NewJetstream(f.wsURL(), listen.WithRetryBackoff(time.Millisecond, 2*time.Millisecond), listen.WithMaxRetryTime(50*time.Millisecond))
	require.NoError(t, err)
	var errs []error
	for _, err := range src.Posts(ctxTimeout(t, 5*time.Second)) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	var he *listen.HTTPError
	require.ErrorAs(t, errs[0], &he)
	assert.Equal(t, 503, he.StatusCode)
}

// TestJetstreamStalls: connections that stay silent are replaced; when
// they stay silent for longer than the retry budget, the source ends with
// ErrStalled.
func TestJetstreamStalls(t *testing.T) {
	// Only identity events pass a DID filter that matches nobody's
	// commits: the fake stays silent after the log.
	f := newFakeJetstream(t, nil, false)
	src, err := NewJetstream(f.wsURL(), listen.WithRetryBackoff(time.Millisecond, 2*time.Millisecond), listen.WithStallTimeout(20*time.Millisecond),
		listen.WithMaxRetryTime(200*time.Millisecond))
	require.NoError(t, err)
	var errs []error
	for _, err := range src.Posts(ctxTimeout(t, 5*time.Second)) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], listen.ErrStalled)
	assert.Positive(t, src.Stats().Reconnects, "silent connections are replaced before giving up")
	assert.Positive(t, src.Stats().Pauses, "each stall is counted")
}

func TestJetstreamBadSavedCursor(t *testing.T) {
	store := &listen.MemoryStore{}
	require.NoError(t, store.Save(context.Background(), "k", "{garbage"))
	f := newFakeJetstream(t, genEvents(5, 1), false)
	src, err := NewJetstream(f.wsURL(), listen.WithCursorStore(store, "k"))
	require.NoError(t, err)
	var errs []error
	for _, err := range src.Posts(context.Background()) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], errBadCursor)
}

func TestCursorRoundTrip(t *testing.T) {
	st := newStreamState(100)
	for i := int64(0); i < 50; i++ {
		st.add(uint64(1000+i), 1_000_000+i*200_000) // 0.2 s apart
	}
	st.maxTimeUS, st.maxSeq = 1_000_000+49*200_000, 77
	c := st.marshal(2_000_000, 1000)
	back := newStreamState(100)
	require.NoError(t, back.restore(c))
	assert.Equal(t, st.maxTimeUS, back.maxTimeUS)
	assert.Equal(t, int64(77), back.maxSeq)
	// Only keys within the 2 s rewind window are kept: 11 of them.
	assert.Equal(t, 11, back.seen.Len())
	assert.True(t, back.has(1049))
	assert.False(t, back.has(1000))
	// A bare time_us cursor from elsewhere is accepted.
	bare := newStreamState(10)
	require.NoError(t, bare.restore("1779719009157119"))
	assert.Equal(t, int64(1779719009157119), bare.maxTimeUS)
	assert.Error(t, bare.restore("-5"))
}

func TestNewJetstreamValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  string
		opts []listen.Option
	}{
		{"scheme", "ftp://x/subscribe", nil},
		{"nohost", "wss:///subscribe", nil},
		{"idle", "wss://x/subscribe", []listen.Option{listen.WithStallTimeout(0)}},
		{"backoff", "wss://x/subscribe", []listen.Option{listen.WithRetryBackoff(time.Second, time.Millisecond)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewJetstream(tc.url, tc.opts...)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "bluesky: "))
		})
	}
	_, err := NewJetstream("wss://x/subscribe")
	assert.NoError(t, err)
	assert.False(t, errors.Is(err, listen.ErrAuth))
}

// TestJetstreamManyDIDs: with more DIDs than fit a URL the filter goes in
// an options_update message (requireHello), and only those DIDs' posts
// arrive.
func TestJetstreamManyDIDs(t *testing.T) {
	events := genEvents(300, 5)
	f := newFakeJetstream(t, events, true)
	var dids []string
	want := map[string]bool{}
	for i := 0; i < 200; i += 2 { // every other author
		dids = append(dids, fmt.Sprintf("did:plc:fakeuser%04d", i))
	}
	for _, e := range events {
		if e.want != "" && e.coll == CollectionPost && contains(dids, e.did) {
			want[e.want] = true
		}
	}
	src, err := NewJetstream(f.wsURL(), append(fast(), WithDIDs(dids...))...)
	require.NoError(t, err)
	seen := map[string]int{}
	_, err = collect(t, ctxTimeout(t, 10*time.Second), src, len(want), seen)
	require.NoError(t, err)
	for k := range seen {
		assert.True(t, want[k], "post of an unwanted DID: %s", k)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	assert.Equal(t, 1, f.hellos)
	assert.NotContains(t, f.cursors, "did:plc")
}

// TestJetstreamSequenceFromAnotherInstance: after a restart the host
// name leads to another instance whose sequence numbers differ, so the
// saved sequence points elsewhere in its log: 300 events back (a replay
// far from the cursor's time) or 300 ahead (past its end: silence). The
// client notices and resumes by time: nothing is lost or repeated.
func TestJetstreamSequenceFromAnotherInstance(t *testing.T) {
	for _, shift := range []int64{300, -300} {
		t.Run(fmt.Sprint(shift), func(t *testing.T) {
			events := genEvents(600, 8)
			want := wantKeys(events)
			f := newFakeJetstream(t, events, true)
			f.shiftAfter, f.shift = 1, shift
			store := &listen.MemoryStore{}
			opts := append(fast(), WithCollections(CollectionPost, CollectionLike, CollectionRepost), listen.WithCursorStore(store, "k"),
				WithRewind(100*time.Millisecond), listen.WithStallTimeout(300*time.Millisecond), config.Own("test.seqJump", func(o *jetOptions) { o.seqJump = 50 * time.Millisecond }))
			ctx := ctxTimeout(t, 2*time.Minute)
			seen := map[string]int{}
			src, err := NewJetstream(f.wsURL(), opts...)
			require.NoError(t, err)
			_, err = handleThenStop(t, ctx, src, 300, seen)
			require.NoError(t, err)
			src, err = NewJetstream(f.wsURL(), opts...)
			require.NoError(t, err)
			_, err = collect(t, ctx, src, len(want)-300, seen)
			require.NoError(t, err)
			for k := range want {
				assert.Equal(t, 1, seen[k], "%s", k)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			require.GreaterOrEqual(t, len(f.cursors), 3)
			assert.Less(t, len(f.cursors[1]), 15, "first resume by sequence: %s", f.cursors[1])
			assert.Greater(t, len(f.cursors[2]), 15, "then by time: %s", f.cursors[2])
		})
	}
}

// TestJetstreamSequenceToOlderServer: after a restart the host name leads
// to a v1 server, which takes the saved sequence number for a time far in
// the past and replays from the start of its log. The client sees events
// without sequence, resumes by time, and delivers nothing twice.
func TestJetstreamSequenceToOlderServer(t *testing.T) {
	events := genEvents(400, 12)
	want := wantKeys(events)
	f := newFakeJetstream(t, events, true)
	f.v1After = 1
	store := &listen.MemoryStore{}
	opts := append(fast(), WithCollections(CollectionPost, CollectionLike, CollectionRepost), listen.WithCursorStore(store, "k"), WithRewind(100*time.Millisecond))
	ctx := ctxTimeout(t, 2*time.Minute)
	seen := map[string]int{}
	src, err := NewJetstream(f.wsURL(), opts...)
	require.NoError(t, err)
	_, err = handleThenStop(t, ctx, src, 200, seen)
	require.NoError(t, err)
	src, err = NewJetstream(f.wsURL(), opts...)
	require.NoError(t, err)
	_, err = collect(t, ctx, src, len(want)-200, seen)
	require.NoError(t, err)
	for k := range want {
		assert.Equal(t, 1, seen[k], "%s", k)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	require.GreaterOrEqual(t, len(f.cursors), 3)
	assert.Less(t, len(f.cursors[1]), 15, "first resume by sequence: %s", f.cursors[1])
	assert.Greater(t, len(f.cursors[2]), 15, "then by time: %s", f.cursors[2])
}

// TestJetstreamHandlesFromIdentityEvents: commits name only the DID; an
// identity event with a handle makes the account's later posts carry it.
func TestJetstreamHandlesFromIdentityEvents(t *testing.T) {
	raw, err := os.ReadFile("testdata/jetstream.jsonl")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	post := strings.Replace(lines[1], "did:plc:q235v55g5unth4zjjdpacfdr", "did:plc:g4ut2w5755qxi3fe7mfs72p4", 1)
	events := []fakeEvent{
		{seq: 1, timeUS: 1, did: "did:plc:g4ut2w5755qxi3fe7mfs72p4", kind: "commit", coll: CollectionPost, frame: post},
		{seq: 2, timeUS: 2, did: "did:plc:g4ut2w5755qxi3fe7mfs72p4", kind: "identity", frame: lines[3]}, // handle carol.example.com
		{seq: 3, timeUS: 3, did: "did:plc:g4ut2w5755qxi3fe7mfs72p4", kind: "commit", coll: CollectionPost, frame: strings.Replace(post, "3mmoojp4cd223", "3mmoojp4cd224", 1)},
	}
	f := newFakeJetstream(t, events, false)
	src, err := NewJetstream(f.wsURL(), fast()...)
	require.NoError(t, err)
	var got []listen.Post
	for p, err := range src.Posts(ctxTimeout(t, 5*time.Second)) {
		require.NoError(t, err)
		if got = append(got, p); len(got) == 2 {
			break
		}
	}
	require.Len(t, got, 2)
	assert.Equal(t, "", got[0].Author.Handle, "no identity event yet")
	assert.Equal(t, "carol.example.com", got[1].Author.Handle)
	assert.Equal(t, "did:plc:g4ut2w5755qxi3fe7mfs72p4", got[1].Author.ID)
}
