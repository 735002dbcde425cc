package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment/linear"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestNoArguments(t *testing.T) {
	code, out, errb := runArgs()
	require.Equal(t, exitOK, code, errb)
	assert.Contains(t, out, "embedded sample.tsv: 90 examples: 30 negative, 30 neutral, 30 positive")
	assert.Contains(t, out, "5-fold cross-validation: accuracy ")
	assert.Contains(t, out, "macro-F1")
	assert.Contains(t, out, "no model written")
}

func TestHelpAndBadFlags(t *testing.T) {
	code, out, errb := runArgs("-h")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, out)
	assert.True(t, strings.HasPrefix(errb, "usage: train [flags] [FILE]\n\nTrains a text classifier"), errb)
	assert.Contains(t, errb, "-k int")

	for _, args := range [][]string{{"-k", "-3"}, {"-k", "1"}, {"-bits", "30"}, {"-nope"}, {"a.tsv", "b.tsv"}, {"-k", "x"}} {
		code, _, errb := runArgs(args...)
		assert.Equal(t, exitUsage, code, "%q", args)
		assert.NotEmpty(t, errb, "%q", args)
	}
	code, _, errb = runArgs(filepath.Join(t.TempDir(), "missing.tsv"))
	assert.Equal(t, exitError, code)
	assert.Contains(t, errb, "missing.tsv")
}

func TestParse(t *testing.T) {
	ex, err := parse([]byte("label\ttext\nspam\tbuy now\r\n\nham\thello\tthere\n"))
	require.NoError(t, err)
	assert.Equal(t, []linear.Example{{Text: "buy now", Label: "spam"}, {Text: "hello\tthere", Label: "ham"}}, ex)
	for _, bad := range []string{"", "\n\n", "no tab here", "\tempty label"} {
		_, err := parse([]byte(bad))
		assert.Error(t, err, "%q", bad)
	}
}

func TestTrainAnyLabels(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for range 10 {
		b.WriteString("billing\tmy card was charged twice\ndelivery\tthe parcel never arrived\nspam\tbuy cheap followers now\n")
	}
	in := filepath.Join(dir, "posts.tsv")
	require.NoError(t, os.WriteFile(in, []byte(b.String()), 0o644))
	model := filepath.Join(dir, "m.model")
	code, out, errb := runArgs("-k", "3", "-bits", "12", "-lang", "en", "-o", model, in)
	require.Equal(t, exitOK, code, errb)
	assert.Contains(t, out, "30 examples: 10 billing, 10 delivery, 10 spam")
	assert.Contains(t, out, "3-fold cross-validation: accuracy 1.0000, macro-recall 1.0000, macro-F1 1.0000")
	assert.Contains(t, out, "labels billing, delivery, spam")
	f, err := os.Open(model)
	require.NoError(t, err)
	defer f.Close()
	m, err := linear.Load(f)
	require.NoError(t, err)
	assert.Equal(t, "spam", m.Label("cheap followers"))
	assert.Equal(t, "en", m.Lang())
	assert.Equal(t, 12, m.Features().Bits)
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	model := filepath.Join(t.TempDir(), "m.model")
	code := run(ctx, []string{"-k", "0", "-o", model}, &out, &errb)
	if code == exitOK {
		t.Skip("training finished before the cancellation was seen")
	}
	assert.Equal(t, exitError, code)
	assert.Contains(t, errb.String(), "interrupted")
	_, err := os.Stat(model)
	assert.True(t, os.IsNotExist(err), "no partial model file")
}

// TestSharedData trains on the complaints data when the shared data is
// present ($EARSHOT_SHARED_DATA or ../shared/data).
func TestSharedData(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short")
	}
	lines := shared.Lines(t, "sentiment/complaints/train.tsv")[1:]
	var b strings.Builder
	for _, l := range lines[:600] {
		f := strings.SplitN(l, "\t", 4)
		require.Len(t, f, 4)
		b.WriteString(map[string]string{"0": "not", "1": "complaint"}[f[1]] + "\t" + f[3] + "\n")
	}
	in := filepath.Join(t.TempDir(), "complaints.tsv")
	require.NoError(t, os.WriteFile(in, []byte(b.String()), 0o644))
	code, out, errb := runArgs("-k", "3", "-bits", "14", in)
	require.Equal(t, exitOK, code, errb)
	assert.Contains(t, out, "600 examples: ")
	assert.Contains(t, out, "complaint    recall")
	t.Log(out)
}
