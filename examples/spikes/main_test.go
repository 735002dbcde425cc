package main

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

// series is three days of a daily cycle with a burst on the third day.
func series() string {
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	t0 := time.Date(2015, 3, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3*288; i++ {
		at := t0.Add(time.Duration(i) * 5 * time.Minute)
		v := 20 + 10*math.Sin(2*math.Pi*float64(i)/288) + float64(i%3)
		if i >= 2*288+100 && i < 2*288+110 {
			v *= 15
		}
		fmt.Fprintf(&b, "%s,%d\n", at.Format("2006-01-02 15:04:05"), int(v))
	}
	return b.String()
}

func TestRun(t *testing.T) {
	in := series()
	var out bytes.Buffer
	require.NoError(t, run(strings.NewReader(in), &out, trend.DefaultSpikeThreshold))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3*288+1)
	assert.Equal(t, "timestamp,value,anomaly_score", lines[0])
	alerts := 0
	for i, l := range lines[1:] {
		parts := strings.Split(l, ",")
		require.Len(t, parts, 3)
		var s float64
		_, err := fmt.Sscan(parts[2], &s)
		require.NoError(t, err)
		assert.True(t, s >= 0 && s <= 1, "score %v", s)
		if s >= trend.DefaultSpikeThreshold {
			alerts++
			assert.Equal(t, 2*288+100, i, "the alert opens at the burst")
		}
	}
	assert.Equal(t, 1, alerts)
}

// TestCausal checks that each output row depends only on earlier input: the
// output for a prefix of the input is a prefix of the full output.
func TestCausal(t *testing.T) {
	in := series()
	var full bytes.Buffer
	require.NoError(t, run(strings.NewReader(in), &full, 0.5))
	rows := strings.SplitAfter(in, "\n")
	for _, k := range []int{2, 300, 677, 700} {
		var part bytes.Buffer
		require.NoError(t, run(strings.NewReader(strings.Join(rows[:k], "")), &part, 0.5))
		assert.True(t, strings.HasPrefix(full.String(), part.String()), "prefix of %d rows", k)
		assert.Equal(t, k, strings.Count(part.String(), "\n"))
	}
}

func TestBadInput(t *testing.T) {
	in := "timestamp,value\n2015-03-02 00:00:00,1\n2015-03-02 00:00:00,5\n2015-03-02 00:05:00,NaN\n2015-03-02 00:10:00,-3\n"
	var out bytes.Buffer
	require.NoError(t, run(strings.NewReader(in), &out, 0.5))
	assert.Equal(t, 5, strings.Count(out.String(), "\n"))
	for _, bad := range []string{"nope\n", "timestamp,value\nfoo,1\n", "timestamp,value\njustonefield\n"} {
		assert.Error(t, run(strings.NewReader(bad), &bytes.Buffer{}, 0.5), bad)
	}
}

func FuzzRun(f *testing.F) {
	f.Add("timestamp,value\n2015-02-26 21:42:53,104\n2015-02-26 21:47:53,100\n")
	f.Add("timestamp,value\r\n2015-02-26T21:42:53Z,1e309\r\n2015-02-26T21:42:53Z,-1\r\n")
	f.Add("timestamp,value\n2015-02-26 21:42:53,NaN\n\n2015-02-26 21:40:00,3\n")
	f.Add("nope")
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		err := run(strings.NewReader(in), &out, 0.5)
		if err != nil {
			return
		}
		for i, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if i == 0 {
				continue
			}
			var s float64
			parts := strings.Split(l, ",")
			if _, err := fmt.Sscan(parts[len(parts)-1], &s); err != nil || s < 0 || s > 1 {
				t.Fatalf("row %d: bad score in %q", i, l)
			}
		}
	})
}
