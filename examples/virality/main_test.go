package main

import (
	"time"

	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"github.com/earshot-dev/earshot/trend/viral"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
)

func writeCascades(t *testing.T) string {
	dir := t.TempDir()
	// RT1: 40 reshares in the first 40 minutes, 20 more later
	var b bytes.Buffer
	b.WriteString("60 0.5\n0 5000 \n")
	for i := 1; i <= 40; i++ {
		b.WriteString(strconv.Itoa(i*60) + " 300 \n")
	}
	for i := 1; i <= 20; i++ {
		b.WriteString(strconv.Itoa(3000+i*3600) + " 100 \n")
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "RT1.txt"), b.Bytes(), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "RT2.txt"), []byte("0 1.25\n0 10 \n"), 0o644))
	return dir
}

func runCSV(t *testing.T, args ...string) ([][]string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), args, &out, &errOut))
	rows, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	return rows, errOut.String()
}

func num(t *testing.T, s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return v
}

func TestRun(t *testing.T) {
	dir := writeCascades(t)
	rows, errOut := runCSV(t, "-dir", dir, "-obs", "30m,1h", "-eval", "-rhythm", "none")
	require.Len(t, rows, 5)
	assert.Equal(t, []string{"cascade_id", "observation_seconds", "predicted_final_count", "low80", "high80"}, rows[0])
	assert.Equal(t, []string{"RT1", "1800"}, rows[1][:2])
	assert.Equal(t, []string{"RT1", "3600"}, rows[2][:2])
	assert.Equal(t, []string{"RT2", "1800", "0", "0", "0"}, rows[3])
	for _, r := range rows[1:3] {
		seen := 30.0
		if r[1] == "3600" {
			seen = 40
		}
		final, lo, hi := num(t, r[2]), num(t, r[3]), num(t, r[4])
		assert.GreaterOrEqual(t, lo, seen, "never below the reshares seen")
		assert.LessOrEqual(t, lo, final)
		assert.LessOrEqual(t, final, hi)
	}
	assert.Contains(t, errOut, "MdAPE")
	assert.Contains(t, errOut, "80% range held")
}

// TestCausal: cutting every file after 2 hours changes none of the 1 h
// and 2 h rows.
func TestCausal(t *testing.T) {
	cs, err := readFS(sample, "sample")
	require.NoError(t, err)
	dir := t.TempDir()
	for _, c := range cs {
		n := c.ObservedBy(2 * 3600e9)
		var b bytes.Buffer
		b.WriteString(strconv.Itoa(n) + " " + strconv.FormatFloat(c.Posted.Sub(epoch()).Hours()/24, 'f', 2, 64) + "\n0 " + strconv.Itoa(c.Followers) + "\n")
		for _, r := range c.Reshares[:n] {
			b.WriteString(strconv.Itoa(int(r.Age.Seconds())) + " " + strconv.Itoa(r.Followers) + "\n")
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, c.ID+".txt"), b.Bytes(), 0o644))
	}
	full, _ := runCSV(t, "-obs", "1h,2h")
	cut, _ := runCSV(t, "-obs", "1h,2h", "-dir", dir)
	assert.Equal(t, full, cut)
	for _, poll := range []string{"5m", "7m"} {
		full, _ := runCSV(t, "-obs", "1h,2h", "-poll", poll)
		cut, _ := runCSV(t, "-obs", "1h,2h", "-poll", poll, "-dir", dir)
		assert.Equal(t, full, cut, "-poll %s", poll)
	}
}

// TestSampleRuns: with no flags, the embedded sample, offline.
func TestSampleRuns(t *testing.T) {
	rows, _ := runCSV(t)
	require.Len(t, rows, 1+3*len(sampleSpecs))
	for _, r := range rows[1:] {
		final, lo, hi := num(t, r[2]), num(t, r[3]), num(t, r[4])
		assert.True(t, lo <= final && final <= hi, "%v", r)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "virality predicts how far retweet cascades will spread"},
		{[]string{"extra"}, 2, "unexpected arguments"},
		{[]string{"-obs", "soon"}, 2, "-obs"},
		{[]string{"-obs", "0s"}, 2, "after the post"},
		{[]string{"-obs", "9000h"}, 2, "up to 7 days"},
		{[]string{"-obs", ","}, 2, "no observation times"},
		{[]string{"-poll", "-5m"}, 2, "must not be negative"},
		{[]string{"-rhythm", "lunar"}, 2, "want twitter or none"},
		{[]string{"-nope"}, 2, "flag provided but not defined"},
		{[]string{"-dir", "/nonexistent/cascades"}, 1, "virality: viral:"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := exitCode(run(context.Background(), tc.args, &out, &errOut), &errOut)
			assert.Equal(t, tc.code, code)
			assert.Contains(t, errOut.String(), tc.want)
			if tc.code == 0 {
				first, _, _ := strings.Cut(errOut.String(), "\n")
				assert.Contains(t, first, "reading SEISMIC/TiDeH cascade files")
				assert.Contains(t, errOut.String(), "-obs")
			}
		})
	}
}

// TestInterrupted: a cancelled run stops with the rows so far and exit 1.
func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, nil, &out, &errOut)
	require.True(t, errors.Is(err, context.Canceled))
	assert.Equal(t, 1, exitCode(err, &errOut))
	assert.Equal(t, "cascade_id,observation_seconds,predicted_final_count,low80,high80\n", out.String())
	assert.Contains(t, errOut.String(), "interrupted")
}

// TestShared runs the example on the shared SEISMIC cascades, as the
// issue's check does, and logs the figures.
func TestShared(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the run on the shared cascades")
	}
	dir := shared.Path(t, "cascades")
	rows, errOut := runCSV(t, "-dir", dir, "-obs", "1h,2h,6h", "-eval")
	require.Len(t, rows, 1+3*50)
	t.Log(errOut)
}

func epoch() time.Time { return viral.Epoch() }
