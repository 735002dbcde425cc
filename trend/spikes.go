package trend

import (
	"math"
	"time"
)

// DefaultMaxKeys bounds the keys a [Spikes] tracks when MaxKeys is 0.
const DefaultMaxKeys = 10_000

// Spikes watches many keyed series (mentions of each brand, of each term,
// of negative posts) for volume spikes. Observe adds weighted events; each
// key's events are summed into buckets of Bucket, and every closed bucket
// is scored by that key's own [Spike], configured as the Spike field.
// Alerts go to OnAlert: one when an episode opens and one when it ends.
//
// # Time and lateness
//
// Events may arrive out of time order (as listen.Merge delivers posts
// from several sources) by up to Lateness: a bucket stays open until an
// event for the same key, or a call to [Spikes.Flush], is Lateness past
// the bucket's end; then it closes and is scored. Buckets with no events
// count as zero. As long as no event arrives more than Lateness after a
// later event of its key, the same events give the same scores and alerts
// in any arrival order. An event for a bucket already closed is dropped
// and counted by [Spikes.Late]. The zero Lateness takes events in time
// order only; a host that merges sources should set it to the longest lag
// it expects between them (a polling interval, say), at the price of
// alerts that much later. Call Flush with the current time to close
// buckets when events are sparse; alerts come at most Bucket+Lateness
// after the events that raise them.
//
// A key seen for the first time has, as far as the detector knows, had no
// events since the detector's first event or Flush: its model is fed zero
// buckets from then (at most Spike.Warmup of them), so that a key born in
// a wave (a brand's first negative posts, in a complaint storm) alerts on
// it instead of learning it as its normal. Hosts need not feed zeros.
//
// # Cost
//
// Work is O(1) per event and per closed bucket, plus up to Warmup/Bucket
// zero buckets (288 by default, about 20 µs) when a key is created.
// Memory is bounded by MaxKeys keys of about 1.8 KiB each, key bytes
// and map included (TestSpikesMemory measures 1,850 bytes a key with
// 12-byte keys at the defaults; a Lateness adds 8 bytes a bucket).
//
// # Bad input
//
// Observe never panics. Weights that are NaN, infinite or negative are
// ignored. Buckets whose totals are whole numbers are counts; a key whose
// bucket total is ever a fraction (weights of 0.5, say) is scored as a
// measurement from then on (see [Spike]). A jump forward longer than Spike.MaxGap (7 days by default)
// restarts the key's model instead of filling the gap with zeros. Times
// are compared as instants, so the location of at does not matter for
// bucketing; the daily and weekly profiles use the location of the key's
// first event. Buckets are counted in Unix nanoseconds, so times outside
// the years 1678-2262 land in arbitrary buckets (still without a panic).
// A key forgotten to make room under MaxKeys loses its open episode
// without a closing alert.
//
// The zero value is ready to use. A Spikes is not safe for concurrent
// use; shard keys across detectors for parallelism.
type Spikes struct {
	Bucket   time.Duration // bucket width; 0 means 5 minutes
	Lateness time.Duration // how long after its end a bucket takes late events; 0 means none
	Spike    Spike         // configuration copied for each new key (Key is set per key)
	MaxKeys  int           // 0 means DefaultMaxKeys; an old key is forgotten to make room
	OnAlert  func(Alert)   // called synchronously; nil drops alerts

	keys    map[string]*keyState
	late    int64
	tick    int64
	first   int64 // Unix nanoseconds of the earliest event or Flush
	started bool
}

type keyState struct {
	spike  Spike
	next   int64     // the first bucket not yet closed
	top    int64     // the latest bucket that had an event
	newest int64     // Unix nanoseconds of the key's latest event or Flush
	closes int64     // Unix nanoseconds at which bucket next closes
	counts []float64 // open buckets next, next+1, ..., indexed by bucket mod len (a power of two)
	loc    *time.Location
	seen   int64 // tick of the last Observe, for eviction
	score  float64
}

func (d *Spikes) width() int64 { return int64(orD(d.Bucket, DefaultBucket)) }

func (d *Spikes) lateness() int64 { return max(int64(d.Lateness), 0) }

// Observe adds weight to key's bucket containing at.
func (d *Spikes) Observe(key string, at time.Time, weight float64) {
	if math.IsNaN(weight) || math.IsInf(weight, 0) || weight < 0 {
		return
	}
	w := d.width()
	ns := at.UnixNano()
	d.begin(ns)
	d.tick++
	k := d.keys[key]
	if k == nil {
		k = d.add(key, at)
	}
	k.seen = d.tick
	d.advance(k, ns)
	b := k.top
	if t := b * w; ns < t || ns-t >= w { // not the latest bucket with events
		b = floorDiv(ns, w)
	}
	if b < k.next {
		d.late++
		return
	}
	k.counts[int(b)&(len(k.counts)-1)] += weight
	k.top = max(k.top, b)
}

// add starts tracking key, first seen at at, making room if need be.
func (d *Spikes) add(key string, at time.Time) *keyState {
	if d.keys == nil {
		d.keys = make(map[string]*keyState)
	}
	if len(d.keys) >= orInt(d.MaxKeys, DefaultMaxKeys) {
		d.evict()
	}
	w := d.width()
	b := floorDiv(at.UnixNano(), w)
	// Zero buckets since the detector started, up to the warm-up.
	warm := (int64(orD(d.Spike.Warmup, DefaultWarmup)) + w - 1) / w
	n := 1 // open buckets: a power of two above Lateness/Bucket
	for int64(n) < (d.lateness()+w-1)/w+1 {
		n *= 2
	}
	k := &keyState{spike: d.Spike.config(), next: max(floorDiv(d.first, w), b-warm), top: b,
		newest: math.MinInt64, counts: make([]float64, n), loc: at.Location()}
	k.spike.Key = key
	d.keys[key] = k
	return k
}

// begin records the earliest time the detector saw.
func (d *Spikes) begin(ns int64) {
	if !d.started || ns < d.first {
		d.first, d.started = ns, true
	}
}

// Flush tells the detector that the time is at: every key's buckets that
// ended Lateness or more before at close, scored (empty buckets count as
// zero), and alerts are reported.
func (d *Spikes) Flush(at time.Time) {
	ns := at.UnixNano()
	d.begin(ns)
	for _, k := range d.keys {
		d.advance(k, ns)
	}
}

// Score returns the score of key's last closed bucket (0 for unknown keys).
func (d *Spikes) Score(key string) float64 {
	if k := d.keys[key]; k != nil {
		return k.score
	}
	return 0
}

// Late returns how many events arrived for buckets already closed.
func (d *Spikes) Late() int64 { return d.late }

// Len returns the number of keys tracked.
func (d *Spikes) Len() int { return len(d.keys) }

// advance moves k's clock to ns (if later) and closes the buckets that
// ended Lateness or more before it.
func (d *Spikes) advance(k *keyState, ns int64) {
	if ns < k.closes {
		k.newest = max(k.newest, ns)
		return
	}
	k.newest = ns
	w := d.width()
	upto := floorDiv(ns-d.lateness(), w) - 1 // the last bucket to close
	maxGap := int64(orD(k.spike.MaxGap, DefaultMaxGap)) / w
	for k.next <= upto {
		if k.next > k.top && upto-k.next > maxGap {
			// A clock jump: skip the empty stretch; the next bucket
			// scored restarts the model.
			k.next = upto + 1
			break
		}
		i := int(k.next) & (len(k.counts) - 1)
		d.close(k, k.next, k.counts[i])
		k.counts[i] = 0
		k.next++
	}
	k.closes = (k.next+1)*w + d.lateness()
}

func (d *Spikes) close(k *keyState, bucket int64, count float64) {
	at := time.Unix(0, bucket*d.width()).In(k.loc)
	score, a, ok := k.spike.Step(at, count)
	k.score = score
	if ok && d.OnAlert != nil {
		d.OnAlert(a)
	}
}

// evict forgets the least recently observed of a few keys.
func (d *Spikes) evict() { evictStale(d.keys, func(k *keyState) int64 { return k.seen }) }

// evictStale deletes from m the least recently used (by lastUse) of eight
// of its keys: a sample, so that making room is O(1) however many keys
// there are.
func evictStale[V any](m map[string]V, lastUse func(V) int64) {
	var victim string
	oldest := int64(math.MaxInt64)
	n := 0
	for key, v := range m {
		if t := lastUse(v); t < oldest {
			victim, oldest = key, t
		}
		if n++; n == 8 {
			break
		}
	}
	delete(m, victim)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func orInt(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}
