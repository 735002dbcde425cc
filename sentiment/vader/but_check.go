package vader

// smallBut is the number of non-zero sentiments up to which butCheck uses
// a quadratic scan; beyond it, a map keeps it linear.
const smallBut = 48

// butCheck is the reference's _but_check on the non-zero sentiments sent
// (at token positions pos, increasing) with the first "but" at token bi.
// It keeps the reference's quirk: each value is looked up with
// list.index, so the first element equal to it (possibly an earlier one,
// possibly already modified) is the one scaled. Zeros never change, and
// no zero equals a non-zero value, so they need not be visited.
func butCheck(sent []float64, pos []int32, bi int) {
	if len(sent) > smallBut {
		butCheckLarge(sent, pos, bi)
		return
	}
	for k := range sent {
		v := sent[k]
		si := k
		for j := 0; j < k; j++ {
			if sent[j] == v {
				si = j
				break
			}
		}
		if p := int(pos[si]); p < bi {
			sent[si] = v * 0.5
		} else if p > bi {
			sent[si] = v * 1.5
		}
	}
}

// butCheckLarge does what butCheck does in O(n log n): for each value it
// keeps the positions that currently hold it in a min-heap.
func butCheckLarge(sent []float64, posOf []int32, bi int) {
	pos := make(map[float64]*intHeap)
	push := func(v float64, i int) {
		h := pos[v]
		if h == nil {
			h = &intHeap{}
			pos[v] = h
		}
		h.push(i)
	}
	for i, v := range sent {
		if v != 0 {
			push(v, i)
		}
	}
	for k := range sent {
		v := sent[k]
		if v == 0 {
			continue
		}
		h := pos[v]
		si := h.min() // k holds v, so the heap is not empty
		var nv float64
		switch p := int(posOf[si]); {
		case p < bi:
			nv = v * 0.5
		case p > bi:
			nv = v * 1.5
		default:
			continue
		}
		if nv == v {
			continue
		}
		h.popMin()
		sent[si] = nv
		push(nv, si)
	}
}

type intHeap []int

func (h *intHeap) min() int { return (*h)[0] }

func (h *intHeap) push(x int) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *intHeap) popMin() {
	a := *h
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && a[l] < a[m] {
			m = l
		}
		if r < n && a[r] < a[m] {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
}
