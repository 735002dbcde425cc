package viral

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

// Detector tracks many posts and flags the ones predicted to go viral:
// those whose predicted final count reaches Threshold, or that rank in the
// TopK by predicted final count. Feed it reshare events or polled totals
// keyed by post, and call [Detector.Check] from time to time (every minute,
// or after each batch); each call predicts every tracked post, so it costs
// O(posts · bins): about 60 µs of CPU a post of a hundred reshares.
//
// Memory is bounded: a post is closed and forgotten MaxAge after it was
// posted, and when MaxPosts posts are tracked the least recently active
// tenth is evicted to make room. Observe and ObserveCount are O(1)
// amortised (a map lookup and the tracker's update; an eviction sorts the
// posts once per MaxPosts/10 new posts).
//
// Set the fields before first use; the zero value flags nothing (neither
// Threshold nor TopK set) but still tracks and ranks posts for
// [Detector.Top]. A Detector is not safe for concurrent use.
type Detector struct {
	Threshold float64 // flag posts predicted to reach this many reshares; 0: off
	TopK      int     // flag the TopK posts by predicted final count; 0: off
	// MinCount is the number of reshares a post needs before it can be
	// flagged; 10 when zero.
	MinCount int
	// MaxAge is how long after its post time a post is tracked; 7 days
	// when zero.
	MaxAge time.Duration
	// MaxPosts bounds the number of tracked posts; 10,000 when zero.
	MaxPosts int
	// Model predicts the final counts; nil means the zero Model (no daily
	// rhythm: set TwitterRhythm or your audience's).
	Model *Model

	posts   map[string]*tracked
	pending []trend.Alert // closing alerts of evicted posts
}

type tracked struct {
	key      string
	tr       Tracker
	active   time.Time // latest observation
	open     bool      // an alert episode is open
	alert    trend.Alert
	reported float64 // predicted final at the last report
}

// Ranked is a post and its prediction, as [Detector.Top] returns them.
type Ranked struct {
	Key string
	Prediction
}

func (d *Detector) minCount() float64 {
	if d.MinCount > 0 {
		return float64(d.MinCount)
	}
	return 10
}

func (d *Detector) maxAge() time.Duration {
	if d.MaxAge > 0 {
		return d.MaxAge
	}
	return 7 * 24 * time.Hour
}

func (d *Detector) maxPosts() int {
	if d.MaxPosts > 0 {
		return d.MaxPosts
	}
	return 10_000
}

// get returns the post's entry, creating it (and evicting if full); nil
// if the post is already past MaxAge at at.
func (d *Detector) get(key string, posted, at time.Time) *tracked {
	if e, ok := d.posts[key]; ok {
		if e.active.Before(at) {
			e.active = at
		}
		return e
	}
	if !posted.IsZero() && at.Sub(posted) > d.maxAge() {
		return nil
	}
	if d.posts == nil {
		d.posts = make(map[string]*tracked)
	}
	if len(d.posts) >= d.maxPosts() {
		d.evict()
	}
	e := &tracked{key: key, active: at}
	e.tr.Posted = posted
	e.tr.Model = d.Model
	d.posts[key] = e
	return e
}

// evict drops the least recently active posts down to 90% of MaxPosts.
func (d *Detector) evict() {
	es := make([]*tracked, 0, len(d.posts))
	for _, e := range d.posts {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool {
		if !es[i].active.Equal(es[j].active) {
			return es[i].active.Before(es[j].active)
		}
		return es[i].key < es[j].key
	})
	keep := d.maxPosts() * 9 / 10
	for _, e := range es[:len(es)-keep] {
		d.drop(e, e.active)
	}
}

func (d *Detector) drop(e *tracked, at time.Time) {
	if e.open {
		a := e.alert
		a.End = at
		d.pending = append(d.pending, a)
	}
	delete(d.posts, e.key)
}

// Track registers post, posted at posted by an account with followers
// followers, before (or after) its first reshare: the poster's audience
// sharpens SEISMIC's estimates. Without it a post's time is its first
// observation's and the poster's audience the model's DefaultFollowers.
// Tracking a post already tracked updates its poster's followers only.
func (d *Detector) Track(post string, posted time.Time, followers int) {
	at := posted
	if at.IsZero() {
		return
	}
	if e := d.get(post, posted, at); e != nil {
		e.tr.Followers = followers
	}
}

// Observe records a reshare of post (posted at posted; zero if unknown) at
// time at by an account with followers followers. See [Tracker.Observe].
func (d *Detector) Observe(post string, posted, at time.Time, followers int) {
	if e := d.get(post, posted, at); e != nil {
		e.tr.Observe(at, followers)
	}
}

// ObserveCount records a polled total for post. See
// [Tracker.ObserveCount].
func (d *Detector) ObserveCount(post string, posted, at time.Time, total int) {
	if e := d.get(post, posted, at); e != nil {
		e.tr.ObserveCount(at, total)
	}
}

// Len returns the number of tracked posts.
func (d *Detector) Len() int { return len(d.posts) }

// predictAll closes posts past MaxAge and predicts the others, best
// first.
func (d *Detector) predictAll(at time.Time) []rankedEntry {
	rs := make([]rankedEntry, 0, len(d.posts))
	for _, e := range d.posts {
		if at.Sub(e.tr.Posted) > d.maxAge() {
			d.drop(e, at)
			continue
		}
		rs = append(rs, rankedEntry{e, e.tr.Predict(at)})
	}
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].p.Final != rs[j].p.Final {
			return rs[i].p.Final > rs[j].p.Final
		}
		return rs[i].e.key < rs[j].e.key
	})
	return rs
}

type rankedEntry struct {
	e *tracked
	p Prediction
}

// Top returns up to n tracked posts with the largest predicted final
// counts at time at, largest first (ties by key).
func (d *Detector) Top(at time.Time, n int) []Ranked {
	rs := d.predictAll(at)
	if n < len(rs) {
		rs = rs[:max(n, 0)]
	}
	out := make([]Ranked, len(rs))
	for i, r := range rs {
		out[i] = Ranked{r.e.key, r.p}
	}
	return out
}

// Check predicts every tracked post at time at and returns the alerts
// (Kind [trend.AlertViral], Key the post) that are new or changed since
// the previous call: a post that starts to qualify opens an episode; an
// open episode is reported again when its predicted final count has grown
// by a quarter since its last report; and it is reported closed (End set)
// when the post no longer qualifies, ages out or is evicted. Alerts come
// in order of predicted final count, largest first; closings of evicted
// posts first.
//
// Score is the predicted final count. Severity is Critical when even the
// low end of the interval reaches Threshold, Warning otherwise.
func (d *Detector) Check(at time.Time) []trend.Alert {
	rs := d.predictAll(at)
	out := d.pending
	d.pending = nil
	for i, r := range rs {
		p := r.p
		ok := p.Observed >= d.minCount() &&
			((d.Threshold > 0 && p.Final >= d.Threshold) || i < d.TopK)
		e := r.e
		switch {
		case ok && !e.open:
			e.open = true
			e.reported = p.Final
			e.alert = trend.Alert{
				Kind: trend.AlertViral, Key: e.key, Start: at, Peak: at,
				Evidence: []trend.Evidence{{ID: e.key, At: e.tr.Posted}},
			}
			d.fill(&e.alert, p, i)
			out = append(out, e.alert)
		case ok && p.Final >= 1.25*e.reported:
			e.reported = p.Final
			e.alert.Peak = at
			d.fill(&e.alert, p, i)
			out = append(out, e.alert)
		case !ok && e.open:
			e.open = false
			a := e.alert
			a.End = at
			out = append(out, a)
		}
	}
	return out
}

func (d *Detector) fill(a *trend.Alert, p Prediction, rank int) {
	a.Score = p.Final
	a.Severity = trend.Warning
	if d.Threshold > 0 && p.Low >= d.Threshold {
		a.Severity = trend.Critical
	}
	a.Summary = fmt.Sprintf("%.0f reshares after %s, predicted %.0f (%.0f-%.0f), rank %d",
		p.Observed, p.At.Sub(a.Evidence[0].At).Round(time.Minute), math.Round(p.Final), p.Low, p.High, rank+1)
}
