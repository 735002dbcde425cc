package trend

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"sort"
	"time"

	"github.com/earshot-dev/earshot/trend/internal/sketch"
)

// Detector finds trending keys: Observe feeds weighted keys with their
// time, Top ranks the keys trending at a time.
type Detector interface {
	Observe(key string, at time.Time, weight float64)
	Top(at time.Time, n int) []Trend
}

// Trend is a key trending at a time.
type Trend struct {
	Key      string
	Count    float64 // estimated weight in the window ending at the time asked
	Baseline float64 // the key's usual weight per window, from its own history
	Velocity float64 // excess over the baseline per hour: (Count-Baseline)/Size
	Score    float64 // (Count-Baseline)/sqrt(Baseline+1): how unusual, not how big
}

// Defaults of [Sketch].
const (
	DefaultSize     = 15 * time.Minute
	DefaultHistory  = 96
	DefaultK        = 1024
	DefaultWidth    = 8192
	DefaultDepth    = 4
	DefaultMinCount = 5
)

// ErrIncompatible is returned by [Sketch.Merge] for sketches configured
// differently.
var ErrIncompatible = errors.New("trend: sketches differ in configuration")

// ErrCorrupt is returned by [Sketch.UnmarshalBinary] for input it cannot
// decode: a wrong magic number or version, a bad checksum, or impossible
// shapes.
var ErrCorrupt = errors.New("trend: corrupt sketch")

// Window is the trending-keys detector under the name the wiring examples
// use: &trend.Window{Size: 15 * time.Minute}.
type Window = Sketch

// Sketch finds trending keys (hashtags, terms, links) in bounded memory.
// Time is cut into slots of Size. Each slot has a count-min sketch of the
// weights observed in it, and the last History slots form each key's own
// baseline, so a key that is always popular does not trend; only a rise
// against its usual level does. Candidates come from space-saving
// summaries (K counters) of the current and previous slot, and a
// HyperLogLog estimates the distinct keys seen.
//
// The window of [Sketch.Top] is the Size before at: the current slot plus
// the overlapping fraction of the previous one. A key trends when its
// count is at least MinCount; keys are ranked by Score, a Poisson
// z-score of the count against the baseline.
//
// # Memory
//
// History+1 count-min sketches of Depth×Width 16-bit counters (a counter
// of 65,535 or more, rare in a slot, takes about 50 bytes more) and one
// of 32-bit counters for the baseline, plus 2×K candidates and 16 KiB of
// HyperLogLog: about 6.5 MiB with the defaults, whatever the number of
// keys.
//
// # Merging
//
// Workers that each see part of a stream can [Sketch.Merge] their
// sketches (after [Sketch.MarshalBinary] and [Sketch.UnmarshalBinary] on
// the wire). Count-min cells add, HyperLogLog registers take the maximum,
// and space-saving counters add by key, so Merge is commutative, and its
// counts are exactly those one worker would have; candidates agree except
// for keys too rare to be among the K largest of a slot.
//
// # Bad input
//
// Weights are rounded to whole numbers; NaN, infinite, negative and
// sub-0.5 weights are ignored. Observations for a past slot still within
// History are added to that slot (late data counts); older ones are
// dropped and counted by [Sketch.Late]. A jump forward of more than
// History slots starts the windows afresh.
//
// The zero value is ready to use with the defaults. A Sketch is not safe
// for concurrent use.
type Sketch struct {
	Size     time.Duration // slot and window length; 0 means 15 minutes
	History  int           // baseline slots; 0 means 96 (a day of 15-minute slots)
	K        int           // candidates per slot; 0 means 1024
	Width    int           // count-min width (a power of two); 0 means 8192
	Depth    int           // count-min depth; 0 means 4
	MinCount float64       // minimum window count to trend; 0 means 5

	ready   bool
	started bool  // something was observed or merged in
	cur     int64 // index of the current slot
	first   int64 // first slot ever observed
	slots   []*sketch.CountMin16
	hist    *sketch.CountMin // sum of slots cur-History .. cur-2
	ssCur   *sketch.SpaceSaving
	ssPrev  *sketch.SpaceSaving
	hll     *sketch.HLL
	late    int64

	episodes map[string]*Alert // open trending episodes, for Alerts
}

func (s *Sketch) size() time.Duration { return orD(s.Size, DefaultSize) }

func (s *Sketch) init() {
	if s.ready {
		return
	}
	s.Size = s.size()
	s.History = orInt(s.History, DefaultHistory)
	s.K = orInt(s.K, DefaultK)
	s.Width = orInt(s.Width, DefaultWidth)
	s.Depth = orInt(s.Depth, DefaultDepth)
	if s.MinCount <= 0 || math.IsNaN(s.MinCount) {
		s.MinCount = DefaultMinCount
	}
	s.slots = make([]*sketch.CountMin16, s.History+1)
	for i := range s.slots {
		s.slots[i] = sketch.NewCountMin16(s.Depth, s.Width)
	}
	s.Width = s.slots[0].Width
	s.hist = sketch.NewCountMin(s.Depth, s.Width)
	s.ssCur, s.ssPrev = sketch.NewSpaceSaving(s.K), sketch.NewSpaceSaving(s.K)
	s.hll = sketch.NewHLL(14)
	s.ready = true
}

type shape struct {
	size             time.Duration
	history, k, w, d int
}

// shape returns the configuration with defaults applied.
func (s *Sketch) shape() shape {
	w := 1
	for w < orInt(s.Width, DefaultWidth) {
		w <<= 1
	}
	return shape{s.size(), orInt(s.History, DefaultHistory), orInt(s.K, DefaultK), w, orInt(s.Depth, DefaultDepth)}
}

func (s *Sketch) slot(c int64) *sketch.CountMin16 {
	n := int64(len(s.slots))
	return s.slots[((c%n)+n)%n]
}

func (s *Sketch) slotOf(at time.Time) int64 { return floorDiv(at.UnixNano(), int64(s.size())) }

// Observe adds weight to key at time at.
func (s *Sketch) Observe(key string, at time.Time, weight float64) {
	if !(weight >= 0.5) || math.IsInf(weight, 1) {
		return
	}
	n := uint32(math.MaxUint32)
	if weight < math.MaxUint32 {
		n = uint32(math.Round(weight))
	}
	s.init()
	c := s.slotOf(at)
	if !s.started {
		s.cur, s.first, s.started = c, c, true
	}
	if c > s.cur {
		s.advance(c)
	}
	h := sketch.Hash(key)
	switch {
	case c == s.cur:
		s.slot(c).Add(h, n)
		s.ssCur.Add(key, uint64(n))
	case c >= s.cur-int64(s.History):
		s.slot(c).Add(h, n)
		if c == s.cur-1 {
			s.ssPrev.Add(key, uint64(n))
		} else {
			s.hist.Add(h, n)
		}
		if c < s.first {
			s.first = c
		}
	default:
		s.late++
		return
	}
	s.hll.Add(h)
}

// advance moves the current slot to c.
func (s *Sketch) advance(c int64) {
	if c-s.cur > int64(s.History)+1 {
		for _, sl := range s.slots {
			sl.Reset()
		}
		s.hist.Reset()
		s.ssCur.Reset()
		s.ssPrev.Reset()
		s.cur, s.first = c, c
		return
	}
	for next := s.cur + 1; next <= c; next++ {
		s.slot(next - 2).AddTo(s.hist)
		s.slot(next - int64(s.History) - 1).SubFrom(s.hist)
		s.slot(next).Reset() // the slot that left the history
		s.ssPrev, s.ssCur = s.ssCur, s.ssPrev
		s.ssCur.Reset()
	}
	s.cur = c
}

// Late returns how many observations were too old to count.
func (s *Sketch) Late() int64 { return s.late }

// Distinct estimates the number of distinct keys observed.
func (s *Sketch) Distinct() float64 {
	if !s.ready {
		return 0
	}
	return math.Round(s.hll.Count())
}

// Count estimates key's weight in the Size before at.
func (s *Sketch) Count(key string, at time.Time) float64 {
	if !s.ready {
		return 0
	}
	c, _ := s.estimate(sketch.Hash(key), at)
	return c
}

// estimate returns the window count and the baseline per window.
func (s *Sketch) estimate(h uint64, at time.Time) (count, base float64) {
	c := s.slotOf(at)
	if c > s.cur+1 || c < s.cur {
		return 0, 0
	}
	size := s.size()
	into := float64(at.UnixNano()-c*int64(size)) / float64(size)
	if c == s.cur {
		count = float64(s.slot(c).Estimate(h)) + (1-into)*float64(s.slot(c-1).Estimate(h))
	} else {
		count = (1 - into) * float64(s.slot(s.cur).Estimate(h))
	}
	slots := s.cur - 1 - s.first // complete slots in the baseline
	if slots > int64(s.History)-1 {
		slots = int64(s.History) - 1
	}
	if slots > 0 {
		base = float64(s.hist.Estimate(h)) / float64(slots)
	}
	return count, base
}

// Top returns up to n keys trending at at, highest Score first (ties by
// key). at should be at or after the last observation; for an at more
// than one slot away from the current slot there is nothing to report.
func (s *Sketch) Top(at time.Time, n int) []Trend {
	if !s.ready || n <= 0 {
		return nil
	}
	seen := make(map[string]bool, s.ssCur.Len()+s.ssPrev.Len())
	var out []Trend
	hours := s.size().Hours()
	for _, ss := range []*sketch.SpaceSaving{s.ssCur, s.ssPrev} {
		for _, c := range ss.Counters() {
			if seen[c.Key] {
				continue
			}
			seen[c.Key] = true
			count, base := s.estimate(sketch.Hash(c.Key), at)
			if count < s.MinCount || count <= base {
				continue
			}
			out = append(out, Trend{
				Key: c.Key, Count: count, Baseline: base,
				Velocity: (count - base) / hours,
				Score:    (count - base) / math.Sqrt(base+1),
			})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Key < out[j].Key
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// DefaultTrendThreshold is the Score at which [Sketch.Alerts] opens an
// episode when given 0.
const DefaultTrendThreshold = 6

const warmSlots = 4

// Alerts reports trending episodes as of at: an [AlertTrending] alert
// when a key's Score reaches threshold (0 means DefaultTrendThreshold),
// and the same episode with End set once its Score falls below half the
// threshold. Call it periodically (each slot, say). Alert.Score is
// Score/(Score+threshold), so 0.5 at the threshold. Open episodes are at
// most the candidates of two slots; they are local to this Sketch and are
// neither merged nor marshalled.
func (s *Sketch) Alerts(at time.Time, threshold float64) []Alert {
	if !s.ready || s.cur-1-s.first < warmSlots {
		return nil // everything looks new before there is a baseline
	}
	if !(threshold > 0) {
		threshold = DefaultTrendThreshold
	}
	if s.episodes == nil {
		s.episodes = make(map[string]*Alert)
	}
	var out []Alert
	now := map[string]Trend{}
	for _, t := range s.Top(at, 2*s.K) {
		now[t.Key] = t
		score := t.Score / (t.Score + threshold)
		ep := s.episodes[t.Key]
		switch {
		case ep == nil && t.Score >= threshold:
			ep = &Alert{
				Kind: AlertTrending, Key: t.Key, Start: at, Peak: at,
				Severity: severity(score, 0.5), Score: score,
				Summary: fmt.Sprintf("%.0f in %s against a usual %.1f", t.Count, s.size(), t.Baseline),
			}
			s.episodes[t.Key] = ep
			out = append(out, *ep)
		case ep != nil && score > ep.Score:
			ep.Score, ep.Peak, ep.Severity = score, at, severity(score, 0.5)
		}
	}
	keys := make([]string, 0, len(s.episodes))
	for k := range s.episodes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if t, ok := now[k]; !ok || t.Score < threshold/2 {
			ep := s.episodes[k]
			ep.End = at
			out = append(out, *ep)
			delete(s.episodes, k)
		}
	}
	return out
}

// Merge adds o's observations to s. Both must have the same Size, History,
// K, Width and Depth (after defaults). o is not changed.
func (s *Sketch) Merge(o *Sketch) error {
	if o == nil {
		return nil
	}
	s.init()
	if s.shape() != o.shape() {
		return ErrIncompatible
	}
	if !o.ready {
		return nil
	}
	if !o.started {
		s.late += o.late
		return nil
	}
	if !s.started {
		s.cur, s.first, s.started = o.cur, o.first, true
	}
	if o.cur > s.cur {
		s.advance(o.cur)
	}
	h := int64(s.History)
	for c := o.cur - h; c <= o.cur; c++ {
		if c < s.cur-h || c < o.first {
			continue
		}
		if err := s.slot(c).Merge(o.slot(c)); err != nil {
			return err
		}
	}
	s.first = min(s.first, o.first)
	s.hist.Reset()
	for c := s.cur - h; c <= s.cur-2; c++ {
		s.slot(c).AddTo(s.hist)
	}
	switch o.cur {
	case s.cur:
		if err := s.ssCur.Merge(o.ssCur); err != nil {
			return err
		}
		if err := s.ssPrev.Merge(o.ssPrev); err != nil {
			return err
		}
	case s.cur - 1:
		if err := s.ssPrev.Merge(o.ssCur); err != nil {
			return err
		}
	}
	s.late += o.late
	return s.hll.Merge(o.hll)
}

const (
	sketchMagic   = "ETSK"
	sketchVersion = 1
)

// MarshalBinary encodes the sketch: a magic number, a version, the
// configuration, the slots, candidates and distinct counter, and a CRC-32
// of everything before it.
func (s *Sketch) MarshalBinary() ([]byte, error) {
	s.init()
	b := append([]byte(sketchMagic), sketchVersion)
	b = binary.AppendVarint(b, int64(s.Size))
	for _, v := range []int{s.History, s.K, s.Width, s.Depth} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.MinCount))
	if s.started {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendVarint(b, s.cur)
	b = binary.AppendVarint(b, s.first)
	b = binary.AppendVarint(b, s.late)
	for c := s.cur - int64(s.History); c <= s.cur; c++ {
		b = s.slot(c).AppendBinary(b)
	}
	b = s.ssCur.AppendBinary(b)
	b = s.ssPrev.AppendBinary(b)
	b = s.hll.AppendBinary(b)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// UnmarshalBinary replaces s with the decoded sketch. It returns an error
// wrapping [ErrCorrupt] for input MarshalBinary did not produce, and
// leaves s unchanged then. It checks all of data before it allocates the
// counters, so input that is not a whole encoding costs about its own
// size in memory. A whole encoding of a sketch that has seen little is
// small whatever its shape (a run of zero counters takes a few bytes) and
// may describe up to 2^28 counters (768 MiB with the baseline), so take
// sketches only from peers trusted with that much memory.
func (s *Sketch) UnmarshalBinary(data []byte) error {
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrCorrupt, what) }
	if len(data) < len(sketchMagic)+1+4 || string(data[:4]) != sketchMagic {
		return bad("not a sketch")
	}
	if data[4] != sketchVersion {
		return bad(fmt.Sprintf("unsupported version %d", data[4]))
	}
	body := data[:len(data)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return bad("checksum mismatch")
	}
	b := body[5:]
	var n Sketch
	size, k := binary.Varint(b)
	if k <= 0 || size <= 0 {
		return bad("size")
	}
	b = b[k:]
	n.Size = time.Duration(size)
	var cfg [4]uint64
	for i := range cfg {
		v, k := binary.Uvarint(b)
		if k <= 0 || v == 0 || v > sketch.MaxCells {
			return bad("configuration")
		}
		cfg[i] = v
		b = b[k:]
	}
	n.History, n.K, n.Width, n.Depth = int(cfg[0]), int(cfg[1]), int(cfg[2]), int(cfg[3])
	// Each factor is at most 2^26 and History+1 at most 2^16+1, so the
	// product is checked one factor at a time, before it could wrap.
	if n.History > 1<<16 || n.K > sketch.MaxK || cfg[2]*cfg[3] > sketch.MaxCells ||
		uint64(n.History+1)*cfg[2]*cfg[3] > 1<<28 {
		return bad("configuration too large")
	}
	if len(b) < 8 {
		return bad("truncated")
	}
	n.MinCount = math.Float64frombits(binary.LittleEndian.Uint64(b))
	b = b[8:]
	if !(n.MinCount > 0) || math.IsInf(n.MinCount, 0) {
		return bad("minimum count")
	}
	if len(b) < 1 || b[0] > 1 {
		return bad("flags")
	}
	n.started = b[0] == 1
	b = b[1:]
	var ints [3]int64
	for i := range ints {
		v, k := binary.Varint(b)
		if k <= 0 {
			return bad("truncated")
		}
		ints[i] = v
		b = b[k:]
	}
	n.cur, n.first, n.late = ints[0], ints[1], ints[2]
	// The slots take most of the memory: check all the input before
	// allocating them, so what decoding allocates is what the input
	// carries, not what a header claims.
	slots := b
	for range n.History + 1 {
		d, w, rest, err := sketch.SkipCountMin(b)
		if err != nil || d != n.Depth || w != n.Width {
			return bad("slot")
		}
		b = rest
	}
	var err error
	if n.ssCur, b, err = sketch.DecodeSpaceSaving(b); err != nil || n.ssCur.K != n.K {
		return bad("candidates")
	}
	if n.ssPrev, b, err = sketch.DecodeSpaceSaving(b); err != nil || n.ssPrev.K != n.K {
		return bad("candidates")
	}
	if n.hll, b, err = sketch.DecodeHLL(b); err != nil || n.hll.P != 14 {
		return bad("distinct counter")
	}
	if len(b) != 0 {
		return bad("trailing bytes")
	}
	n.slots = make([]*sketch.CountMin16, n.History+1)
	for c := n.cur - int64(n.History); c <= n.cur; c++ {
		cm, rest, err := sketch.DecodeCountMin16(slots)
		if err != nil {
			return bad("slot") // checked above
		}
		slots = rest
		m := int64(len(n.slots))
		n.slots[((c%m)+m)%m] = cm
	}
	n.hist = sketch.NewCountMin(n.Depth, n.Width)
	for c := n.cur - int64(n.History); c <= n.cur-2; c++ {
		n.slot(c).AddTo(n.hist)
	}
	n.ready = true
	*s = n
	return nil
}
