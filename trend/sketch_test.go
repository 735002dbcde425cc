package trend_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

type obs struct {
	key string
	at  time.Time
	w   float64
}

// stream is a day of background terms (some always popular) and, in the
// last half hour, a burst of a new term and a rise of a usually rare one.
func stream(r *rand.Rand) []obs {
	var out []obs
	start := t0
	for m := 0; m < 24*60; m++ {
		at := start.Add(time.Duration(m) * time.Minute)
		for j := 0; j < 20; j++ {
			out = append(out, obs{"#popular", at, 1})
		}
		for j := 0; j < 10; j++ {
			out = append(out, obs{fmt.Sprintf("#t%d", r.Intn(300)), at.Add(time.Duration(j) * time.Second), 1})
		}
		if m%30 == 0 {
			out = append(out, obs{"#rare", at, 1})
		}
		if m >= 24*60-30 {
			for j := 0; j < 5; j++ {
				out = append(out, obs{"#breaking", at, 1})
			}
			out = append(out, obs{"#rare", at, 1})
		}
	}
	return out
}

var tEnd = t0.Add(24 * time.Hour)

func TestSketchTrending(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var d trend.Detector = &trend.Window{Size: 15 * time.Minute}
	for _, o := range stream(r) {
		d.Observe(o.key, o.at, o.w)
	}
	top := d.Top(tEnd, 3)
	require.GreaterOrEqual(t, len(top), 2)
	assert.Equal(t, "#breaking", top[0].Key)
	assert.Equal(t, "#rare", top[1].Key)
	for _, tr := range top {
		assert.NotEqual(t, "#popular", tr.Key, "an always-popular key does not trend")
	}
	assert.InDelta(t, 75, top[0].Count, 10)
	assert.InDelta(t, 0, top[0].Baseline, 1)
	assert.Greater(t, top[0].Velocity, 0.0)
	s := d.(*trend.Sketch)
	assert.InDelta(t, 300, s.Count("#popular", tEnd), 30)
	assert.InDelta(t, 304, s.Distinct(), 10)
}

// small is the configuration of the merge tests: small enough to keep the
// tests fast under -race, with K large enough that no candidate is dropped.
func small() *trend.Sketch { return &trend.Sketch{K: 2048, Width: 1024, History: 24} }

func split(obs []obs, workers int, r *rand.Rand) []*trend.Sketch {
	out := make([]*trend.Sketch, workers)
	for i := range out {
		out[i] = small()
	}
	for _, o := range obs {
		out[r.Intn(workers)].Observe(o.key, o.at, o.w)
	}
	return out
}

func marshal(t *testing.T, s *trend.Sketch) []byte {
	b, err := s.MarshalBinary()
	require.NoError(t, err)
	return b
}

func clone(t *testing.T, s *trend.Sketch) *trend.Sketch {
	var c trend.Sketch
	require.NoError(t, c.UnmarshalBinary(marshal(t, s)))
	return &c
}

func merged(t *testing.T, parts ...*trend.Sketch) *trend.Sketch {
	acc := clone(t, parts[0])
	for _, p := range parts[1:] {
		require.NoError(t, acc.Merge(p))
	}
	return acc
}

// TestSketchMergeProperties checks, on random splits of one stream, that
// merging is commutative and associative (byte for byte) and that merged
// workers give one worker's answer.
func TestSketchMergeProperties(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	all := stream(r)
	one := small()
	for _, o := range all {
		one.Observe(o.key, o.at, o.w)
	}
	want := one.Top(tEnd, 10)
	for trial := 0; trial < 3; trial++ {
		p := split(all, 3, rand.New(rand.NewSource(int64(trial))))
		a, b, c := p[0], p[1], p[2]
		ab, ba := merged(t, a, b), merged(t, b, a)
		assert.Equal(t, marshal(t, ab), marshal(t, ba), "commutative")
		left := merged(t, merged(t, a, b), c)
		right := merged(t, a, merged(t, b, c))
		assert.Equal(t, marshal(t, left), marshal(t, right), "associative")
		assert.Equal(t, want, left.Top(tEnd, 10), "merged workers give one worker's answer")
		for _, key := range []string{"#popular", "#rare", "#breaking", "#t7"} {
			assert.Equal(t, one.Count(key, tEnd), left.Count(key, tEnd))
		}
	}
}

// TestSketchMergeTruncated checks that with few candidate counters (so
// space-saving must drop keys) merge is still commutative and the heavy
// trending keys agree with one worker.
func TestSketchMergeTruncated(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	all := stream(r)
	cfg := trend.Sketch{K: 16, Width: 1024, History: 24}
	one := &cfg
	parts := []*trend.Sketch{{K: 16, Width: 1024, History: 24}, {K: 16, Width: 1024, History: 24}, {K: 16, Width: 1024, History: 24}}
	for _, o := range all {
		one.Observe(o.key, o.at, o.w)
		parts[r.Intn(3)].Observe(o.key, o.at, o.w)
	}
	ab, ba := merged(t, parts[0], parts[1]), merged(t, parts[1], parts[0])
	assert.Equal(t, marshal(t, ab), marshal(t, ba))
	m := merged(t, parts...)
	assert.Equal(t, one.Top(tEnd, 2), m.Top(tEnd, 2))
}

func TestSketchMergeMisaligned(t *testing.T) {
	a, b := small(), small()
	a.Observe("#x", t0, 1)
	b.Observe("#x", t0.Add(2*time.Hour), 1)
	ab, ba := merged(t, a, b), merged(t, b, a)
	assert.Equal(t, marshal(t, ab), marshal(t, ba))
	assert.ErrorIs(t, a.Merge(&trend.Sketch{Size: time.Hour, History: 3}), trend.ErrIncompatible)
	assert.ErrorIs(t, a.Merge(&trend.Sketch{}), trend.ErrIncompatible)
	assert.NoError(t, a.Merge(nil))
	assert.NoError(t, a.Merge(small()))
}

func TestSketchBadInput(t *testing.T) {
	var s trend.Sketch
	s.Observe("#a", t0.Add(time.Hour), 1)
	for _, w := range []float64{-1, 0, 0.2, nan(), inf()} {
		s.Observe("#a", t0.Add(time.Hour), w)
	}
	assert.Equal(t, 1.0, s.Count("#a", t0.Add(time.Hour)))
	s.Observe("#a", t0.Add(-48*time.Hour), 1) // too old
	assert.Equal(t, int64(1), s.Late())
	s.Observe("#a", t0.Add(30*time.Minute), 1) // late but within history: counts
	s.Observe("#a", t0.Add(400*24*time.Hour), 1)
	assert.Equal(t, 1.0, s.Count("#a", t0.Add(400*24*time.Hour)), "a clock jump starts afresh")
	assert.Empty(t, s.Top(t0.Add(500*24*time.Hour), 5))
	var zero trend.Sketch
	assert.Empty(t, zero.Top(t0, 5))
	assert.Zero(t, zero.Count("#a", t0))
}

func TestSketchUnmarshalRejects(t *testing.T) {
	s := &trend.Sketch{History: 4, Width: 64, K: 8}
	s.Observe("#a", t0, 3)
	good := marshal(t, s)
	var back trend.Sketch
	require.NoError(t, back.UnmarshalBinary(good))
	assert.Equal(t, good, marshal(t, &back))
	for i := 0; i < len(good); i += 7 {
		bad := bytes.Clone(good)
		bad[i] ^= 0x41
		assert.ErrorIs(t, back.UnmarshalBinary(bad), trend.ErrCorrupt, "flip at %d", i)
	}
	for _, bad := range [][]byte{nil, []byte("ETSK"), good[:len(good)-1], append(bytes.Clone(good), 0)} {
		assert.ErrorIs(t, back.UnmarshalBinary(bad), trend.ErrCorrupt)
	}
	v2 := bytes.Clone(good)
	v2[4] = 2
	assert.ErrorContains(t, back.UnmarshalBinary(v2), "version")
	assert.Equal(t, good, marshal(t, &back), "a failed decode leaves the sketch unchanged")
}

func FuzzSketchUnmarshal(f *testing.F) {
	s := &trend.Sketch{History: 3, Width: 16, K: 4}
	s.Observe("#a", t0, 2)
	s.Observe("#b", t0.Add(20*time.Minute), 1)
	b, _ := s.MarshalBinary()
	f.Add(b)
	f.Add([]byte("ETSK\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s trend.Sketch
		if err := s.UnmarshalBinary(data); err != nil {
			return
		}
		out, err := s.MarshalBinary()
		require.NoError(t, err)
		var again trend.Sketch
		require.NoError(t, again.UnmarshalBinary(out))
		s.Observe("#z", t0, 1)
		_ = s.Top(t0, 3)
	})
}

func ExampleSketch() {
	det := &trend.Window{Size: 15 * time.Minute}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for m := 0; m < 6*60; m++ { // six hours, one observation a minute each
		at := start.Add(time.Duration(m) * time.Minute)
		det.Observe("#monday", at, 10) // always busy
		if m >= 6*60-15 {
			det.Observe("#outage", at, 4) // new in the last quarter hour
		}
	}
	for _, t := range det.Top(start.Add(6*time.Hour), 3) {
		fmt.Printf("%s count %.0f baseline %.0f\n", t.Key, t.Count, t.Baseline)
	}
	// Output:
	// #outage count 60 baseline 0
}

func TestSketchAlerts(t *testing.T) {
	s := &trend.Sketch{}
	start := t0
	var got []trend.Alert
	for m := 0; m < 8*60; m++ {
		at := start.Add(time.Duration(m) * time.Minute)
		s.Observe("#steady", at, 10)
		if m >= 6*60 && m < 6*60+30 {
			s.Observe("#outage", at, 5)
		}
		if m%15 == 14 {
			got = append(got, s.Alerts(at, 0)...)
		}
	}
	require.Len(t, got, 2)
	assert.Equal(t, trend.AlertTrending, got[0].Kind)
	assert.Equal(t, "#outage", got[0].Key)
	assert.True(t, got[0].Open())
	assert.Equal(t, got[0].Start, got[1].Start)
	assert.False(t, got[1].Open())
	assert.GreaterOrEqual(t, got[1].Score, 0.5)
	var zero trend.Sketch
	assert.Nil(t, zero.Alerts(t0, 1))
}
