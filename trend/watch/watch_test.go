package watch_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/viral"
	"github.com/earshot-dev/earshot/trend/watch"
)

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday

// event is a mention of a key or a reshare of a post.
type event struct {
	m       trend.Mention // m.Key is "" for a reshare
	reshare string
}

// story is three days about "acme": calm chatter, then on Wednesday at
// 09:00 a three-hour wave of complaints, during which one complaint is
// reshared 600 times; "globex" stays calm throughout.
func story(seed uint64) []event {
	r := rand.New(rand.NewPCG(seed, 1))
	var evs []event
	n := 0
	mention := func(key string, at time.Time, compound float64, text string) {
		n++
		evs = append(evs, event{m: trend.Mention{Key: key, ID: fmt.Sprintf("x:%d", n), Text: text, At: at,
			Followers: 100, Sentiment: compound}})
	}
	end := t0.Add(72 * time.Hour)
	wave := t0.Add(57 * time.Hour)
	for at := t0; at.Before(end); at = at.Add(time.Duration(r.ExpFloat64() * float64(3*time.Minute))) {
		c := 0.5
		if r.Float64() < 0.1 {
			c = -0.5
		}
		mention("acme", at, c, "acme coffee again")
		mention("globex", at.Add(time.Second), 0.3, "globex is fine")
	}
	for at := wave; at.Before(wave.Add(3 * time.Hour)); at = at.Add(time.Duration(r.ExpFloat64() * float64(20*time.Second))) {
		c := -0.7
		if r.Float64() < 0.2 {
			c = 0.2
		}
		mention("acme", at, c, "acme's new prices are a rip-off")
	}
	viralAt := wave.Add(30 * time.Minute)
	mention("acme", viralAt, -0.8, "Ten years a customer, and acme does this. Goodbye.")
	id := evs[len(evs)-1].m.ID
	for i, at := 0, viralAt; i < 600; i++ {
		at = at.Add(time.Duration(r.ExpFloat64() * float64(10*time.Second)))
		evs = append(evs, event{reshare: id, m: trend.Mention{At: at, Followers: 1000}})
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].m.At.Before(evs[j].m.At) })
	return evs
}

func newWatch(got *[]watch.Alert) *watch.Watch {
	return &watch.Watch{
		Spikes:  trend.Spikes{Bucket: 15 * time.Minute, Spike: trend.Spike{MinCount: 10, Warmup: 12 * time.Hour}},
		Viral:   viral.Detector{Threshold: 500, MinCount: 20},
		OnAlert: func(a watch.Alert) { *got = append(*got, a) },
	}
}

func run(w *watch.Watch, evs []event) {
	var checked time.Time
	for _, e := range evs {
		if at := e.m.At.Truncate(15 * time.Minute); at.After(checked) {
			w.Check(at)
			checked = at
		}
		if e.reshare != "" {
			w.Reshare(e.reshare, e.m.At, e.m.Followers)
			continue
		}
		w.Observe(e.m)
	}
	w.Check(t0.Add(80 * time.Hour))
}

func TestOncePerEpisodeWithEvidence(t *testing.T) {
	var got []watch.Alert
	w := newWatch(&got)
	run(w, story(1))

	opened := map[string]int{}
	ended := map[string]int{}
	for _, a := range got {
		t.Log(a.Title, "|", a.String())
		id := fmt.Sprint(a.Kind, a.Key, a.Start)
		if a.Open() {
			opened[id]++
		} else {
			ended[id]++
			assert.Equal(t, 1, opened[id], "an end follows its start: %s", a.Title)
		}
		assert.Equal(t, "acme", a.Tracked, "calm globex raises nothing")
		assert.NotEmpty(t, a.Evidence, "every alert shows posts: %s", a.Title)
		assert.NotEmpty(t, a.Title)
		assert.Equal(t, "Wed", a.Start.Format("Mon"), "only the wave alerts: %s", a.Title)
	}
	for id, n := range opened {
		assert.Equal(t, 1, n, "opened once: %s", id)
	}
	for id, n := range ended {
		assert.Equal(t, 1, n, "ended once: %s", id)
	}

	kinds := map[string]bool{}
	for _, a := range w.Alerts() {
		kinds[string(a.Kind)+" "+a.Series] = true
		switch {
		case a.Kind == trend.AlertViral:
			assert.Equal(t, "Ten years a customer, and acme does this. Goodbye.", a.Evidence[0].Text)
			assert.Equal(t, "post about acme going viral since Wed 10:30", a.Title)
		case a.Series == watch.NegativePosts:
			assert.Equal(t, "acme: negative posts", a.Key)
			for _, e := range a.Evidence {
				assert.Contains(t, e.Text, "rip-off", "a negative spike shows negative posts")
			}
		}
	}
	assert.True(t, kinds["spike mentions"], "%v", kinds)
	assert.True(t, kinds["spike negative posts"], "%v", kinds)
	assert.True(t, kinds["sentiment "], "%v", kinds)
	assert.True(t, kinds["viral "], "%v", kinds)
}

// The most shared list and the viral alert tell the same story: the
// flagged post is the one with an open viral episode.
func TestTopMatchesViralAlert(t *testing.T) {
	var got []watch.Alert
	w := newWatch(&got)
	evs := story(2)
	var last time.Time
	for _, e := range evs {
		if e.reshare != "" {
			last = e.m.At
		}
	}
	run(w, evs)
	top := w.Top(last.Add(time.Hour), 3)
	require.NotEmpty(t, top)
	assert.Equal(t, "acme", top[0].Tracked)
	assert.Contains(t, top[0].Text, "Ten years a customer")
	assert.GreaterOrEqual(t, top[0].Final, top[0].Observed)
	var viralAlert *watch.Alert
	for _, a := range w.Alerts() {
		if a.Kind == trend.AlertViral {
			viralAlert = &a
		}
	}
	require.NotNil(t, viralAlert)
	assert.Equal(t, top[0].ID, viralAlert.Key)
	assert.Equal(t, viralAlert.Open(), top[0].Flagged)
}

// Runs over the same data report the same alerts in the same order.
func TestDeterministic(t *testing.T) {
	var a, b []watch.Alert
	run(newWatch(&a), story(3))
	run(newWatch(&b), story(3))
	require.NotEmpty(t, a)
	assert.Equal(t, a, b)
}

func TestReshareOfUnknownOrForgottenPost(t *testing.T) {
	w := &watch.Watch{MaxPosts: 2, Viral: viral.Detector{Threshold: 1, MinCount: 1}}
	for i := range 3 {
		w.Observe(trend.Mention{Key: "k", ID: fmt.Sprint(i), At: t0.Add(time.Duration(i) * time.Minute)})
	}
	w.Reshare("never seen", t0.Add(time.Hour), 10)
	w.Reshare("0", t0.Add(time.Hour), 10) // forgotten: MaxPosts is 2
	w.Reshare("2", t0.Add(time.Hour), 10)
	top := w.Top(t0.Add(2*time.Hour), 10)
	require.Len(t, top, 1)
	assert.Equal(t, "2", top[0].ID)
}

// Bad input never panics: an unscored mention counts in volume only, and
// odd times and texts are harmless.
func TestBadInput(t *testing.T) {
	var got []watch.Alert
	w := newWatch(&got)
	w.Observe(trend.Mention{})
	w.Observe(trend.Mention{Key: "k", ID: "a", Text: strings.Repeat("é", 1000), At: t0, Sentiment: 7})
	w.Observe(trend.Mention{Key: "k", ID: "b", At: t0.Add(-time.Hour), Sentiment: math.NaN()})
	w.Reshare("a", time.Time{}, -5)
	w.Check(time.Time{})
	w.Check(t0.Add(time.Hour))
	assert.Empty(t, got)
}

func Example() {
	w := &watch.Watch{
		Spikes: trend.Spikes{Bucket: 15 * time.Minute, Spike: trend.Spike{MinCount: 10, Warmup: 12 * time.Hour}},
		Viral:  viral.Detector{Threshold: 500, MinCount: 20},
		OnAlert: func(a watch.Alert) {
			if a.Open() {
				fmt.Printf("%s (%s), e.g. %q\n", a.Title, a.Severity, a.Evidence[0].Text)
			}
		},
	}
	// run feeds acme's three days (see watch_test.go): Check every 15
	// minutes of data, Reshare for reshares, Observe for mentions.
	run(w, story(1))
	// Output:
	// negative shift about acme since Wed 09:00 (warning), e.g. "acme's new prices are a rip-off"
	// spike in mentions of acme since Wed 09:00 (critical), e.g. "acme's new prices are a rip-off"
	// spike in negative posts about acme since Wed 09:00 (critical), e.g. "acme's new prices are a rip-off"
	// post about acme going viral since Wed 10:30 (critical), e.g. "Ten years a customer, and acme does this. Goodbye."
}

// TestDrop: a key whose talk stops (or whose source dies) raises one drop
// alert, titled as a drop and with no reasons, and never a "spike".
func TestDrop(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 1))
	var evs []event
	silent := t0.Add(57 * time.Hour) // Wednesday 09:00
	for at, n := t0, 0; at.Before(t0.Add(72 * time.Hour)); at = at.Add(time.Duration(r.ExpFloat64() * float64(30*time.Second))) {
		n++
		if at.Before(silent) {
			evs = append(evs, event{m: trend.Mention{Key: "acme", ID: fmt.Sprintf("a:%d", n), Text: "acme coffee again", At: at, Sentiment: 0.5}})
		}
		evs = append(evs, event{m: trend.Mention{Key: "globex", ID: fmt.Sprintf("g:%d", n), Text: "globex is fine", At: at.Add(time.Second), Sentiment: 0.3}})
	}
	var got []watch.Alert
	w := newWatch(&got)
	w.Reasons = &trend.Reasons{}
	run(w, evs)

	var drops []watch.Alert
	for _, a := range w.Alerts() {
		t.Log(a.Title, "|", a.String())
		assert.NotEqual(t, trend.AlertSpike, a.Kind, "silence is not a spike: %s", a.Title)
		switch {
		case a.Kind == trend.AlertDrop && a.Tracked == "acme":
			drops = append(drops, a)
		case a.Kind == trend.AlertDrop:
			assert.False(t, a.Start.Before(t0.Add(72*time.Hour)), "globex drops only when the data ends: %s", a.Title)
		}
	}
	require.Len(t, drops, 1, "one drop episode of acme")
	d := drops[0]
	assert.Equal(t, "acme: mentions", d.Key)
	assert.False(t, d.Start.Before(silent), "the drop starts when the talk stops")
	assert.True(t, strings.HasPrefix(d.Title, "drop in mentions of acme since Wed "), d.Title)
	assert.Contains(t, d.Summary, "below")
	assert.Empty(t, d.Reasons, "what is missing is not in the posts")
}
