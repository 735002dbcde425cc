package sketch

import (
	"container/heap"
	"encoding/binary"
	"sort"
)

// Counter is one monitored key of a [SpaceSaving] summary: Count is an
// upper bound of its true count and Count-Err a lower bound.
type Counter struct {
	Key        string
	Count, Err uint64
}

// SpaceSaving keeps the (approximately) K most frequent keys of a stream
// (Metwally et al., 2005): a new key takes over the smallest counter and
// inherits its count as error. Memory is O(K).
type SpaceSaving struct {
	K     int
	items []*ssNode          // a min-heap on Count
	index map[string]*ssNode // key -> its node
}

type ssNode struct {
	Counter
	pos int // position in items
}

// NewSpaceSaving returns an empty summary of k counters.
func NewSpaceSaving(k int) *SpaceSaving {
	return &SpaceSaving{K: k, index: make(map[string]*ssNode, k)}
}

// Len returns the number of monitored keys.
func (s *SpaceSaving) Len() int { return len(s.items) }

// Add counts n occurrences of key.
func (s *SpaceSaving) Add(key string, n uint64) {
	if nd, ok := s.index[key]; ok {
		nd.Count += n
		heap.Fix((*ssHeap)(s), nd.pos)
		return
	}
	if len(s.items) < s.K {
		heap.Push((*ssHeap)(s), Counter{Key: key, Count: n})
		return
	}
	if s.K <= 0 {
		return
	}
	nd := s.items[0]
	delete(s.index, nd.Key)
	nd.Counter = Counter{Key: key, Count: nd.Count + n, Err: nd.Count}
	s.index[key] = nd
	heap.Fix((*ssHeap)(s), 0)
}

// Counters returns the monitored keys, largest count first (ties by key).
func (s *SpaceSaving) Counters() []Counter {
	out := make([]Counter, len(s.items))
	for i, nd := range s.items {
		out[i] = nd.Counter
	}
	sortCounters(out)
	return out
}

func sortCounters(c []Counter) {
	sort.Slice(c, func(i, j int) bool {
		if c[i].Count != c[j].Count {
			return c[i].Count > c[j].Count
		}
		return c[i].Key < c[j].Key
	})
}

func (s *SpaceSaving) min() uint64 {
	if len(s.items) < s.K || len(s.items) == 0 {
		return 0
	}
	return s.items[0].Count
}

// Merge combines o into s as in Agarwal et al., "Mergeable Summaries"
// (2012): counters are added by key, a key missing from a full summary is
// charged that summary's minimum as possible error, and the K largest
// (ties broken by key) are kept. The result does not depend on the order
// of the two operands.
func (s *SpaceSaving) Merge(o *SpaceSaving) error {
	if s.K != o.K {
		return ErrShape
	}
	ms, mo := s.min(), o.min()
	all := make(map[string]Counter, len(s.items)+len(o.items))
	for _, nd := range s.items {
		c := nd.Counter
		c.Count += mo
		c.Err += mo
		all[c.Key] = c
	}
	for _, nd := range o.items {
		c := nd.Counter
		if a, ok := all[c.Key]; ok {
			a.Count += c.Count - mo
			a.Err += c.Err - mo
			all[c.Key] = a
			continue
		}
		c.Count += ms
		c.Err += ms
		all[c.Key] = c
	}
	merged := make([]Counter, 0, len(all))
	for _, c := range all {
		merged = append(merged, c)
	}
	sortCounters(merged)
	if len(merged) > s.K {
		merged = merged[:s.K]
	}
	s.items = s.items[:0]
	clear(s.index)
	for _, c := range merged {
		heap.Push((*ssHeap)(s), c)
	}
	return nil
}

// Reset empties the summary.
func (s *SpaceSaving) Reset() {
	s.items = s.items[:0]
	clear(s.index)
}

// AppendBinary appends K and the counters in canonical order.
func (s *SpaceSaving) AppendBinary(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(s.K))
	b = binary.AppendUvarint(b, uint64(len(s.items)))
	for _, c := range s.Counters() {
		b = binary.AppendUvarint(b, uint64(len(c.Key)))
		b = append(b, c.Key...)
		b = binary.AppendUvarint(b, c.Count)
		b = binary.AppendUvarint(b, c.Err)
	}
	return b
}

// MaxK bounds K in decoded summaries.
const MaxK = 1 << 20

// DecodeSpaceSaving reads what AppendBinary wrote and returns the rest.
func DecodeSpaceSaving(b []byte) (*SpaceSaving, []byte, error) {
	k, b, ok := uvarint(b)
	if !ok || k > MaxK {
		return nil, nil, ErrCorrupt
	}
	n, b, ok := uvarint(b)
	if !ok || n > k || n > uint64(len(b)) {
		return nil, nil, ErrCorrupt
	}
	// Sized by the counters present, not by the k claimed.
	s := &SpaceSaving{K: int(k), index: make(map[string]*ssNode, n)}
	for i := uint64(0); i < n; i++ {
		l, rest, ok := uvarint(b)
		if !ok || l > uint64(len(rest)) {
			return nil, nil, ErrCorrupt
		}
		key := string(rest[:l])
		b = rest[l:]
		var c Counter
		c.Key = key
		if c.Count, b, ok = uvarint(b); !ok {
			return nil, nil, ErrCorrupt
		}
		if c.Err, b, ok = uvarint(b); !ok || c.Err > c.Count {
			return nil, nil, ErrCorrupt
		}
		if _, dup := s.index[key]; dup {
			return nil, nil, ErrCorrupt
		}
		heap.Push((*ssHeap)(s), c)
	}
	return s, b, nil
}

// ssHeap implements heap.Interface over a SpaceSaving's items.
type ssHeap SpaceSaving

func (h *ssHeap) Len() int           { return len(h.items) }
func (h *ssHeap) Less(i, j int) bool { return h.items[i].Count < h.items[j].Count }
func (h *ssHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].pos = i
	h.items[j].pos = j
}
func (h *ssHeap) Push(x any) {
	nd := &ssNode{Counter: x.(Counter), pos: len(h.items)}
	h.index[nd.Key] = nd
	h.items = append(h.items, nd)
}
func (h *ssHeap) Pop() any {
	n := len(h.items) - 1
	nd := h.items[n]
	h.items = h.items[:n]
	delete(h.index, nd.Key)
	return nd.Counter
}
