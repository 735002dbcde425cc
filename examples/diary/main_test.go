package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)

func TestDryRunPreview(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out, &out, now))
	s := out.String()
	t.Log("\n" + s)
	assert.Contains(t, s, "dry run (nothing is posted")
	for _, want := range []string{
		"━━ Day 1 · scheduled Sun 1 Mar 2026 07:30 CET",
		"━━ Day 2 · scheduled Mon 2 Mar 2026 07:30 CET",
		"━━ Day 3 · scheduled Tue 3 Mar 2026 07:30 CET",
		"Day 3 of the hen diary 🐔 Tuesday 3 March.",
		"Mabel laid her first egg!",
		"Hen of the day: Mabel.",
	} {
		assert.Contains(t, s, want)
	}
	assert.NotContains(t, s, "Day 4")
	assert.Equal(t, 3, strings.Count(s, "Mastodon (500):"))
	assert.Equal(t, 3, strings.Count(s, "Bluesky (300):"))
	assert.Equal(t, 3, strings.Count(s, "X (280):"))
	// Day 3 needs a thread on X and Bluesky but fits one Mastodon post.
	day3 := s[strings.Index(s, "━━ Day 3"):]
	assert.Contains(t, day3, "Mastodon (500): 1 post\n")
	assert.Contains(t, day3, "Bluesky (300): 2 posts")
	assert.Contains(t, day3, "X (280): 2 posts")
	assert.Contains(t, day3, "] 2/2 ", "thread parts are numbered")

	// Every part's counted length is within its platform's limit.
	parts := regexp.MustCompile(`\[\d+/\d+ · +(\d+)/(\d+)\]`).FindAllStringSubmatch(s, -1)
	require.Greater(t, len(parts), 9)
	for _, p := range parts {
		n, _ := strconv.Atoi(p[1])
		limit, _ := strconv.Atoi(p[2])
		assert.LessOrEqual(t, n, limit, p[0])
		assert.Positive(t, n)
	}
}

// With a state file, a second run continues with the next episode: none
// is repeated or skipped.
func TestStateFileNeverRepeats(t *testing.T) {
	state := filepath.Join(t.TempDir(), "diary.json")
	var first, second bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-state", state, "-episodes", "2"}, &first, &first, now))
	require.NoError(t, run(context.Background(), []string{"-state", state, "-episodes", "2"}, &second, &second, now))
	assert.Contains(t, first.String(), "━━ Day 1 ")
	assert.Contains(t, first.String(), "━━ Day 2 ")
	assert.NotContains(t, second.String(), "━━ Day 1 ")
	assert.NotContains(t, second.String(), "━━ Day 2 ")
	assert.Contains(t, second.String(), "━━ Day 3 ")
	assert.Contains(t, second.String(), "━━ Day 4 ")
	assert.Contains(t, second.String(), "A hawk circled", "day 4 has its own note")
}

// The notes are used in turn, so a week of episodes all differ.
func TestWeekOfVariedEpisodes(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-episodes", "8", "-start", "2026-10-20", "-zone", "America/New_York", "-at", "06:45"}, &out, &out, now))
	s := out.String()
	assert.Contains(t, s, "━━ Day 8 · scheduled Tue 27 Oct 2026 06:45 EDT")
	assert.Contains(t, s, "━━ Day 1 · scheduled Tue 20 Oct 2026 06:45 EDT")
	assert.Contains(t, s, "Day 8 of the hen diary 🐔 Tuesday 27 October. ⏎  ⏎ Clementine found the gap", "the notes cycle after a week")
}

func TestBadFlagsAndMissingCredentials(t *testing.T) {
	t.Setenv("MASTODON_TOKEN", "")
	t.Setenv("BLUESKY_HANDLE", "")
	t.Setenv("BLUESKY_APP_PASSWORD", "")
	for _, args := range [][]string{
		{"-episodes", "0"},
		{"-episodes", "-3"},
		{"-episodes", "100000"},
		{"-episodes", "two"},
		{"-zone", "Mars/Olympus"},
		{"-at", "25:00"},
		{"-at", "-07:30"},
		{"-start", "yesterday"},
		{"-mastodon", "https://example.social"},
		{"-bluesky", "https://bsky.social"},
		{"-nope"},
		{"extra"},
	} {
		var out, errs bytes.Buffer
		err := run(context.Background(), args, &out, &errs, now)
		assert.Equal(t, 2, exitCode(err, &errs), "%q", args)
		assert.NotEmpty(t, errs.String(), "%q: a message on stderr", args)
		assert.Empty(t, out.String(), "%q: nothing done", args)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-mastodon", "https://example.social"}, &out, &out, now)
	assert.ErrorContains(t, err, "MASTODON_TOKEN")
	t.Setenv("MASTODON_TOKEN", "t")
	err = run(context.Background(), []string{"-mastodon", "example.social"}, &out, &out, now)
	assert.Equal(t, 2, exitCode(err, io.Discard), "a URL without a scheme")
}

// -h prints what the program does and reads, then the flags, and exits 0.
func TestHelp(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &out, &errs, now)
	assert.Equal(t, 0, exitCode(err, &errs))
	first, _, _ := strings.Cut(errs.String(), "\n")
	assert.Equal(t, "diary posts the hen diary, a daily series, as a thread on Mastodon and Bluesky, from the notes built into the program and the progress in -state.", first)
	assert.Contains(t, errs.String(), "-episodes")
	assert.Contains(t, errs.String(), "-state")
	assert.Empty(t, out.String())
}
