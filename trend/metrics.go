package trend

import (
	"math"
	"sort"
	"time"
)

// Mention is one post about a key, as [Metrics], [Voices] and [Reasons]
// take it. A post about two keys (a brand and its competitor) is two
// mentions. Only Key and At are required; fields the platform does not
// report stay zero.
type Mention struct {
	Key    string
	At     time.Time
	ID     string // the post's ID, for evidence
	Text   string // the post's text, for reasons, themes and evidence
	Source string // where the post came from: "mastodon", "bluesky", a feed's host...

	// Author identifies who wrote the post, unique across platforms (for
	// example "mastodon:alice@mastodon.social"); "" when unknown, which
	// counts the mention but no author.
	Author    string
	Followers int // the author's followers when the post was seen

	Likes, Reposts, Replies, Quotes int // engagement when the post was seen

	// Sentiment is a compound score in [-1,1], VADER's or any scorer's:
	// at most -0.05 is negative, at least 0.05 positive, neutral in
	// between (so a host that scores nothing counts every mention as
	// neutral). NaN means not scored: the mention is counted, but not as
	// negative, neutral or positive.
	Sentiment float64
}

// polarity returns -1, 0 or 1 for a scored mention and 2 for NaN.
func (m *Mention) polarity() int8 {
	switch s := m.Sentiment; {
	case s <= DefaultNegative:
		return -1
	case s >= -DefaultNegative:
		return 1
	case s > DefaultNegative && s < -DefaultNegative:
		return 0
	}
	return 2
}

// Stats are the figures of one key over a run of buckets.
type Stats struct {
	Key        string
	Start, End time.Time // the buckets covered: [Start, End)
	Mentions   int64

	// Authors counts the distinct authors and Reach sums their
	// followers (each author once, with the largest count seen). Both
	// are exact while no bucket had more than 128 distinct authors;
	// otherwise they are estimated from a uniform sample of at least 127
	// authors (a relative standard error of 9% or less) and Estimated is
	// true.
	Authors, Reach int64
	Estimated      bool

	Likes, Reposts, Replies, Quotes int64
	Negative, Neutral, Positive     int64
}

// Engagement returns Likes+Reposts+Replies+Quotes.
func (s Stats) Engagement() int64 { return s.Likes + s.Reposts + s.Replies + s.Quotes }

// NetSentiment returns (Positive-Negative)/(Positive+Negative), in
// [-1,1]; 0 when there are neither.
func (s Stats) NetSentiment() float64 {
	if s.Positive+s.Negative == 0 {
		return 0
	}
	return float64(s.Positive-s.Negative) / float64(s.Positive+s.Negative)
}

// ShareOfVoice returns each key's share of the mentions of all: the
// Mentions of stats[i] over the sum of all Mentions, in [0,1] (all 0 when
// there are none). Pass the same span of every key, such as what
// [Metrics.Sum] returns for a brand and its competitors over a day.
func ShareOfVoice(stats []Stats) []float64 {
	var total int64
	for _, s := range stats {
		total += s.Mentions
	}
	out := make([]float64, len(stats))
	if total == 0 {
		return out
	}
	for i, s := range stats {
		out[i] = float64(s.Mentions) / float64(total)
	}
	return out
}

// Change returns the relative change of cur against prev, (cur-prev)/prev:
// 0.25 for a rise of a quarter. It is +Inf when prev is 0 and cur is not,
// and 0 when both are 0.
func Change(cur, prev int64) float64 {
	if prev == 0 {
		if cur == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return float64(cur-prev) / float64(prev)
}

// Defaults of [Metrics].
const (
	DefaultMetricsBucket  = time.Hour
	DefaultMetricsBuckets = 7 * 24
)

// Metrics counts, per key and time bucket, the mentions, distinct authors
// and their reach, engagement, and negative, neutral and positive
// mentions: the figures behind share of voice, reach and sentiment
// reports. Add feeds it; [Metrics.Stats], [Metrics.Sum] and
// [Metrics.Series] read it; [ShareOfVoice] and [Change] compare keys and
// periods.
//
// Each key keeps its last Buckets buckets of Bucket (a week of hours by
// default), aligned to multiples of Bucket since the Unix epoch (so hours
// and, for a 24-hour bucket, days in UTC).
//
// # Authors and reach
//
// A bucket keeps the hashes and follower counts of up to 128 distinct
// authors, so its figures are exact up to 128 authors. A bucket with more
// keeps the 128 authors of smallest hash, a uniform sample, from which
// [Stats.Authors] and [Stats.Reach] are estimated. Figures over several
// buckets count each author once.
//
// # Memory
//
// A key costs 40 bytes per bucket (6.6 KiB for a week of hours), plus 8
// bytes per distinct author per bucket (at most 1 KiB per bucket) with up
// to an eighth more to spare, plus the key: 13 MiB for 1,000 keys with 5
// distinct authors in every hour of a week (BenchmarkMetricsMemory). Keys
// beyond MaxKeys evict the key least recently added to (a sampled choice;
// counted by [Metrics.Evicted]).
//
// # Merging
//
// Workers that each see part of a stream can [Metrics.Merge] their
// metrics (after [Metrics.MarshalBinary] and [Metrics.UnmarshalBinary]
// on the wire). Counts add and author lists keep the 128 smallest hashes
// of their union, so merging is associative and commutative and gives
// exactly what one Metrics fed everything would hold, as long as the keys
// fit in MaxKeys.
//
// # Bad input
//
// Add never panics. Negative engagement and follower counts count as 0;
// counts saturate at 2^32-1 per bucket. A mention older than the key's
// oldest kept bucket is dropped and counted by [Metrics.Late]; a jump
// forward of more than Buckets buckets starts the key afresh.
//
// The zero value is ready to use. A Metrics is not safe for concurrent
// use; give each goroutine its own and merge.
type Metrics struct {
	Bucket  time.Duration // bucket width; 0 means an hour
	Buckets int           // buckets kept per key; 0 means 168 (a week of hours)
	MaxKeys int           // keys kept; 0 means DefaultMaxKeys

	keys    map[string]*series
	late    int64
	evicted int64
	tick    int64
}

type series struct {
	// cells is a ring of len(cells) buckets ending at newest: bucket b
	// lives in cells[b mod len(cells)]. It starts small and grows up to
	// Buckets as the key's history lengthens, so a key seen once costs
	// little.
	cells  []cell
	newest int64 // the newest bucket added
	seen   int64 // tick of the last Add, for eviction

	// arena holds the authors of every cell, each cell's in one run
	// (see metrics_authors.go); dead counts the entries no cell uses.
	arena []uint64
	dead  int
}

// minRing is the initial ring length of a key.
const minRing = 8

// cell is one bucket of one key: 32 bytes of counters and where its
// authors are in the series' arena.
type cell struct {
	n, neg, neu, pos                uint32
	likes, reposts, replies, quotes uint32
	off                             uint32 // its authors are arena[off:off+na], a sorted bottom-k
	na                              uint8
}

func (m *Metrics) width() int64 { return int64(orD(m.Bucket, DefaultMetricsBucket)) }
func (m *Metrics) buckets() int { return orInt(m.Buckets, DefaultMetricsBuckets) }

func (m *Metrics) bucketOf(at time.Time) int64 { return floorDiv(at.UnixNano(), m.width()) }

// Add counts one mention.
func (m *Metrics) Add(mn Mention) {
	b := m.bucketOf(mn.At)
	m.tick++
	s := m.keys[mn.Key]
	if s == nil {
		s = m.newSeries(mn.Key, b)
	}
	s.seen = m.tick
	c := s.cell(b)
	if c == nil {
		if c = m.extend(s, b); c == nil {
			m.late++
			return
		}
	}
	c.n = satAdd(c.n, 1)
	switch mn.polarity() {
	case -1:
		c.neg = satAdd(c.neg, 1)
	case 0:
		c.neu = satAdd(c.neu, 1)
	case 1:
		c.pos = satAdd(c.pos, 1)
	}
	if mn.Likes|mn.Reposts|mn.Replies|mn.Quotes != 0 {
		c.likes = satAdd(c.likes, clampU32(mn.Likes))
		c.reposts = satAdd(c.reposts, clampU32(mn.Reposts))
		c.replies = satAdd(c.replies, clampU32(mn.Replies))
		c.quotes = satAdd(c.quotes, clampU32(mn.Quotes))
	}
	if mn.Author != "" {
		s.addAuthor(c, authorEntry(mn.Author, mn.Followers))
	}
}

func (m *Metrics) newSeries(key string, b int64) *series {
	if m.keys == nil {
		m.keys = make(map[string]*series)
	}
	for len(m.keys) > 0 && len(m.keys) >= orInt(m.MaxKeys, DefaultMaxKeys) {
		evictStale(m.keys, func(s *series) int64 { return s.seen })
		m.evicted++
	}
	s := &series{cells: make([]cell, min(minRing, m.buckets())), newest: b}
	m.keys[key] = s
	return s
}

// cell returns the cell of bucket b, or nil if b is newer than the newest
// bucket or older than the ring holds.
func (s *series) cell(b int64) *cell {
	n := int64(len(s.cells))
	if b > s.newest || b <= s.newest-n {
		return nil
	}
	return &s.cells[((b%n)+n)%n]
}

// extend makes room for bucket b, outside the ring: it moves the newest
// bucket forward (dropping buckets older than Buckets) or grows the ring
// back to an older bucket still within Buckets. It returns b's cell, or
// nil when b is older than Buckets allows.
func (m *Metrics) extend(s *series, b int64) *cell {
	nb := int64(m.buckets())
	newest := max(b, s.newest)
	if b <= newest-nb {
		return nil
	}
	if newest-s.newest >= nb {
		// A jump forward past everything kept.
		clear(s.cells)
		s.arena, s.dead = s.arena[:0], 0
		s.newest = newest
		return s.cell(b)
	}
	// The span to keep runs from the oldest bucket the ring holds (or b)
	// to the new newest bucket.
	oldest := min(b, s.newest-int64(len(s.cells))+1)
	need := min(nb, newest-oldest+1)
	if need > int64(len(s.cells)) {
		s.resize(int(min(nb, max(need, 2*int64(len(s.cells))))))
	}
	n := int64(len(s.cells))
	for c := max(s.newest+1, newest-n+1); c <= newest; c++ {
		s.clearCell(&s.cells[((c%n)+n)%n])
	}
	s.newest = newest
	return s.cell(b)
}

// resize copies the ring into one of n cells, keeping the newest buckets.
func (s *series) resize(n int) {
	cells := make([]cell, n)
	ln := int64(n)
	for b := s.newest - int64(len(s.cells)) + 1; b <= s.newest; b++ {
		if b > s.newest-ln {
			cells[((b%ln)+ln)%ln] = *s.cell(b)
		}
	}
	s.cells = cells
}

// Late returns how many mentions were older than their key's oldest kept
// bucket and were dropped.
func (m *Metrics) Late() int64 { return m.late }

// Evicted returns how many keys were forgotten to make room under MaxKeys.
func (m *Metrics) Evicted() int64 { return m.evicted }

// Len returns the number of keys kept.
func (m *Metrics) Len() int { return len(m.keys) }

// Keys returns the keys kept, sorted.
func (m *Metrics) Keys() []string {
	out := make([]string, 0, len(m.keys))
	for k := range m.keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Stats returns key's figures for the bucket that holds at.
func (m *Metrics) Stats(key string, at time.Time) Stats {
	b := m.bucketOf(at)
	return m.sum(key, b, b+1)
}

// Sum returns key's figures over the buckets that start in [from, to),
// counting each author once. Buckets no longer kept count as empty.
func (m *Metrics) Sum(key string, from, to time.Time) Stats {
	return m.sum(key, m.firstBucket(from), m.firstBucket(to))
}

// Period returns key's figures over the period d before at (the buckets
// starting in [at-d, at)), and over the period before that, for
// comparing with [Change].
func (m *Metrics) Period(key string, at time.Time, d time.Duration) (cur, prev Stats) {
	return m.Sum(key, at.Add(-d), at), m.Sum(key, at.Add(-2*d), at.Add(-d))
}

// Series returns key's figures bucket by bucket for the buckets that
// start in [from, to), empty buckets included; at most 4×Buckets of them,
// the last ones.
func (m *Metrics) Series(key string, from, to time.Time) []Stats {
	lo, hi := m.firstBucket(from), m.firstBucket(to)
	if hi <= lo {
		return nil
	}
	if hi-lo > int64(m.buckets())*4 {
		lo = hi - int64(m.buckets())*4 // bounded: older buckets are empty anyway
	}
	out := make([]Stats, 0, hi-lo)
	for b := lo; b < hi; b++ {
		out = append(out, m.sum(key, b, b+1))
	}
	return out
}

// firstBucket returns the first bucket starting at or after at.
func (m *Metrics) firstBucket(at time.Time) int64 {
	w := m.width()
	return floorDiv(at.UnixNano()+w-1, w)
}

func (m *Metrics) sum(key string, lo, hi int64) Stats {
	w := m.width()
	st := Stats{Key: key, Start: time.Unix(0, lo*w).UTC(), End: time.Unix(0, hi*w).UTC()}
	s := m.keys[key]
	if s == nil || hi <= lo {
		return st
	}
	lo = max(lo, s.newest-int64(len(s.cells))+1) // the ring holds all that is kept
	hi = min(hi, s.newest+1)
	var sample authorSample
	for b := lo; b < hi; b++ {
		c := s.cell(b)
		st.Mentions += int64(c.n)
		st.Negative += int64(c.neg)
		st.Neutral += int64(c.neu)
		st.Positive += int64(c.pos)
		st.Likes += int64(c.likes)
		st.Reposts += int64(c.reposts)
		st.Replies += int64(c.replies)
		st.Quotes += int64(c.quotes)
		if c.na > 0 {
			sample.add(s.authors(c))
		}
	}
	st.Authors, st.Reach, st.Estimated = sample.estimate()
	return st
}

func satAdd(a, b uint32) uint32 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint32
}

func clampU32(v int) uint32 {
	switch {
	case v <= 0:
		return 0
	case v > math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(v)
}
