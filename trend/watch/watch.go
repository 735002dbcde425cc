// Package watch follows tracked keys (a brand, a product, a campaign)
// through the alert detectors of trend and trend/viral at once, the way a
// listening app needs them: for each key, volume spikes of its mentions and
// of its negative mentions ([trend.Spikes]), a rise in the share of negative
// posts ([trend.Shift]), and its posts going viral ([viral.Detector]). Each
// episode is reported once when it opens and once when it ends, with
// example posts as evidence and, when [Watch.Reasons] is set, what stood
// out in it.
//
// The host decides which posts are about which key (a [listen.Query], say)
// and scores their sentiment; watch takes keys, times and numbers, like
// the detectors it drives, and imports neither listen nor sentiment:
//
//	w := &watch.Watch{
//		Spikes:  trend.Spikes{Bucket: 15 * time.Minute},
//		Viral:   viral.Detector{Threshold: 500},
//		OnAlert: func(a watch.Alert) { fmt.Println(a.Title) },
//	}
//	var checked time.Time
//	for p, err := range src.Posts(ctx) {
//		...
//		if at := p.Created.Truncate(15 * time.Minute); at.After(checked) {
//			w.Check(at) // closes spike buckets, predicts reshared posts
//			checked = at
//		}
//		if p.Kind == listen.KindRepost {
//			w.Reshare(p.Platform+":"+p.Subject, p.Created, p.Author.Followers)
//			continue
//		}
//		if !q.Match(&p) {
//			continue
//		}
//		m := trend.Mention{Key: "larkspur", ID: p.Key(), Text: p.Text, At: p.Created,
//			Followers: p.Author.Followers, Sentiment: math.NaN()}
//		if s, err := scorer.Score(ctx, p.Text); err == nil {
//			m.Sentiment = s.Compound
//		}
//		w.Observe(m)
//	}
//
// A mention is the [trend.Mention] that trend.Metrics, trend.Voices and
// trend.Reasons take too, so a host builds it once per post and key.
//
// # Why an alert fired
//
// Set Reasons to a [trend.Reasons] (its zero value will do) and every
// spike and shift alert carries, in [trend.Alert.Reasons], the terms,
// hashtags, @mentions, authors and sources over-represented in its
// episode against the key's posts before it, with their lift. Give each
// mention its Author and Source so that those can stand out too:
//
//	w := &watch.Watch{Reasons: &trend.Reasons{}, ...}
//	w.Observe(trend.Mention{..., Author: p.Platform + ":" + p.Author.Handle, Source: p.Platform})
//
// It costs 1 to 2 us of CPU per mention (0.8 us more per record in
// BenchmarkStory's short posts; 2 us for a tweet-sized text) and 47 KiB
// per key with the default 6-hour window (see [trend.Reasons]); left nil,
// nothing is spent. A slow shift on a quiet key can open hours after its
// start: a Window of a day explains such episodes whole, for four times
// the memory.
//
// [listen.Query]: https://pkg.go.dev/github.com/earshot-dev/earshot/listen#Query
package watch

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/viral"
)

// The spike series of each key, as they appear in [Alert.Series].
const (
	Mentions      = "mentions"
	NegativePosts = "negative posts"
)

// Alert is a detector's [trend.Alert] with the tracked key it is about.
//
// Key identifies the episode with Kind and Start: for a spike or a drop
// (a series far below its usual, [trend.AlertDrop]) it is the tracked key
// and the series ("larkspur: negative posts"), for a sentiment
// shift the tracked key, for a viral post the post's ID. Evidence always
// holds example posts: the detector's own (a shift's most negative posts,
// the viral post) or, for a spike or drop, the latest posts of its series.
//
// With [Watch.Reasons] set, a spike or shift alert's Reasons say what
// stood out in the tracked key's posts during the episode (all its posts,
// for a spike in negative posts too); a viral post is its own reason and
// gets none. An alert that opens on too few posts to tell may have no
// reasons at first; they are worked out again each time the episode is
// reported, while its start is within the Reasons' window. A drop gets
// none either: what is missing is not in the posts. An episode
// that opens later than that after its start is explained by the
// window's posts.
type Alert struct {
	trend.Alert
	Tracked string `json:"tracked"`          // the tracked key
	Series  string `json:"series,omitempty"` // spikes and drops: Mentions or NegativePosts
	Title   string `json:"title"`            // one line: "spike in negative posts about larkspur since Tue 10:45"
}

// Shared is a post ranked by its predicted final number of reshares.
type Shared struct {
	ID       string    `json:"id"`
	Tracked  string    `json:"tracked"`
	Text     string    `json:"text"`
	Posted   time.Time `json:"posted"`
	Observed float64   `json:"observed"` // reshares so far
	Final    float64   `json:"final"`    // predicted final reshares
	Low      float64   `json:"low"`      // about an 80% interval around Final
	High     float64   `json:"high"`
	Flagged  bool      `json:"flagged"` // its viral episode is open: the same figures as its alert
}

// Watch runs the detectors over the mentions of tracked keys. Configure
// the three detectors through their fields before first use (their
// OnAlert fields are Watch's own and are overwritten); their zero values
// work, except that a zero [viral.Detector] flags nothing.
//
// Memory is bounded: the detectors bound their own, Watch remembers the
// last MaxPosts mentions (for reshares and evidence), a few recent posts
// per key, and the last 1,000 episodes.
//
// Watch reads no clock and starts no goroutine. It is not safe for
// concurrent use.
type Watch struct {
	Spikes trend.Spikes   // per key, a Mentions and a NegativePosts series
	Shift  trend.Shift    // per key
	Viral  viral.Detector // per mention, fed by Reshare

	// Examples is how many posts a spike or drop alert shows; 0 means 3.
	Examples int
	// MaxPosts is how many mentions are remembered for reshares and
	// evidence; 0 means 100,000. Reshares of a forgotten post are ignored.
	MaxPosts int
	// OnAlert is called synchronously for each episode when it opens and
	// when it ends (End set). Updates in between show in Alerts.
	OnAlert func(Alert)
	// Reasons, if not nil, is fed every mention observed (under its
	// tracked key) and explains spike and shift alerts: see "Why an alert
	// fired" above. Watch adds to it; the host must not add the same
	// mentions again. Nil costs nothing.
	Reasons *trend.Reasons

	ready   bool
	posts   map[string]posted
	order   []string // ring of remembered IDs, oldest at next
	next    int
	recent  map[string][]trend.Evidence // per spike key
	series  map[string][2]string        // key -> its two spike keys, built once
	pending []trend.Alert
	alerts  []*Alert
	byEp    map[episode]*Alert
	newest  time.Time // the latest mention time seen, for Reasons
}

type posted struct {
	key       string
	text      string
	at        time.Time
	followers int
	tracked   bool // registered with the viral detector
}

type episode struct {
	kind  trend.AlertKind
	key   string
	start int64
}

// maxEpisodes bounds Alerts.
const maxEpisodes = 1000

// sep joins a tracked key and a series in the spike detector's keys.
const sep = "\x00"

func (w *Watch) init() {
	if w.ready {
		return
	}
	w.ready = true
	w.posts = map[string]posted{}
	w.recent = map[string][]trend.Evidence{}
	w.byEp = map[episode]*Alert{}
	w.series = map[string][2]string{}
	add := func(a trend.Alert) { w.pending = append(w.pending, a) }
	w.Spikes.OnAlert = add
	w.Shift.OnAlert = add
}

func (w *Watch) negative(compound float64) bool {
	n := w.Shift.Negative
	if n == 0 {
		n = trend.DefaultNegative
	}
	return compound <= n
}

// Observe records a mention of the tracked key m.Key. A post about
// several keys is observed once per key. Watch reads m's ID (unique across
// platforms, such as listen.Post.Key: reshares and evidence name it), Text
// (shown as evidence, cut to 280 bytes), At, Followers (the author's
// audience, for virality) and Sentiment: a NaN Sentiment (not scored, say
// a language the scorer does not know) counts in volume only. Author and
// Source are read only when [Watch.Reasons] is set, where they may stand
// out in an episode.
func (w *Watch) Observe(m trend.Mention) {
	w.init()
	key := m.Key
	if w.Reasons != nil {
		// Before the detectors, so that an alert this mention opens is
		// explained with it.
		w.Reasons.Add(m)
		if m.At.After(w.newest) {
			w.newest = m.At
		}
	}
	text := clip(m.Text, 280)
	ev := trend.Evidence{ID: m.ID, Text: text, At: m.At}
	w.remember(key, m, text)
	sk := w.spikeKeys(key)
	w.Spikes.Observe(sk[0], m.At, 1)
	w.keep(sk[0], ev)
	if !math.IsNaN(m.Sentiment) {
		// Every scored post feeds the negative series, with weight 0 or
		// 1, so that its baseline is learnt before the first negative post.
		neg := 0.0
		if w.negative(m.Sentiment) {
			neg = 1
			w.keep(sk[1], ev)
		}
		w.Spikes.Observe(sk[1], m.At, neg)
		w.Shift.Observe(key, m.At, m.Sentiment, m.ID, text)
	}
	w.flush()
}

// spikeKeys returns key's Mentions and NegativePosts series keys, built once
// per key (the cache is cleared when it reaches 10,000 keys).
func (w *Watch) spikeKeys(key string) [2]string {
	sk, ok := w.series[key]
	if !ok {
		if len(w.series) >= 10_000 {
			clear(w.series)
		}
		sk = [2]string{key + sep + Mentions, key + sep + NegativePosts}
		w.series[key] = sk
	}
	return sk
}

// Reshare records a reshare of the mention id at at by an account with
// followers followers. Reshares of posts never observed are ignored.
func (w *Watch) Reshare(id string, at time.Time, followers int) {
	w.init()
	p, ok := w.posts[id]
	if !ok {
		return
	}
	if !p.tracked {
		w.Viral.Track(id, p.at, p.followers)
		p.tracked = true
		w.posts[id] = p
	}
	w.Viral.Observe(id, p.at, at, followers)
}

// Check closes the spike buckets that end by at and predicts the reshared
// posts; episodes that open or end go to OnAlert. Call it as time passes
// (every few minutes, or as post times pass bucket boundaries): spikes of
// a key are otherwise only noticed at its next mention.
func (w *Watch) Check(at time.Time) {
	w.init()
	w.Spikes.Flush(at)
	w.pending = append(w.pending, w.Viral.Check(at)...)
	w.flush()
}

// Alerts returns the episodes so far (the last 1,000), oldest first, as
// last updated: End, Peak, Severity, Score and Summary follow the
// detectors.
func (w *Watch) Alerts() []Alert {
	out := make([]Alert, len(w.alerts))
	for i, a := range w.alerts {
		out[i] = w.copyOf(a)
	}
	return out
}

// Top returns the n most shared posts at at, by predicted final reshares.
func (w *Watch) Top(at time.Time, n int) []Shared {
	w.init()
	var out []Shared
	for _, r := range w.Viral.Top(at, n) {
		p := w.posts[r.Key]
		a := w.byEp[w.openViral(r.Key)]
		out = append(out, Shared{ID: r.Key, Tracked: p.key, Text: p.text, Posted: p.at,
			Observed: r.Observed, Final: r.Final, Low: r.Low, High: r.High, Flagged: a != nil && a.Open()})
	}
	return out
}

// openViral is the episode of post's latest viral alert.
func (w *Watch) openViral(post string) episode {
	for i := len(w.alerts) - 1; i >= 0; i-- {
		if a := w.alerts[i]; a.Kind == trend.AlertViral && a.Key == post {
			return episode{a.Kind, a.Key, a.Start.UnixNano()}
		}
	}
	return episode{}
}

func (w *Watch) remember(key string, m trend.Mention, text string) {
	if _, ok := w.posts[m.ID]; ok {
		return // the first key a post is about names it
	}
	max := w.MaxPosts
	if max <= 0 {
		max = 100_000
	}
	if len(w.order) < max {
		w.order = append(w.order, m.ID)
	} else {
		delete(w.posts, w.order[w.next])
		w.order[w.next] = m.ID
		w.next = (w.next + 1) % max
	}
	w.posts[m.ID] = posted{key: key, text: text, at: m.At, followers: m.Followers}
}

func (w *Watch) keep(series string, e trend.Evidence) {
	n := w.Examples
	if n <= 0 {
		n = 3
	}
	r := append(w.recent[series], e)
	if len(r) > n {
		r = append(r[:0], r[len(r)-n:]...)
	}
	w.recent[series] = r
}

func (w *Watch) flush() {
	if len(w.pending) == 0 {
		return
	}
	// Detectors report the keys of one flush in map order: sort them, so
	// that runs over the same data report the same.
	sort.SliceStable(w.pending, func(i, j int) bool {
		a, b := w.pending[i], w.pending[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Key < b.Key
	})
	for _, ta := range w.pending {
		w.report(ta)
	}
	w.pending = w.pending[:0]
}

func (w *Watch) report(ta trend.Alert) {
	a := Alert{Alert: ta, Tracked: ta.Key}
	switch ta.Kind {
	case trend.AlertSpike, trend.AlertDrop:
		if key, series, ok := strings.Cut(ta.Key, sep); ok {
			a.Tracked, a.Series, a.Key = key, series, key+": "+series
		}
	case trend.AlertViral:
		a.Tracked = w.posts[ta.Key].key
	}
	ep := episode{a.Kind, a.Key, a.Start.UnixNano()}
	if old, ok := w.byEp[ep]; ok {
		wasOpen := old.Open()
		old.End, old.Peak, old.Severity, old.Summary = a.End, a.Peak, a.Severity, a.Summary
		old.Score = max(old.Score, a.Score)
		if a.Kind == trend.AlertViral {
			old.Score = a.Score // the latest prediction, as Top shows it
		}
		if r := w.explain(*old, true); r != nil {
			old.Reasons = r
		}
		if wasOpen && !old.Open() && w.OnAlert != nil {
			w.OnAlert(w.copyOf(old))
		}
		return
	}
	if !a.Open() {
		return // the end of an episode opened before this Watch saw it
	}
	switch {
	case a.Kind == trend.AlertViral:
		if p, ok := w.posts[a.Key]; ok {
			a.Evidence = []trend.Evidence{{ID: a.Key, Text: p.text, At: p.at}}
		}
	case len(a.Evidence) == 0:
		a.Evidence = append([]trend.Evidence(nil), w.recent[ta.Key]...)
		for i, j := 0, len(a.Evidence)-1; i < j; i, j = i+1, j-1 {
			a.Evidence[i], a.Evidence[j] = a.Evidence[j], a.Evidence[i] // newest first
		}
	}
	a.Title = title(a)
	a.Reasons = w.explain(a, false)
	if len(w.alerts) == maxEpisodes {
		old := w.alerts[0]
		delete(w.byEp, episode{old.Kind, old.Key, old.Start.UnixNano()})
		w.alerts = append(w.alerts[:0], w.alerts[1:]...)
	}
	stored := a
	w.alerts = append(w.alerts, &stored)
	w.byEp[ep] = &stored
	if w.OnAlert != nil {
		w.OnAlert(w.copyOf(&stored))
	}
}

// explain returns what stood out in a spike or shift episode of a, or
// nil without Reasons and for a viral post. An episode that opens after
// more than the Reasons' window is explained by its last window; an
// update (again) is explained only while the episode's start is within
// the window, since its reasons would then describe only its tail.
func (w *Watch) explain(a Alert, again bool) []trend.Reason {
	if w.Reasons == nil || (a.Kind != trend.AlertSpike && a.Kind != trend.AlertSentiment) {
		return nil
	}
	window := w.Reasons.Window
	if window <= 0 {
		window = trend.DefaultReasonsWindow
	}
	if again && w.newest.Sub(a.Start) >= window {
		return nil
	}
	return w.Reasons.Between(a.Tracked, a.Start, a.End)
}

func (w *Watch) copyOf(a *Alert) Alert {
	c := *a
	c.Evidence = append([]trend.Evidence(nil), a.Evidence...)
	c.Reasons = append([]trend.Reason(nil), a.Reasons...)
	return c
}

// title is an alert's line for a person, in the start time's location.
func title(a Alert) string {
	since := a.Start.Format("Mon 15:04")
	switch {
	case a.Kind == trend.AlertSpike && a.Series == Mentions:
		return fmt.Sprintf("spike in mentions of %s since %s", a.Tracked, since)
	case a.Kind == trend.AlertSpike:
		return fmt.Sprintf("spike in %s about %s since %s", a.Series, a.Tracked, since)
	case a.Kind == trend.AlertDrop && a.Series == Mentions:
		return fmt.Sprintf("drop in mentions of %s since %s", a.Tracked, since)
	case a.Kind == trend.AlertDrop:
		return fmt.Sprintf("drop in %s about %s since %s", a.Series, a.Tracked, since)
	case a.Kind == trend.AlertSentiment:
		return fmt.Sprintf("negative shift about %s since %s", a.Tracked, since)
	case a.Kind == trend.AlertViral && a.Tracked != "":
		return fmt.Sprintf("post about %s going viral since %s", a.Tracked, since)
	}
	return fmt.Sprintf("%s %s since %s", a.Kind, a.Key, since)
}

// clip cuts s to at most n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
