package main

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the embedded sample")

// sampleSpecs are the synthetic cascades of the embedded sample: the
// poster's followers, the expected reshares of the poster's own
// followers, the branching factor of the reshares after them, and the
// post time (days after 7 October 2011, UTC).
var sampleSpecs = []struct {
	name      string
	followers int
	direct    float64
	branching float64
	day       float64
}{
	{"brand-launch", 2_400_000, 900, 0.45, 0.55},
	{"complaint", 3_100, 40, 0.8, 1.40},
	{"news-flash", 850_000, 1400, 0.25, 2.10},
	{"meme", 12_000, 60, 0.85, 3.75},
	{"quiet-update", 45_000, 25, 0.2, 4.95},
	{"late-riser", 7_500, 30, 0.7, 6.20},
}

// simulate draws one cascade from SEISMIC's model: every reshare by an
// account with n followers triggers Poisson(p·n) reshares after delays
// drawn from the paper's kernel (flat for 5 minutes, then a power-law
// tail with exponent 1.242), kept with the probability of the Twitter
// rhythm's activity at their clock time; reshares after 7 days are cut.
func simulate(r *rand.Rand, followers int, direct, branching, day float64) (ages []int, fols []int) {
	const s0, theta, week = 300.0, 0.242, 7 * 86400.0
	meanFol := math.Exp(5.5 + 1.5*1.5/2) // lognormal(5.5, 1.5)
	p0 := direct / float64(followers)
	p := branching / meanFol
	delay := func() float64 {
		u := r.Float64()
		if u < theta/(1+theta) {
			return s0 * u * (1 + theta) / theta
		}
		return s0 * math.Pow((1-u)*(1+theta), -1/theta)
	}
	keep := func(age float64) bool {
		clock := math.Mod(day+age/86400, 1) * 24
		return r.Float64() < (1+0.75*math.Cos(2*math.Pi*(clock-14)/24))/1.75
	}
	poisson := func(mean float64) int {
		n, l, q := 0, math.Exp(-mean), r.Float64()
		for q > l && n < 100000 {
			n++
			q *= r.Float64()
		}
		return n
	}
	type ev struct {
		age float64
		fol int
	}
	queue := []ev{{0, followers}}
	var out []ev
	for len(queue) > 0 && len(out) < 20000 {
		e := queue[0]
		queue = queue[1:]
		rate := p * float64(e.fol)
		if e.age == 0 {
			rate = p0 * float64(e.fol)
		}
		for k := poisson(rate); k > 0; k-- {
			a := e.age + delay()
			if a >= week || !keep(a) {
				continue
			}
			c := ev{a, int(math.Exp(5.5 + 1.5*r.NormFloat64()))}
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].age < out[j].age })
	for _, e := range out {
		ages = append(ages, int(math.Ceil(e.age)))
		fols = append(fols, e.fol)
	}
	return ages, fols
}

func sampleFile(i int) []byte {
	s := sampleSpecs[i]
	r := rand.New(rand.NewSource(int64(i + 1)))
	ages, fols := simulate(r, s.followers, s.direct, s.branching, s.day)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d %.2f\n0 %d \n", len(ages), s.day, s.followers)
	for j := range ages {
		fmt.Fprintf(&b, "%d %d \n", ages[j], fols[j])
	}
	return b.Bytes()
}

// TestSample checks the embedded sample is what the generator makes;
// go test -run TestSample -update rewrites it.
func TestSample(t *testing.T) {
	for i, s := range sampleSpecs {
		name := filepath.Join("sample", s.name+".txt")
		want := sampleFile(i)
		if *update {
			require.NoError(t, os.WriteFile(name, want, 0o644))
			continue
		}
		got, err := os.ReadFile(name)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "%s: run go test -run TestSample -update", name)
	}
}
