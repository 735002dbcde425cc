package viral

import (
	"math"
	"sort"
)

// Reshares are kept in bins of post age: 30 s wide for the first 20
// minutes, then each bin 2.5% wider than the one before (a bin starting at
// age u is 0.025·u wide). A week needs about 290 bins whatever the number
// of reshares, and the index of an age's bin is computed, not searched, so
// an event is added in O(1) (a late event that lands in an older bin costs
// a binary search and, rarely, an insert into the short bin slice).
//
// Each bin keeps sufficient statistics for the power-law kernel: the count,
// the sum of ages, the sum of follower counts and the follower-weighted sum
// of ages. At prediction time a bin stands for a point mass at its mean age
// (follower-weighted for the kernel terms), which is within the bin's width
// of every member: a few percent of the post's age.
const (
	binWidth0 = 30.0   // seconds
	binLinear = 1200.0 // seconds of fixed-width bins
	binRatio  = 1 + binWidth0/binLinear
	binK1     = int32(binLinear / binWidth0)
	maxAge    = 400 * 24 * 3600.0 // ages are capped here (seconds)
)

// logBinRatio is log(binRatio) (TestBins checks it).
const logBinRatio = 0.024692612590371255

type bin struct {
	k                      int32
	cnt, sumT, sumN, sumNT float64
}

func binIndex(u float64) int32 {
	if u < binLinear {
		if u < 0 {
			return 0
		}
		return int32(u / binWidth0)
	}
	return binK1 + int32(math.Log(u/binLinear)/logBinRatio)
}

func binStart(k int32) float64 {
	if k <= binK1 {
		return float64(k) * binWidth0
	}
	return binLinear * math.Pow(binRatio, float64(k-binK1))
}

// meanT is the mean age of the bin's reshares.
func (b *bin) meanT() float64 {
	if b.cnt <= 0 {
		return binStart(b.k)
	}
	return b.sumT / b.cnt
}

// meanNT is the follower-weighted mean age.
func (b *bin) meanNT() float64 {
	if b.sumN <= 0 {
		return b.meanT()
	}
	return b.sumNT / b.sumN
}

type bins []bin

// at returns the bin with index k, inserting it if needed.
func (bs *bins) at(k int32) *bin {
	s := *bs
	if n := len(s); n == 0 || s[n-1].k < k {
		*bs = append(s, bin{k: k})
		return &(*bs)[len(*bs)-1]
	} else if s[n-1].k == k {
		return &s[n-1]
	}
	i := sort.Search(len(s), func(i int) bool { return s[i].k >= k })
	if s[i].k == k {
		return &s[i]
	}
	s = append(s, bin{})
	copy(s[i+1:], s[i:])
	s[i] = bin{k: k}
	*bs = s
	return &s[i]
}

// add records weight reshares at age u with f followers each.
func (bs *bins) add(u, weight, f float64) {
	b := bs.at(binIndex(u))
	b.cnt += weight
	b.sumT += weight * u
	b.sumN += weight * f
	b.sumNT += weight * f * u
}

// spread records weight reshares spread evenly over ages [u0, u1], f
// followers each, bin by bin.
func (bs *bins) spread(u0, u1, weight, f float64) {
	if weight <= 0 {
		return
	}
	if u1-u0 <= 0 {
		bs.add(u1, weight, f)
		return
	}
	rate := weight / (u1 - u0)
	for k := binIndex(u0); ; k++ {
		lo, hi := math.Max(binStart(k), u0), math.Min(binStart(k+1), u1)
		if hi > lo {
			w := rate * (hi - lo)
			bs.add((lo+hi)/2, w, f)
		}
		if binStart(k+1) >= u1 {
			return
		}
	}
}
