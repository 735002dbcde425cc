package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The offline run must show the story of the sample data: a negative
// shift and a volume spike during the complaint wave, and the viral post
// flagged within its first hour.
func TestOfflineRunShowsTheComplaintWave(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-speed", "0"}, &out, &errOut))
	s := out.String()
	t.Log("\n" + s)

	assert.Contains(t, s, "negative shift for larkspur since Tue 1", "the shift alert comes on Tuesday, the day of the wave")
	assert.Contains(t, s, "volume spike in negative posts since Tue")
	assert.Regexp(t, `post going viral .*3lark5viral22.*after (\d+)m`, s)
	assert.Contains(t, s, "Eight years of Larkspur stamps", "the viral post is quoted")
	assert.NotContains(t, s, "since Mon", "no alert on the quiet first day")
	assert.Contains(t, s, "Summary: heard 3370 records")
	assert.Contains(t, s, "counted but not scored")
	assert.Empty(t, errOut.String())
}

func TestDefaultSpeedFinishesInTime(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 13 s of wall time")
	}
	start := time.Now()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out, &out))
	assert.Less(t, time.Since(start), 30*time.Second)
	assert.Greater(t, time.Since(start), 5*time.Second, "the default replay is paced, not instant")
}

func TestReplayFileWithBadLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posts.jsonl")
	lines := []string{
		`{"platform":"x","id":"1","text":"Larkspur latte is lovely","created":"2026-03-02T09:00:00Z"}`,
		`{"platform":"x","id":`,
		`{"platform":"x","id":"2","text":"larkspur is awful","created":"2026-03-02T10:00:00Z"}`,
	}
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-replay", path, "-speed", "0"}, &out, &out))
	assert.Contains(t, out.String(), "2 matched the query")
	assert.Contains(t, out.String(), "skipped 1 malformed records")
}

func TestRecordThenReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-speed", "0", "-record", path}, &out, &out))
	var again bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-speed", "0", "-replay", path}, &again, &again))
	assert.Equal(t, out.String(), again.String(), "a recording replays to the same report")
}

func TestBadFlags(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-query", `"unbalanced`}, &out, &out)
	assert.ErrorContains(t, err, "position 1")
	err = run(context.Background(), []string{"-mastodon", "not a url"}, &out, &out)
	assert.Error(t, err)
}

func TestCancelStopsQuietly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-speed", "100"}, &out, &out))
	assert.Contains(t, out.String(), "Summary:")
}
