package trend

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFeatures(t *testing.T) {
	m := Mention{
		Author: "bluesky:ana.bsky.social", Source: "bluesky",
		Text: "Lost my BAG again @United!! #FAIL #fail see https://t.co/XyZ ok? a 737 Ünïcode naïve café's x",
	}
	var got []string
	for _, f := range features(nil, &m) {
		got = append(got, f.kind+":"+f.value)
	}
	assert.Equal(t, []string{
		"author:bluesky:ana.bsky.social", "source:bluesky",
		"term:lost", "term:my", "term:bag", "term:again", "mention:united", "hashtag:fail",
		"term:see", "term:ok", "term:737", "term:ünïcode", "term:naïve", "term:café",
	}, got)

	long := Mention{Text: strings.Repeat("w", 3) + " " + strings.Repeat("word ", 10)}
	for i := range 100 {
		long.Text += fmt.Sprintf(" t%d", i)
	}
	assert.Len(t, features(nil, &long), maxFeatures)
	assert.Empty(t, features(nil, &Mention{Text: "# @ http://x.y a"}))
	for _, s := range []string{"\xff\xfe#", "@", "#\xff", "ab\u0301c"} {
		features(nil, &Mention{Text: s}) // no panic
	}
}

func FuzzFeatures(f *testing.F) {
	for _, s := range []string{"Lost my BAG @united #fail https://t.co/x", "café's naïve", "#\xff@\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fs := features(nil, &Mention{Text: text})
		require.LessOrEqual(t, len(fs), maxFeatures)
		seen := map[uint64]bool{}
		for _, x := range fs {
			require.NotEmpty(t, x.value)
			require.False(t, seen[x.hash], "features are distinct")
			seen[x.hash] = true
			require.Equal(t, strings.ToLower(x.value), x.value)
		}
	})
}

var rt0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// chatter returns a post about key from a vocabulary shared by all keys.
func chatter(r *rand.Rand, key string, at time.Time) Mention {
	words := strings.Fields("the coffee was good today and i like it a lot but the line is long again this morning with friends")
	var b strings.Builder
	b.WriteString(key)
	for range 8 {
		b.WriteString(" " + words[r.IntN(len(words))])
	}
	return Mention{Key: key, At: at, Text: b.String(), Author: fmt.Sprint("u", r.IntN(500)), Source: []string{"mastodon", "bluesky"}[r.IntN(2)]}
}

func TestReasonsExplain(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var rs Reasons
	// A day of chatter about two keys, one post a minute each.
	for i := range 24 * 60 {
		at := rt0.Add(time.Duration(i) * time.Minute)
		rs.Add(chatter(r, "acme", at))
		rs.Add(chatter(r, "rival", at))
	}
	// An hour of uproar about acme's recall, with one loud author, on
	// top of the chatter; rival's chatter goes on.
	start := rt0.Add(24 * time.Hour)
	for i := range 60 {
		at := start.Add(time.Duration(i) * time.Minute)
		rs.Add(chatter(r, "acme", at))
		rs.Add(chatter(r, "rival", at))
		m := chatter(r, "acme", at.Add(time.Second))
		m.Text += " the RECALL is a joke #AcmeRecall"
		if i%3 == 0 {
			m.Author = "loud"
		}
		rs.Add(m)
	}
	a := Alert{Kind: AlertSpike, Key: "acme", Start: start, End: start.Add(time.Hour)}
	got := rs.Explain(a)
	require.Len(t, got, defaultMaxReasons)
	top := map[string]Reason{}
	for _, x := range got {
		top[x.Kind+":"+x.Value] = x
	}
	require.Contains(t, top, "term:recall")
	require.Contains(t, top, "hashtag:acmerecall")
	require.Contains(t, top, "term:joke")
	require.Contains(t, top, "author:loud")
	rc := top["term:recall"]
	assert.InDelta(t, 60, rc.Count, 4, "counts are sketch estimates")
	assert.InDelta(t, 0.5, rc.Share, 0.04)
	assert.Greater(t, rc.Lift, 100.0)
	assert.InDelta(t, 20, top["author:loud"].Count, 3)
	for _, x := range got {
		assert.Greater(t, x.Lift, 1.0)
	}

	// The same episode, open: up to the newest post.
	open := rs.Explain(Alert{Key: "acme", Start: start})
	assert.Equal(t, got, open)
	assert.Equal(t, got, rs.Between("acme", start, start.Add(time.Hour)))
	// Nothing stands out for rival, nor before the uproar.
	assert.Empty(t, rs.Explain(Alert{Key: "rival", Start: start, End: start.Add(time.Hour)}))
	assert.Empty(t, rs.Explain(Alert{Key: "acme", Start: start.Add(-2 * time.Hour), End: start.Add(-time.Hour)}))
	assert.Nil(t, rs.Explain(Alert{Key: "nobody", Start: start}))
	assert.Nil(t, rs.Explain(Alert{Key: "acme", Start: start.Add(-12 * time.Hour), End: start.Add(-11 * time.Hour)}), "left the window")
	var empty Reasons
	assert.Nil(t, empty.Explain(a))

	// Reasons travel with the alert.
	a.Reasons = got
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"reasons":[{"kind":"hashtag","value":"acmerecall","count":`)
}

// TestReasonsNoBaseline checks that a key with no posts before its
// episode gets no reasons (nothing to compare with).
func TestReasonsNoBaseline(t *testing.T) {
	var rs Reasons
	for i := range 30 {
		rs.Add(Mention{Key: "new", At: rt0.Add(time.Duration(i) * time.Minute), Text: "launch day"})
	}
	assert.Nil(t, rs.Explain(Alert{Key: "new", Start: rt0}))
}

// TestReasonsOldAndJumps checks that mentions older than the window and
// jumps forward feed the baseline without panicking.
func TestReasonsOldAndJumps(t *testing.T) {
	rs := Reasons{Window: time.Hour, MaxKeys: 2}
	r := rand.New(rand.NewPCG(3, 4))
	rs.Add(chatter(r, "a", rt0.Add(48*time.Hour)))
	for i := range 200 {
		rs.Add(chatter(r, "a", rt0.Add(time.Duration(i)*time.Minute))) // all older than the window
	}
	rs.Add(chatter(r, "b", rt0.Add(1000*time.Hour)))
	rs.Add(chatter(r, "c", rt0.Add(1000*time.Hour)))
	assert.Len(t, rs.keys, 2)
	for i := range 30 {
		m := chatter(r, "c", rt0.Add(1000*time.Hour+time.Duration(i)*time.Minute))
		m.Text += " zebra"
		rs.Add(m)
	}
	assert.Nil(t, rs.Explain(Alert{Key: "c", Start: rt0.Add(1000 * time.Hour)}), "c has no posts before the episode")
}
