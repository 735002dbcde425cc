package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

var update = flag.Bool("update", false, "rewrite sample.csv")

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

// sampleStart and sampleUproar describe sample.csv: five days from Monday
// 2026-03-02 of a made-up brand's mentions per 5 minutes, with three hours
// of uproar from 14:00 on the fourth day.
var (
	sampleStart  = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	sampleUproar = sampleStart.Add(3*24*time.Hour + 14*time.Hour)
)

// makeSample generates sample.csv.
func makeSample() []byte {
	r := rand.New(rand.NewSource(2026))
	var b bytes.Buffer
	b.WriteString("timestamp,value\n")
	for i := 0; i < 5*288; i++ {
		at := sampleStart.Add(time.Duration(i) * 5 * time.Minute)
		h := float64(at.Hour()) + float64(at.Minute())/60
		lam := 20 * (1 + 0.7*math.Sin(2*math.Pi*(h-9)/24)) // busiest mid-afternoon
		if !at.Before(sampleUproar) && at.Before(sampleUproar.Add(3*time.Hour)) {
			lam *= 6
		}
		n := math.Max(0, math.Round(lam+math.Sqrt(lam)*r.NormFloat64()))
		fmt.Fprintf(&b, "%s,%d\n", at.Format("2006-01-02 15:04:05"), int(n))
	}
	return b.Bytes()
}

// TestSample checks that the embedded sample is what makeSample makes
// (go test -update rewrites it) and that scoring it finds the uproar and
// nothing else.
func TestSample(t *testing.T) {
	if *update {
		require.NoError(t, os.WriteFile("sample.csv", makeSample(), 0o644))
		return
	}
	require.Equal(t, string(makeSample()), string(sample), "sample.csv is stale: go test -update")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), bytes.NewReader(sample), &out, trend.DefaultSpikeThreshold))
	var alerts []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
		parts := strings.Split(l, ",")
		var s float64
		_, err := fmt.Sscan(parts[2], &s)
		require.NoError(t, err)
		if s >= trend.DefaultSpikeThreshold {
			alerts = append(alerts, parts[0])
		}
	}
	require.Len(t, alerts, 1, "one episode: %v", alerts)
	at, err := parseTime(alerts[0])
	require.NoError(t, err)
	assert.False(t, at.Before(sampleUproar))
	assert.True(t, at.Before(sampleUproar.Add(15*time.Minute)), "the uproar alerts within 15 minutes: %v", at)
}

func TestRun(t *testing.T) {
	in := series()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), strings.NewReader(in), &out, trend.DefaultSpikeThreshold))
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
	require.NoError(t, run(context.Background(), strings.NewReader(in), &full, 0.5))
	rows := strings.SplitAfter(in, "\n")
	for _, k := range []int{2, 300, 677, 700} {
		var part bytes.Buffer
		require.NoError(t, run(context.Background(), strings.NewReader(strings.Join(rows[:k], "")), &part, 0.5))
		assert.True(t, strings.HasPrefix(full.String(), part.String()), "prefix of %d rows", k)
		assert.Equal(t, k, strings.Count(part.String(), "\n"))
	}
}

func TestBadInput(t *testing.T) {
	in := "timestamp,value\n2015-03-02 00:00:00,1\n2015-03-02 00:00:00,5\n2015-03-02 00:05:00,NaN\n2015-03-02 00:10:00,-3\n"
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), strings.NewReader(in), &out, 0.5))
	assert.Equal(t, 5, strings.Count(out.String(), "\n"))
	for _, bad := range []string{"", "nope\n", "timestamp,value\nfoo,1\n", "timestamp,value\njustonefield\n"} {
		assert.Error(t, run(context.Background(), strings.NewReader(bad), &bytes.Buffer{}, 0.5), bad)
	}
}

func TestArgs(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parseArgs([]string{"-h"}, &stderr)
	assert.ErrorIs(t, err, flag.ErrHelp)
	first, _, _ := strings.Cut(stderr.String(), "\n")
	assert.Equal(t, "usage: spikes [-threshold T] [FILE.csv]", first)
	assert.Contains(t, stderr.String(), "standard input")
	assert.Contains(t, stderr.String(), "-threshold")

	o, err := parseArgs([]string{"-threshold", "0.7", "series.csv"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{threshold: 0.7, file: "series.csv"}, o)
	o, err = parseArgs(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{threshold: trend.DefaultSpikeThreshold}, o)
	for _, bad := range [][]string{
		{"-threshold", "5"}, {"-threshold", "0"}, {"-threshold", "1"}, {"-threshold", "-0.5"},
		{"-threshold", "NaN"}, {"a.csv", "b.csv"}, {"-nope"},
	} {
		_, err := parseArgs(bad, io.Discard)
		assert.Error(t, err, "%q", bad)
		assert.False(t, errors.Is(err, flag.ErrHelp))
	}
}

// TestInput checks where the rows come from: the file argument, standard
// input, or the sample when standard input is a terminal.
func TestInput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "series.csv")
	require.NoError(t, os.WriteFile(path, []byte(series()), 0o644))
	in, err := input(options{file: path}, os.Stdin, io.Discard)
	require.NoError(t, err)
	var fromFile, fromReader bytes.Buffer
	require.NoError(t, run(context.Background(), in, &fromFile, 0.6))
	require.NoError(t, in.Close())
	require.NoError(t, run(context.Background(), strings.NewReader(series()), &fromReader, 0.6))
	assert.Equal(t, fromReader.String(), fromFile.String(), "a file argument reads like standard input")

	_, err = input(options{file: filepath.Join(t.TempDir(), "missing.csv")}, os.Stdin, io.Discard)
	assert.Error(t, err)

	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	defer pr.Close()
	pw.Close()
	in, err = input(options{}, pr, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, pr, in, "piped standard input is read")

	if tty, err := os.Open("/dev/null"); err == nil { // a character device, like a terminal
		defer tty.Close()
		var stderr bytes.Buffer
		in, err := input(options{}, tty, &stderr)
		require.NoError(t, err)
		b, err := io.ReadAll(in)
		require.NoError(t, err)
		assert.Equal(t, sample, b)
		assert.Contains(t, stderr.String(), "sample.csv")
	}
}

// TestStop checks that cancelling (what SIGINT and SIGTERM do) stops a
// run blocked on a pipe, once main closes its input, keeping the rows
// written so far.
func TestStop(t *testing.T) {
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	defer pw.Close()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, pr, outW, 0.6) }()
	_, err = io.WriteString(pw, "timestamp,value\n2015-03-02 00:00:00,1\n")
	require.NoError(t, err)
	got := make([]byte, len("timestamp,value,anomaly_score\n2015-03-02 00:00:00,1,0\n"))
	_, err = io.ReadFull(outR, got) // the row is out: run now waits on the pipe
	require.NoError(t, err)
	assert.Equal(t, "timestamp,value,anomaly_score\n2015-03-02 00:00:00,1,0\n", string(got))
	cancel()
	pr.Close() // as main does on a signal
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(2 * time.Minute):
		t.Fatal("run did not stop")
	}
}

func FuzzRun(f *testing.F) {
	f.Add("timestamp,value\n2015-02-26 21:42:53,104\n2015-02-26 21:47:53,100\n")
	f.Add("timestamp,value\r\n2015-02-26T21:42:53Z,1e309\r\n2015-02-26T21:42:53Z,-1\r\n")
	f.Add("timestamp,value\n2015-02-26 21:42:53,NaN\n\n2015-02-26 21:40:00,3\n")
	f.Add("nope")
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		err := run(context.Background(), strings.NewReader(in), &out, 0.5)
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
