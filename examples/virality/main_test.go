package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
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

func TestRun(t *testing.T) {
	dir := writeCascades(t)
	var out, errOut bytes.Buffer
	require.NoError(t, run([]string{"-dir", dir, "-obs", "30m,1h", "-eval"}, &out, &errOut))
	rows, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 5)
	assert.Equal(t, []string{"cascade_id", "observation_seconds", "predicted_final_count"}, rows[0])
	assert.Equal(t, []string{"RT1", "1800"}, rows[1][:2])
	assert.Equal(t, []string{"RT1", "3600"}, rows[2][:2])
	assert.Equal(t, []string{"RT2", "1800", "0"}, rows[3])
	p30, err := strconv.Atoi(rows[1][2])
	require.NoError(t, err)
	assert.GreaterOrEqual(t, p30, 30, "never below the reshares seen by 30 min")
	p60, _ := strconv.Atoi(rows[2][2])
	assert.GreaterOrEqual(t, p60, 40)
	assert.Contains(t, errOut.String(), "MdAPE")
}

func TestRunModes(t *testing.T) {
	dir := writeCascades(t)
	for _, args := range [][]string{{"-model", "plain"}, {"-poll", "5m"}} {
		var out bytes.Buffer
		require.NoError(t, run(append([]string{"-dir", dir, "-obs", "1h"}, args...), &out, &bytes.Buffer{}), "%v", args)
		rows, err := csv.NewReader(&out).ReadAll()
		require.NoError(t, err)
		assert.Len(t, rows, 3)
	}
}

func TestRunDefaultDir(t *testing.T) {
	root := t.TempDir()
	t.Setenv("EARSHOT_SHARED_DATA", root)
	err := run(nil, &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err, "no cascades folder: a clear error")
	assert.Contains(t, err.Error(), filepath.Join(root, "cascades"))
	require.NoError(t, os.Rename(writeCascades(t), filepath.Join(root, "cascades")))
	var out bytes.Buffer
	require.NoError(t, run([]string{"-obs", "1h"}, &out, &bytes.Buffer{}))
	assert.Contains(t, out.String(), "RT1,3600,")
}

func TestRunErrors(t *testing.T) {
	dir := writeCascades(t)
	for _, args := range [][]string{
		{"-dir", filepath.Join(dir, "missing")},
		{"-dir", dir, "-obs", "soon"},
		{"-dir", dir, "-obs", "-1h"},
		{"-dir", dir, "-obs", ","},
		{"-dir", dir, "-model", "magic"},
		{"-dir", dir, "-poll", "-5m"},
		{"-dir", dir, "extra"},
	} {
		err := run(args, &bytes.Buffer{}, &bytes.Buffer{})
		assert.Error(t, err, "%v", args)
	}
}

// TestRunShared runs the default settings on the shared cascades when
// they are present: 50 cascades x 3 observation times.
func TestRunShared(t *testing.T) {
	dir := shared.Path(t, "cascades")
	var out, errOut bytes.Buffer
	require.NoError(t, run([]string{"-dir", dir, "-eval"}, &out, &errOut))
	rows, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, 1+50*3)
	t.Log(errOut.String())
}
