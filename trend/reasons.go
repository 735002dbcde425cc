package trend

import (
	"math"
	"sort"
	"strings"
	"time"
)

// Reason is something over-represented in an alert's episode: a term,
// hashtag, @mention, author or source that the episode's posts about the
// key have far more often than the key's posts before it.
type Reason struct {
	Kind  string  `json:"kind"`  // ReasonTerm, ReasonHashtag, ReasonMention, ReasonAuthor or ReasonSource
	Value string  `json:"value"` // lower-cased for terms, hashtags and mentions
	Count int     `json:"count"` // the episode's posts that have it
	Share float64 `json:"share"` // Count over the episode's posts
	Lift  float64 `json:"lift"`  // Share over its share of the key's posts before the episode
}

// Defaults of [Reasons].
const (
	defaultReasonsBucket  = 30 * time.Minute
	DefaultReasonsWindow  = 6 * time.Hour
	defaultMaxReasons     = 5
	defaultReasonsMaxKeys = 1000
	// reasonsHalfLife is how fast the baseline forgets.
	reasonsHalfLife = 24 * time.Hour
	// reasonsGuard is left out between the baseline and an episode.
	reasonsGuard = time.Hour
	// minReasonCount is the fewest posts of an episode that make a reason.
	minReasonCount = 3
	// minReasonG2 is the smallest log-likelihood ratio of a reason: the
	// chi-squared critical value of one degree of freedom at p = 0.001.
	minReasonG2 = 10.83
	// reasonCands is the number of candidate features kept per key and
	// half window.
	reasonCands = 64
	// Each key's count-min sketches have cmDepth rows of cmWidth counters.
	cmDepth = 3
	cmWidth = 512
)

// Reasons explains alerts: it says what was over-represented in an
// episode against the key's baseline. Feed it every mention (the same
// ones a spike or sentiment detector counts), and call [Reasons.Explain]
// with each alert the detectors raise, as in
//
//	spikes.OnAlert = func(a trend.Alert) {
//		a.Reasons = reasons.Explain(a)
//		...
//	}
//
// A mention's features are its author, its source, and the hashtags,
// @mentions and words (of two or more letters or digits; URLs skipped) of
// its text, each counted once per post. Explain compares how many of the
// episode's posts about the alert's key have each feature with how many
// of the key's posts before the episode had it (leaving out the hour just
// before its start, where a rise that a detector reports late has often
// begun already), and ranks features by the
// log-likelihood ratio (G², Dunning 1993) of that 2x2 table, which
// weighs both how much more common a feature became (its lift) and how
// many posts show it. A reason is in at least 3 of the episode's posts
// and over-represented at p < 0.001 (G² >= 10.83).
//
// # Time and memory
//
// Each key keeps its last Window of posts in buckets of Bucket (the last
// six hours in half hours by default), each with a small count-min sketch
// of its features (3 x 512 counters), and a baseline sketch of the
// buckets that left the window, forgetting half every 24 hours. Counts
// are corrected for the sketches' collisions (as in count-mean-min, Deng
// and Rafiei 2007), so they are estimates whose error grows with the
// key's volume. The candidates are the 64 most common features of each
// half window (space-saving) among those seen at least twice in a
// bucket. An episode is explained at the granularity of buckets; an
// episode longer than Window is explained by its last Window, and an
// alert whose episode has left the Window gets no reasons. A key costs
// about 47 KiB with the defaults (46 MiB for 1,000 keys); keys beyond
// MaxKeys evict the key least recently added to.
//
// # Bad input
//
// Add never panics. Mentions older than a key's window are added to its
// baseline; a jump forward folds the skipped buckets into it.
//
// The zero value is ready to use. A Reasons is not safe for concurrent
// use.
type Reasons struct {
	Bucket  time.Duration // bucket width; 0 means 30 minutes
	Window  time.Duration // longest episode explained; 0 means 6 hours
	Max     int           // reasons per alert; 0 means 5
	MaxKeys int           // keys kept; 0 means 1,000

	keys map[string]*reasonKey
	buf  []feature
	tick int64
}

type reasonKey struct {
	newest int64     // the newest bucket
	posts  []float64 // per bucket of the ring: bucket b is at b mod len(posts)
	total  []float64 // per bucket: features counted (each row's total)
	cells  []uint16  // per bucket: cmDepth*cmWidth counters
	half   int64     // the half window cands[0] covers
	cands  [2]topFeatures

	basePosts, baseTotal float64
	base                 []float32 // the baseline's counters
	seen                 int64
}

func (r *Reasons) width() int64 { return int64(orD(r.Bucket, defaultReasonsBucket)) }

func (r *Reasons) slots() int64 {
	return max(1, int64(orD(r.Window, DefaultReasonsWindow))/r.width())
}

func (k *reasonKey) slot(b int64) int64 {
	n := int64(len(k.posts))
	return ((b % n) + n) % n
}

func (k *reasonKey) bucketCells(b int64) []uint16 {
	i := k.slot(b) * cmDepth * cmWidth
	return k.cells[i : i+cmDepth*cmWidth]
}

// Add counts the features of one mention.
func (r *Reasons) Add(m Mention) {
	b := floorDiv(m.At.UnixNano(), r.width())
	r.tick++
	k := r.keys[m.Key]
	if k == nil {
		if r.keys == nil {
			r.keys = make(map[string]*reasonKey)
		}
		if len(r.keys) >= orInt(r.MaxKeys, defaultReasonsMaxKeys) {
			evictStale(r.keys, func(k *reasonKey) int64 { return k.seen })
		}
		n := r.slots()
		k = &reasonKey{
			newest: b, posts: make([]float64, n), total: make([]float64, n),
			cells: make([]uint16, n*cmDepth*cmWidth), base: make([]float32, cmDepth*cmWidth),
			half: floorDiv(b, max(1, n/2)),
		}
		r.keys[m.Key] = k
	}
	k.seen = r.tick
	if b > k.newest {
		r.advance(k, b)
	}
	r.buf = features(r.buf[:0], &m)
	if b <= k.newest-int64(len(k.posts)) { // older than the window: baseline
		k.basePosts++
		k.baseTotal += float64(len(r.buf))
		for _, f := range r.buf {
			for row := range cmDepth {
				k.base[cmIndex(f.hash, row)]++
			}
		}
		return
	}
	s := k.slot(b)
	k.posts[s]++
	k.total[s] += float64(len(r.buf))
	cells := k.bucketCells(b)
	for i, f := range r.buf {
		least := uint16(math.MaxUint16)
		for row := range cmDepth {
			j := cmIndex(f.hash, row)
			if cells[j] < math.MaxUint16 {
				cells[j]++
			}
			least = min(least, cells[j])
		}
		r.buf[i].again = least >= 2
	}
	// Candidates by half window: the current one and the one before.
	hb := floorDiv(b, max(1, int64(len(k.posts))/2))
	if hb > k.half {
		if hb == k.half+1 {
			k.cands[0], k.cands[1] = k.cands[1], k.cands[0]
		} else {
			k.cands[1].e = k.cands[1].e[:0]
		}
		k.cands[0].e = k.cands[0].e[:0]
		k.half = hb
	}
	var cands *topFeatures
	switch hb {
	case k.half:
		cands = &k.cands[0]
	case k.half - 1:
		cands = &k.cands[1]
	default:
		return
	}
	for _, f := range r.buf {
		if f.again { // a feature seen once in a bucket is no candidate yet
			cands.add(f)
		}
	}
}

// advance moves k's newest bucket to b, folding the buckets that leave
// the window into the baseline.
func (r *Reasons) advance(k *reasonKey, b int64) {
	n := int64(len(k.posts))
	decay := math.Exp2(-float64(r.width()) / float64(reasonsHalfLife))
	for c := k.newest + 1; c <= min(b, k.newest+n); c++ {
		// Bucket c takes the place of bucket c-n.
		k.fold(c, decay)
	}
	if steps := b - k.newest; steps > n { // the skipped buckets were empty: decay only
		f := math.Pow(decay, float64(steps-n))
		for i := range k.base {
			k.base[i] *= float32(f)
		}
		k.basePosts *= f
		k.baseTotal *= f
	}
	k.newest = b
}

// fold decays the baseline by one bucket and moves bucket b's counts into
// it.
func (k *reasonKey) fold(b int64, decay float64) {
	s := k.slot(b)
	cells := k.bucketCells(b)
	for i, c := range cells {
		k.base[i] = k.base[i]*float32(decay) + float32(c)
	}
	clear(cells)
	k.basePosts = k.basePosts*decay + k.posts[s]
	k.baseTotal = k.baseTotal*decay + k.total[s]
	k.posts[s], k.total[s] = 0, 0
}

// Explain returns what was over-represented in a's episode:
// Between(a.Key, a.Start, a.End).
func (r *Reasons) Explain(a Alert) []Reason { return r.Between(a.Key, a.Start, a.End) }

// Between returns what was over-represented in the posts about key in the
// buckets from start to end (to the newest post when end is zero), against
// the key's posts before; at most Max, most significant first. It returns
// nil when nothing stands out, when the key has no posts before start, or
// when the span has left the window. Use it for alerts whose Key is not
// the key the mentions were added under (a trend/watch alert's is
// "key: series"; its Tracked field is the key).
func (r *Reasons) Between(key string, start, end time.Time) []Reason {
	k := r.keys[key]
	if k == nil {
		return nil
	}
	w := r.width()
	from := floorDiv(start.UnixNano(), w)
	to := k.newest
	if !end.IsZero() {
		to = max(from, floorDiv(end.UnixNano()-1, w))
	}
	oldest := k.newest - int64(len(k.posts)) + 1
	from, to = max(from, oldest), min(to, k.newest)
	if to < from {
		return nil
	}
	// The hour before the episode is left out of the baseline: detectors
	// alert some time after a rise begins.
	cut := from - (int64(reasonsGuard)+w-1)/w
	n, base := 0.0, k.basePosts
	for b := oldest; b <= to; b++ {
		switch {
		case b < cut:
			base += k.posts[k.slot(b)]
		case b >= from:
			n += k.posts[k.slot(b)]
		}
	}
	if n < minReasonCount || base < 1 {
		return nil
	}
	var out []Reason
	var score []float64
	seen := map[uint64]bool{}
	for _, c := range [...]*topFeatures{&k.cands[0], &k.cands[1]} {
		for _, f := range c.e {
			if seen[f.hash] {
				continue
			}
			seen[f.hash] = true
			in, before := k.counts(f.hash, cut, from, to, oldest)
			in, before = math.Min(in, n), math.Min(before, base)
			if in < minReasonCount {
				continue
			}
			pIn, pBase := in/n, (before+0.5)/(base+1)
			if pIn <= pBase {
				continue
			}
			g := gSquared(in, n, before, base)
			if g < minReasonG2 {
				continue
			}
			out = append(out, Reason{Kind: f.kind, Value: f.value, Count: int(math.Round(in)), Share: pIn, Lift: pIn / pBase})
			score = append(score, g)
		}
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool {
		x, y := idx[i], idx[j]
		if score[x] != score[y] {
			return score[x] > score[y]
		}
		if out[x].Kind != out[y].Kind {
			return out[x].Kind < out[y].Kind
		}
		return out[x].Value < out[y].Value
	})
	limit := min(orInt(r.Max, defaultMaxReasons), len(idx))
	res := make([]Reason, 0, limit)
	for _, i := range idx[:limit] {
		res = append(res, out[i])
	}
	return res
}

// counts estimates the posts with feature h in the buckets from..to, and
// in the baseline and the buckets from oldest to before cut. Each row's
// count is corrected for collisions by the mean load of the row's other
// counters (as count-mean-min does), and the smaller row is taken.
func (k *reasonKey) counts(h uint64, cut, from, to, oldest int64) (in, before float64) {
	in, before = math.Inf(1), math.Inf(1)
	inTotal, beforeTotal := 0.0, k.baseTotal
	for b := oldest; b <= to; b++ {
		switch {
		case b < cut:
			beforeTotal += k.total[k.slot(b)]
		case b >= from:
			inTotal += k.total[k.slot(b)]
		}
	}
	for row := range cmDepth {
		i := cmIndex(h, row)
		cIn, cBefore := 0.0, float64(k.base[i])
		for b := oldest; b <= to; b++ {
			switch c := float64(k.bucketCells(b)[i]); {
			case b < cut:
				cBefore += c
			case b >= from:
				cIn += c
			}
		}
		in = math.Min(in, cIn-(inTotal-cIn)/(cmWidth-1))
		before = math.Min(before, cBefore-(beforeTotal-cBefore)/(cmWidth-1))
	}
	return math.Max(0, in), math.Max(0, before)
}

func cmIndex(h uint64, row int) int {
	h1, h2 := uint32(h), uint32(h>>32)|1
	return row*cmWidth + int((h1+uint32(row)*h2)&(cmWidth-1))
}

// gSquared is the log-likelihood ratio statistic of a feature seen in a
// of n posts and in b of m others.
func gSquared(a, n, b, m float64) float64 {
	p := (a + b) / (n + m)
	term := func(o, e float64) float64 {
		if o <= 0 || e <= 0 {
			return 0
		}
		return o * math.Log(o/e)
	}
	return 2 * (term(a, n*p) + term(n-a, n*(1-p)) + term(b, m*p) + term(m-b, m*(1-p)))
}

// topFeatures is a space-saving summary of features (Metwally et al.,
// 2005) in a plain slice, where a linear scan of a few dozen entries
// beats a heap and a map.
type topFeatures struct {
	e []featureCount
}

type featureCount struct {
	feature
	count uint32
}

func (t *topFeatures) add(f feature) {
	lo := -1
	for i := range t.e {
		x := &t.e[i]
		if x.hash == f.hash {
			x.count++
			return
		}
		if lo < 0 || x.count < t.e[lo].count {
			lo = i
		}
	}
	f.value = strings.Clone(f.value)
	if len(t.e) < reasonCands {
		t.e = append(t.e, featureCount{f, 1})
		return
	}
	t.e[lo] = featureCount{f, t.e[lo].count + 1}
}
