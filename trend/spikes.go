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
// A bucket closes when an event for the same key arrives in a later
// bucket, or when [Spikes.Flush] is called with a later time; buckets with
// no events in between count as zero. Work is O(1) per event and per
// closed bucket, and memory is bounded by MaxKeys keys of about 3 KiB.
//
// # Bad input
//
// Observe never panics. Weights that are NaN, infinite or negative are
// ignored. An event older than its key's open bucket (out of order, a
// repeated daylight-saving hour reported in local time, a clock stepping
// back) cannot change a closed bucket: it is dropped and counted by
// [Spikes.Late]. A jump forward longer than Spike.MaxGap (7 days by
// default) restarts the key's model instead of filling the gap with zeros.
// Times are compared as instants, so the location of at does not matter
// for bucketing; the daily and weekly profiles use at's own location.
// Buckets are counted in Unix nanoseconds, so times outside the years
// 1678-2262 land in arbitrary buckets (still without a panic). A key
// forgotten to make room under MaxKeys loses its open episode without a
// closing alert.
//
// The zero value is ready to use. A Spikes is not safe for concurrent
// use; shard keys across detectors for parallelism.
type Spikes struct {
	Bucket  time.Duration // bucket width; 0 means 5 minutes
	Spike   Spike         // configuration copied for each new key (Key is set per key)
	MaxKeys int           // 0 means DefaultMaxKeys; an old key is forgotten to make room
	OnAlert func(Alert)   // called synchronously; nil drops alerts

	keys map[string]*keyState
	late int64
	tick int64
}

type keyState struct {
	spike  Spike
	bucket int64 // index of the open bucket
	count  float64
	seen   int64 // tick of the last Observe, for eviction
	score  float64
}

func (d *Spikes) width() time.Duration { return orD(d.Bucket, DefaultBucket) }

// Observe adds weight to key's bucket containing at.
func (d *Spikes) Observe(key string, at time.Time, weight float64) {
	if math.IsNaN(weight) || math.IsInf(weight, 0) || weight < 0 {
		return
	}
	w := int64(d.width())
	b := floorDiv(at.UnixNano(), w)
	d.tick++
	k := d.keys[key]
	if k == nil {
		if d.keys == nil {
			d.keys = make(map[string]*keyState)
		}
		if max := d.MaxKeys; len(d.keys) >= orInt(max, DefaultMaxKeys) {
			d.evict()
		}
		k = &keyState{spike: d.Spike, bucket: b}
		k.spike.Key = key
		d.keys[key] = k
	}
	k.seen = d.tick
	switch {
	case b == k.bucket:
		k.count += weight
	case b < k.bucket:
		d.late++
	default:
		d.advance(k, b, at.Location())
		k.count = weight
	}
}

// Flush closes every key's buckets that end at or before at, scoring them
// (empty buckets count as zero) and reporting alerts.
func (d *Spikes) Flush(at time.Time) {
	b := floorDiv(at.UnixNano(), int64(d.width()))
	for _, k := range d.keys {
		if b > k.bucket {
			d.advance(k, b, at.Location())
			k.count = 0
		}
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

// advance closes k's open bucket and the empty buckets before bucket b.
func (d *Spikes) advance(k *keyState, b int64, loc *time.Location) {
	w := int64(d.width())
	d.close(k, k.bucket, k.count, loc)
	gap := b - k.bucket - 1
	maxGap := int64(orD(k.spike.MaxGap, DefaultMaxGap)) / w
	if gap > maxGap {
		gap = 0 // a clock jump: Step restarts the model at the next bucket
	}
	for i := b - gap; i < b; i++ {
		d.close(k, i, 0, loc)
	}
	k.bucket = b
}

func (d *Spikes) close(k *keyState, bucket int64, count float64, loc *time.Location) {
	at := time.Unix(0, bucket*int64(d.width())).In(loc)
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
