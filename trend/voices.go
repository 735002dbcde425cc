package trend

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/trend/internal/sketch"
)

// AlertInfluencer is the kind of alert [Voices] raises when an author with
// a large audience mentions a key.
const AlertInfluencer AlertKind = "influencer"

// Defaults of [Voices].
const (
	defaultVoicesPeriod = 24 * time.Hour
	defaultVoicesK      = 10
	defaultInfluencer   = 10_000
	// maxAlerted bounds the authors per key and period that Voices
	// remembers having alerted about.
	maxAlerted = 256
)

// Voice is one author in a [Voices] report.
type Voice struct {
	Author    string `json:"author"`
	Mentions  int    `json:"mentions"`  // mentions in the period, as counted by the list it is in
	Followers int    `json:"followers"` // the most seen in the mentions counted
}

// Drivers is who drove the conversation about a key over a period.
type Drivers struct {
	Key        string    `json:"key"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	ByMentions []Voice   `json:"by_mentions"` // the authors who mentioned the key most
	ByReach    []Voice   `json:"by_reach"`    // the authors with the most followers who mentioned it
	Advocates  []Voice   `json:"advocates"`   // at least two positive mentions; Mentions counts the positive ones
	Detractors []Voice   `json:"detractors"`  // at least two negative mentions; Mentions counts the negative ones
}

// Voices finds who drives the conversation about each key, period by
// period: the authors who mention it most, the authors with the largest
// audiences, its advocates (at least two positive mentions in the period)
// and its detractors (at least two negative). It also raises an
// [AlertInfluencer] alert the first time in a period that an author with
// at least Influencer followers mentions a key. Mentions without an
// author are ignored; sentiment follows [Mention.Sentiment].
//
// Periods are consecutive spans of Period aligned to multiples of Period
// since the Unix epoch (days in UTC by default). [Voices.Drivers] reports
// the current period, or the one before it.
//
// # Memory and accuracy
//
// Each list is bounded: the authors who mention a key most, and those
// with two positive or two negative mentions, are found with space-saving
// summaries of 4K authors each (Metwally et al., 2005), so an author with
// more than a 1/(4K) share of the key's mentions (of its positive or
// negative mentions) in the period is always found, and the counts
// reported are guaranteed lower bounds, exact when the key had at most 4K
// authors in the period. The K largest audiences are kept exactly. A key
// costs about 18 KiB with K = 10 and author names of 30 bytes, the
// previous period's report included. Keys beyond MaxKeys evict the key
// least recently added to.
//
// # Bad input
//
// Add never panics. Mentions of a period before the current one are
// dropped and counted by [Voices.Late]; an influencer alert beyond 256 in
// one key's period is not raised but counted by [Voices.Suppressed].
//
// The zero value is ready to use. A Voices is not safe for concurrent use;
// shard keys across several.
type Voices struct {
	Period     time.Duration // period length; 0 means 24 hours
	K          int           // authors per list; 0 means 10
	Influencer int           // followers that make an author an influencer; 0 means 10,000, negative means no alerts
	MaxKeys    int           // keys kept; 0 means DefaultMaxKeys
	OnAlert    func(Alert)   // called synchronously; nil drops alerts

	keys       map[string]*voiceKey
	late       int64
	suppressed int64
	tick       int64
}

type voiceKey struct {
	period   int64
	all      topAuthors // by mentions
	pos, neg topAuthors // by positive, negative mentions
	reach    []Voice    // by followers, largest first
	reachH   []uint64   // hashes of reach's authors
	alerted  []uint64   // hashes of the authors alerted about this period
	prev     *Drivers   // the report of the period before
	seen     int64
}

func (v *Voices) k() int { return orInt(v.K, defaultVoicesK) }

func (v *Voices) period() int64 { return int64(orD(v.Period, defaultVoicesPeriod)) }

// Add counts one mention.
func (v *Voices) Add(m Mention) {
	if m.Author == "" {
		return
	}
	p := floorDiv(m.At.UnixNano(), v.period())
	v.tick++
	s := v.keys[m.Key]
	if s == nil {
		if v.keys == nil {
			v.keys = make(map[string]*voiceKey)
		}
		if len(v.keys) >= orInt(v.MaxKeys, DefaultMaxKeys) {
			evictStale(v.keys, func(s *voiceKey) int64 { return s.seen })
		}
		s = &voiceKey{period: p}
		v.keys[m.Key] = s
	}
	s.seen = v.tick
	switch {
	case p < s.period:
		v.late++
		return
	case p > s.period:
		if p == s.period+1 {
			d := v.report(m.Key, s)
			s.prev = &d
		} else {
			s.prev = nil
		}
		size := 4 * v.k()
		s.period = p
		s.all.reset(size)
		s.pos.reset(size)
		s.neg.reset(size)
		s.reach, s.reachH, s.alerted = s.reach[:0], s.reachH[:0], s.alerted[:0]
	}
	h := sketch.Hash(m.Author)
	followers := max(m.Followers, 0)
	size := 4 * v.k()
	s.all.add(h, m.Author, followers, size)
	switch m.polarity() {
	case 1:
		s.pos.add(h, m.Author, followers, size)
	case -1:
		s.neg.add(h, m.Author, followers, size)
	}
	v.addReach(s, h, m.Author, followers)
	v.influencer(s, h, m, followers)
}

// addReach keeps the K authors with the most followers, each once.
func (v *Voices) addReach(s *voiceKey, h uint64, author string, followers int) {
	for i, x := range s.reachH {
		if x == h {
			s.reach[i].Mentions++
			if followers > s.reach[i].Followers {
				s.reach[i].Followers = followers
				s.sortReach()
			}
			return
		}
	}
	if len(s.reach) == v.k() {
		if followers <= s.reach[len(s.reach)-1].Followers {
			return
		}
		s.reach, s.reachH = s.reach[:len(s.reach)-1], s.reachH[:len(s.reachH)-1]
	}
	s.reach = append(s.reach, Voice{Author: strings.Clone(author), Mentions: 1, Followers: followers})
	s.reachH = append(s.reachH, h)
	s.sortReach()
}

func (s *voiceKey) sortReach() {
	for i := len(s.reach) - 1; i > 0 && s.reach[i].Followers > s.reach[i-1].Followers; i-- {
		s.reach[i], s.reach[i-1] = s.reach[i-1], s.reach[i]
		s.reachH[i], s.reachH[i-1] = s.reachH[i-1], s.reachH[i]
	}
}

func (v *Voices) influencer(s *voiceKey, h uint64, m Mention, followers int) {
	th := v.Influencer
	if th == 0 {
		th = defaultInfluencer
	}
	if th < 0 || followers < th || v.OnAlert == nil {
		return
	}
	for _, x := range s.alerted {
		if x == h {
			return
		}
	}
	if len(s.alerted) >= maxAlerted {
		v.suppressed++
		return
	}
	s.alerted = append(s.alerted, h)
	ratio := float64(followers) / float64(th)
	sev := Info
	switch {
	case ratio >= 100:
		sev = Critical
	case ratio >= 10:
		sev = Warning
	}
	tone := map[int8]string{-1: " (negative)", 1: " (positive)"}[m.polarity()]
	v.OnAlert(Alert{
		Kind: AlertInfluencer, Key: m.Key, Start: m.At, Peak: m.At, End: m.At,
		Severity: sev, Score: ratio / (ratio + 1),
		Summary:  fmt.Sprintf("%s (%d followers) mentioned %s%s", m.Author, followers, m.Key, tone),
		Evidence: []Evidence{{ID: m.ID, Text: clip(m.Text, 280), At: m.At}},
	})
}

// Drivers returns who drove the conversation about key in the period that
// holds at: the current period or the one before it. It returns an empty
// report for any other period and for unknown keys.
func (v *Voices) Drivers(key string, at time.Time) Drivers {
	p := floorDiv(at.UnixNano(), v.period())
	s := v.keys[key]
	switch {
	case s != nil && p == s.period:
		return v.report(key, s)
	case s != nil && p == s.period-1 && s.prev != nil:
		return *s.prev
	}
	w := v.period()
	return Drivers{Key: key, Start: time.Unix(0, p*w).UTC(), End: time.Unix(0, (p+1)*w).UTC()}
}

func (v *Voices) report(key string, s *voiceKey) Drivers {
	w := v.period()
	k := v.k()
	return Drivers{
		Key: key, Start: time.Unix(0, s.period*w).UTC(), End: time.Unix(0, (s.period+1)*w).UTC(),
		ByMentions: s.all.top(k, 1),
		ByReach:    append([]Voice(nil), s.reach...),
		Advocates:  s.pos.top(k, 2),
		Detractors: s.neg.top(k, 2),
	}
}

// Late returns how many mentions were for a period already closed.
func (v *Voices) Late() int64 { return v.late }

// Suppressed returns how many influencer alerts were not raised because a
// key had 256 in one period.
func (v *Voices) Suppressed() int64 { return v.suppressed }

// topAuthors is a space-saving summary of authors in a plain slice: a few
// dozen entries, where a linear scan beats a heap and a map.
type topAuthors struct {
	e []topEntry
}

type topEntry struct {
	hash       uint64
	author     string
	count, err uint32
	followers  uint32
}

func (t *topAuthors) reset(capacity int) {
	if cap(t.e) < capacity {
		t.e = make([]topEntry, 0, capacity)
	}
	t.e = t.e[:0]
}

func (t *topAuthors) add(h uint64, author string, followers, capacity int) {
	f := uint32(min(followers, math.MaxUint32))
	lo := -1
	for i := range t.e {
		x := &t.e[i]
		if x.hash == h {
			x.count++
			x.followers = max(x.followers, f)
			return
		}
		if lo < 0 || x.count < t.e[lo].count {
			lo = i
		}
	}
	if len(t.e) < capacity {
		t.e = append(t.e, topEntry{hash: h, author: strings.Clone(author), count: 1, followers: f})
		return
	}
	// Replace the smallest counter; its count becomes the newcomer's
	// possible overcount.
	x := &t.e[lo]
	*x = topEntry{hash: h, author: strings.Clone(author), count: x.count + 1, err: x.count, followers: f}
}

// top returns up to k authors whose guaranteed count (count-err) is at
// least least, by that count (ties by author).
func (t *topAuthors) top(k, least int) []Voice {
	var out []Voice
	for _, x := range t.e {
		if n := int(x.count - x.err); n >= least {
			out = append(out, Voice{Author: x.author, Mentions: n, Followers: int(x.followers)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Mentions != out[j].Mentions {
			return out[i].Mentions > out[j].Mentions
		}
		return out[i].Author < out[j].Author
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}
