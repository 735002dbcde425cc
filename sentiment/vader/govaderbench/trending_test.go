package govaderbench

import (
	"container/heap"
	"math/rand"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

// plainTopK is what a count-min top-k library keeps: one count-min
// sketch (the width and depth of trend.Sketch's) and a min-heap of the k
// keys with the largest estimated counts. Window > 0 starts both afresh
// every Window, so that it ranks the keys most frequent in the current
// window instead of over the whole stream.
type plainTopK struct {
	cells  []uint32
	width  int
	k      int
	window time.Duration
	slot   int64
	heap   topHeap
}

type topEntry struct {
	key   string
	count uint32
}

type topHeap struct {
	e   []topEntry
	pos map[string]int
}

func (h topHeap) Len() int           { return len(h.e) }
func (h topHeap) Less(i, j int) bool { return h.e[i].count < h.e[j].count }
func (h topHeap) Swap(i, j int) {
	h.e[i], h.e[j] = h.e[j], h.e[i]
	h.pos[h.e[i].key], h.pos[h.e[j].key] = i, j
}
func (h *topHeap) Push(x any) { h.pos[x.(topEntry).key] = len(h.e); h.e = append(h.e, x.(topEntry)) }
func (h *topHeap) Pop() any {
	x := h.e[len(h.e)-1]
	h.e = h.e[:len(h.e)-1]
	delete(h.pos, x.key)
	return x
}

func newPlainTopK(width, k int, window time.Duration) *plainTopK {
	return &plainTopK{cells: make([]uint32, 4*width), width: width, k: k, window: window, heap: topHeap{pos: map[string]int{}}}
}

func (p *plainTopK) observe(key string, at time.Time) {
	if p.window > 0 {
		if s := at.UnixNano() / int64(p.window); s != p.slot {
			clear(p.cells)
			p.heap.e = p.heap.e[:0]
			clear(p.heap.pos)
			p.slot = s
		}
	}
	h := fnv(key)
	h1, h2 := uint32(h), uint32(h>>32)|1
	est := ^uint32(0)
	for r := range 4 {
		i := r*p.width + int((h1+uint32(r)*h2)&uint32(p.width-1))
		p.cells[i]++
		est = min(est, p.cells[i])
	}
	if i, ok := p.heap.pos[key]; ok {
		p.heap.e[i].count = est
		heap.Fix(&p.heap, i)
	} else if p.heap.Len() < p.k {
		heap.Push(&p.heap, topEntry{key, est})
	} else if est > p.heap.e[0].count {
		heap.Pop(&p.heap)
		heap.Push(&p.heap, topEntry{key, est})
	}
}

// top returns the n keys of largest count.
func (p *plainTopK) top(n int) []string {
	e := append([]topEntry(nil), p.heap.e...)
	for i := range e { // selection of the n largest; n is small
		for j := i + 1; j < len(e); j++ {
			if e[j].count > e[i].count {
				e[i], e[j] = e[j], e[i]
			}
		}
	}
	var out []string
	for i := 0; i < n && i < len(e); i++ {
		out = append(out, e[i].key)
	}
	return out
}

func fnv(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 31
	return h * 0x9e3779b97f4a7c15
}

// BenchmarkTrendingMemory feeds 10 million posts over a day (half of them
// a uniform draw from a million terms, half a Zipf draw, as
// BenchmarkSketchTenMillion in the trend package) and, in the last 15
// minutes, 20 new terms with 400 posts each, to trend.Sketch and to the
// plain count-min top-k (over the whole day, and started afresh every 15
// minutes), one after the other in the same process. For each it reports
// the heap it retains and the peak heap during its run (MiB), CPU time
// per post, and how many of the 20 new terms it ranks among its top 20
// (Sketch.Top by score; the plain one by count). Run with -benchtime 1x.
func BenchmarkTrendingMemory(b *testing.B) {
	const posts, vocab, burst, perBurst = 10_000_000, 1_000_000, 20, 400
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	step := 24 * time.Hour / posts
	end := t0.Add(24 * time.Hour)
	type detector struct {
		name    string
		observe func(key string, at time.Time)
		top     func(n int) []string
	}
	for b.Loop() {
		for _, mk := range []func() (detector, any){
			func() (detector, any) {
				s := &trend.Sketch{}
				return detector{"sketch", func(k string, at time.Time) { s.Observe(k, at, 1) }, func(n int) []string {
					var out []string
					for _, t := range s.Top(end, n) {
						out = append(out, t.Key)
					}
					return out
				}}, s
			},
			func() (detector, any) {
				p := newPlainTopK(8192, 1024, 0)
				return detector{"plain-day", p.observe, p.top}, p
			},
			func() (detector, any) {
				p := newPlainTopK(8192, 1024, 15*time.Minute)
				return detector{"plain-window", p.observe, p.top}, p
			},
		} {
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			before := ms.HeapAlloc
			d, keep := mk()
			r := rand.New(rand.NewSource(1))
			z := rand.NewZipf(r, 1.2, 1, vocab-1)
			buf := make([]byte, 0, 16)
			peak := uint64(0)
			start := cpuTime()
			burstFrom := posts - posts/96 // the last 15 minutes
			for i := range posts {
				var term uint64
				if i&1 == 0 {
					term = uint64(r.Intn(vocab))
				} else {
					term = z.Uint64()
				}
				at := t0.Add(time.Duration(i) * step)
				buf = strconv.AppendUint(append(buf[:0], '#', 't'), term, 10)
				d.observe(string(buf), at)
				if i >= burstFrom && (i-burstFrom)%((posts-burstFrom)/(burst*perBurst)) == 0 {
					buf = strconv.AppendInt(append(buf[:0], '#', 'n', 'e', 'w'), int64(r.Intn(burst)), 10)
					d.observe(string(buf), at)
				}
				if i%1_000_000 == 0 {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapAlloc-before)
				}
			}
			cpu := cpuTime() - start
			found := 0
			for _, k := range d.top(burst) {
				if len(k) > 4 && k[:4] == "#new" {
					found++
				}
			}
			runtime.GC()
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapAlloc-before)/(1<<20), d.name+"-heap-MiB")
			b.ReportMetric(float64(max(peak, ms.HeapAlloc-before))/(1<<20), d.name+"-peak-MiB")
			b.ReportMetric(float64(cpu.Nanoseconds())/posts, d.name+"-cpu-ns/post")
			b.ReportMetric(float64(found), d.name+"-new-in-top20")
			runtime.KeepAlive(keep)
		}
	}
}
