package viral

import (
	"math"
	"time"
)

// Limits applied to follower counts: a count below 1 is taken as 1 (a
// resharer with no followers can still be seen through search and
// quote-reposts, and a zero would leave SEISMIC without a denominator), a
// count above MaxFollowers as MaxFollowers.
const MaxFollowers = 1_000_000_000

// Tracker estimates the final reshare count of one post from its reshares
// so far.
//
// Feed it either reshare events with [Tracker.Observe] (event mode) or
// polled totals with [Tracker.ObserveCount] (count mode), and ask
// [Tracker.Predict] at any time. Observe is O(1) amortised; ObserveCount
// is O(bins spanned since the previous poll), whatever the totals; Predict
// is O(B) where B <= ~300 is the number of non-empty age bins (see the
// package doc), independent of the number of reshares. Memory is O(B).
//
// The zero value is ready to use: if Posted is zero, the time of the first
// observation is taken as the post time. A Tracker is not safe for
// concurrent use.
type Tracker struct {
	// Posted is the time of the original post.
	Posted time.Time
	// Followers is the original poster's follower count; 0 means unknown
	// (the model's DefaultFollowers is used).
	Followers int
	// Model predicts from what the tracker saw; nil means the zero Model.
	Model *Model

	bins    bins
	n       float64 // reshares recorded (fractional in count mode)
	last    float64 // latest age observed, seconds
	started bool

	recent  [minCount]float64 // the largest ages seen, ascending (event mode)
	nRecent int

	counted   bool    // count mode
	pollAge   float64 // age of the latest poll
	pollTotal float64 // max total seen
}

func (t *Tracker) start(at time.Time) {
	if !t.started {
		t.started = true
		if t.Posted.IsZero() {
			t.Posted = at
		}
	}
}

// age converts at to seconds since the post, clamped to [0, maxAge].
func (t *Tracker) age(at time.Time) float64 {
	u := at.Sub(t.Posted).Seconds()
	if !(u > 0) {
		return 0
	}
	if u > maxAge {
		return maxAge
	}
	return u
}

func clampFollowers(f int, dflt float64) float64 {
	switch {
	case f < 0:
		return dflt
	case f < 1:
		return 1
	case f > MaxFollowers:
		return MaxFollowers
	}
	return float64(f)
}

func (t *Tracker) model() Model {
	if t.Model != nil {
		return *t.Model
	}
	return Model{}
}

// Observe records one reshare at time at by an account with followers
// followers (negative: unknown, the model's DefaultFollowers is used).
//
// Reshares may arrive out of order: each lands in the bin of its own age.
// A reshare before the post time is counted at the post time. Every call
// counts: the tracker cannot tell a duplicate from two reshares in the same
// second by accounts of the same size (the data set has such pairs), so
// drop duplicates upstream by reshare ID. Observe after ObserveCount is
// ignored: a tracker works in one mode.
func (t *Tracker) Observe(at time.Time, followers int) {
	t.start(at)
	if t.counted {
		return
	}
	u := t.age(at)
	t.bins.add(u, 1, clampFollowers(followers, t.model().defaultFollowers()))
	t.n++
	t.remember(u)
	if u > t.last {
		t.last = u
	}
}

// remember keeps u if it is among the minCount largest ages seen.
func (t *Tracker) remember(u float64) {
	r := &t.recent
	if t.nRecent < minCount {
		i := t.nRecent
		for ; i > 0 && r[i-1] > u; i-- {
			r[i] = r[i-1]
		}
		r[i] = u
		t.nRecent++
		return
	}
	if u <= r[0] {
		return
	}
	i := 0
	for ; i+1 < minCount && r[i+1] < u; i++ {
		r[i] = r[i+1]
	}
	r[i] = u
}

// ObserveCount records a polled total: total reshares (or any engagement
// count that spreads the way reshares do) seen at time at, without
// per-event times. The reshares new since the previous poll are spread
// evenly over the time between the two polls (between the post and the
// first poll for the first one), each with the model's DefaultFollowers.
//
// Totals are cumulative, so a poll older than the newest one is ignored, as
// is a total below the largest seen (deleted reshares are not un-counted).
// ObserveCount after Observe is ignored: a tracker works in one mode.
func (t *Tracker) ObserveCount(at time.Time, total int) {
	t.start(at)
	if t.n > 0 && !t.counted {
		return
	}
	t.counted = true
	u := t.age(at)
	if u < t.pollAge {
		return
	}
	tot := float64(total)
	if tot > t.pollTotal {
		t.bins.spread(t.pollAge, u, tot-t.pollTotal, t.model().defaultFollowers())
		t.n += tot - t.pollTotal
		t.pollTotal = tot
	}
	t.pollAge = u
	if u > t.last {
		t.last = u
	}
}

// Count returns the number of reshares recorded so far (capped at
// MaxInt/2 for absurd polled totals).
func (t *Tracker) Count() int {
	if t.n >= math.MaxInt/2 {
		return math.MaxInt / 2
	}
	return int(math.Round(t.n))
}

// Predict estimates the final count at time at from what was observed.
// An at before the latest observation is taken as that observation's time
// (a tracker cannot forget); an at before the post time as the post time.
// The result never holds NaN or Inf.
func (t *Tracker) Predict(at time.Time) Prediction {
	var u float64
	if t.started {
		u = t.age(at)
	}
	if u < t.last {
		u = t.last
	}
	m := t.model()
	p := m.predict(t, u)
	if !t.started {
		p.At = at
	}
	return p
}

// window returns the width w (seconds) of the window p̂ is estimated over
// at age u, and the triangular-weighted count of reshares in it: the
// window is u/2 clamped to [5 min, 2 h], widened to hold at least minCount
// reshares. In event mode the ages of the latest minCount reshares are
// kept exactly, so a widened window and its (few) reshares' weights are
// exact; in count mode the bins stand in.
func (t *Tracker) window(u float64) (w, num float64) {
	w = math.Min(math.Max(u/2, minWindow), maxWindow)
	if t.nRecent == minCount && u-t.recent[0] > w {
		w = u - t.recent[0]
		for _, r := range t.recent {
			num += math.Max(0, 1-(u-r)/w)
		}
		return w, num
	}
	if t.nRecent < minCount {
		in := 0.0
		for i := len(t.bins) - 1; i >= 0; i-- {
			b := &t.bins[i]
			if u-b.meanT() > w {
				if in >= minCount {
					break
				}
				w = u - b.meanT()
			}
			in += b.cnt
		}
	}
	if !(w > 0) {
		w = minWindow
	}
	for i := range t.bins {
		b := &t.bins[i]
		if a := u - b.meanT(); a <= w {
			num += b.cnt * (1 - a/w)
		}
	}
	return w, num
}

const minCount = 5
