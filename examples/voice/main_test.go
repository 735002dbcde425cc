package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
)

// runVoice runs the command with args and returns its output, standard
// error and exit status.
func runVoice(t *testing.T, ctx context.Context, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := exitCode(run(ctx, args, &out, &errOut), &errOut)
	return out.String(), errOut.String(), code
}

// rows returns the CSV part of the output, header first.
func rows(t *testing.T, out string) [][]string {
	t.Helper()
	table, _, ok := strings.Cut(out, "\n\n")
	require.True(t, ok, "a blank line ends the CSV")
	recs, err := csv.NewReader(strings.NewReader(table)).ReadAll()
	require.NoError(t, err)
	return recs
}

func TestSample(t *testing.T) {
	out, errOut, code := runVoice(t, context.Background())
	require.Equal(t, 0, code, errOut)
	recs := rows(t, out)
	require.Equal(t, []string{"key", "hour", "mentions", "authors", "negative", "neutral", "positive", "share"}, recs[0])
	shares := map[string]float64{}
	mentions := map[string]int{}
	for _, r := range recs[1:] {
		h, err := time.Parse(time.RFC3339, r[1])
		require.NoError(t, err)
		assert.Equal(t, time.UTC, h.Location())
		assert.Zero(t, h.Minute())
		s, err := strconv.ParseFloat(r[7], 64)
		require.NoError(t, err)
		assert.True(t, s >= 0 && s <= 1, "share %v", s)
		shares[r[1]] += s
		n, _ := strconv.Atoi(r[2])
		mentions[r[0]] += n
	}
	for h, s := range shares {
		assert.InDelta(t, 1, s, 0.002, "shares of %s add up to 1", h)
	}
	assert.GreaterOrEqual(t, len(shares), 70, "nearly every hour of the three days has mentions")
	assert.Greater(t, mentions["larkspur"], mentions["brightcup"])
	assert.Greater(t, mentions["brightcup"], mentions["hollowoak"])

	report := out[strings.Index(out, "\n\n"):]
	assert.Contains(t, report, "# top authors on 2026-03-04 (UTC)")
	assert.Contains(t, report, `influencer "hollowoak": bluesky:morningbrewmag.bsky.social (120000 followers)`)
	// The recall: an alert about brightcup whose first reason is about it.
	i := strings.Index(report, `"brightcup"`)
	require.Positive(t, i, report)
	why := report[i:]
	why = why[strings.Index(why, "#   why: "):]
	why = why[:strings.Index(why, "\n")]
	assert.Regexp(t, `why: (term recall|term cans|hashtag brightcuprecall) `, why)
	m := regexp.MustCompile(`# (\d+) near-duplicate posts collapsed`).FindStringSubmatch(report)
	require.NotNil(t, m)
	collapsed, _ := strconv.Atoi(m[1])
	assert.True(t, collapsed >= 39 && collapsed < 100, "the flood of 40 copies and a few more: %d", collapsed)
}

func TestHelpAndBadFlags(t *testing.T) {
	out, errOut, code := runVoice(t, context.Background(), "-h")
	assert.Equal(t, 0, code)
	assert.Empty(t, out)
	first, _, _ := strings.Cut(errOut, "\n")
	assert.Contains(t, first, "voice reports share of voice")
	assert.Contains(t, errOut, "-csv")

	dir := t.TempDir()
	file := filepath.Join(dir, "x.csv")
	require.NoError(t, os.WriteFile(file, []byte("airline,text,tweet_created\n"), 0o644))
	for _, args := range [][]string{
		{"extra"},
		{"-top", "0"},
		{"-top", "51"},
		{"-nope"},
		{"-key", "noequals"},
		{"-key", "a=("},
		{"-key", "a=x", "-key", "a=y"},
		{"-replay", "x.jsonl"},
		{"-csv", file},
		{"-csv", file, "-key", "a=b"},
		{"-csv", file, "-key", "nosuchcolumn"},
		{"-csv", file, "-replay", "y", "-key", "airline"},
	} {
		_, errOut, code := runVoice(t, context.Background(), args...)
		assert.Equal(t, 2, code, "%q: %s", args, errOut)
		assert.NotEmpty(t, errOut)
	}
	_, errOut, code = runVoice(t, context.Background(), "-replay", filepath.Join(dir, "missing.jsonl"), "-key", "a=a")
	assert.Equal(t, 1, code, errOut)
}

func TestReplayFile(t *testing.T) {
	lines := strings.Join([]string{
		`{"platform":"mastodon","id":"1","author":{"handle":"ana@x.social","followers":20},"text":"Acme is great","created":"2026-03-02T09:10:00Z"}`,
		`not json`,
		`{"platform":"mastodon","id":"2","author":{"handle":"ben@x.social"},"text":"acme and rival both slow today","created":"2026-03-02T09:20:00Z"}`,
		`{"platform":"bluesky","id":"3","author":{"handle":"cy.bsky.social"},"text":"rival, awful","created":"2026-03-02T10:05:00Z"}`,
		`{"platform":"bluesky","id":"4","author":{"handle":"cy.bsky.social"},"text":"nothing to see","created":"2026-03-02T10:06:00Z"}`,
	}, "\n")
	file := filepath.Join(t.TempDir(), "posts.jsonl")
	require.NoError(t, os.WriteFile(file, []byte(lines), 0o644))
	out, errOut, code := runVoice(t, context.Background(), "-replay", file, "-key", "acme=acme", "-key", "rival=rival")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, [][]string{
		{"key", "hour", "mentions", "authors", "negative", "neutral", "positive", "share"},
		{"acme", "2026-03-02T09:00:00Z", "2", "2", "0", "1", "1", "0.6667"},
		{"rival", "2026-03-02T09:00:00Z", "1", "1", "0", "1", "0", "0.3333"},
		{"acme", "2026-03-02T10:00:00Z", "0", "0", "0", "0", "0", "0"},
		{"rival", "2026-03-02T10:00:00Z", "1", "1", "1", "0", "0", "1"},
	}, rows(t, out))
	assert.Contains(t, out, "1 records skipped (first: replay: line 2:")
}

// TestStopsOnCancel checks that a cancelled run (Ctrl-C, SIGTERM) still
// ends cleanly and reports what it read.
func TestStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out, errOut, code := runVoice(t, ctx)
	assert.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "key,hour,mentions,authors,negative,neutral,positive,share\n"))
}

// TestAirlineCSV runs the command on the airline tweets (shared data) and
// checks every airline-hour's mentions, sentiment counts and share against
// a count of the file's rows.
func TestAirlineCSV(t *testing.T) {
	path := shared.Path(t, "airline/tweets.csv")
	f, err := os.Open(path)
	require.NoError(t, err)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)
	type cell struct{ mentions, neg, neu, pos int }
	want := map[[2]string]*cell{}
	perHour := map[string]int{}
	for _, r := range recs[1:] {
		at, err := time.Parse("1/2/2006 15:04", r[5])
		require.NoError(t, err)
		h := at.Truncate(time.Hour).Format(time.RFC3339)
		c := want[[2]string{r[3], h}]
		if c == nil {
			c = &cell{}
			want[[2]string{r[3], h}] = c
		}
		c.mentions++
		switch r[1] {
		case "negative":
			c.neg++
		case "neutral":
			c.neu++
		case "positive":
			c.pos++
		}
		perHour[h]++
	}

	out, errOut, code := runVoice(t, context.Background(), "-csv", path, "-key", "airline", "-collapse=false")
	require.Equal(t, 0, code, errOut)
	got := rows(t, out)[1:]
	assert.Len(t, got, 6*len(perHour), "each airline in each hour with a tweet")
	checked := 0
	for _, r := range got {
		c := want[[2]string{r[0], r[1]}]
		if c == nil {
			c = &cell{}
		}
		n := func(s string) int { v, err := strconv.Atoi(s); require.NoError(t, err); return v }
		require.Equal(t, []int{c.mentions, c.neg, c.neu, c.pos}, []int{n(r[2]), n(r[4]), n(r[5]), n(r[6])}, "%v", r)
		share, err := strconv.ParseFloat(r[7], 64)
		require.NoError(t, err)
		require.InDelta(t, float64(c.mentions)/float64(perHour[r[1]]), share, 5e-4, "%v", r) // printed to 4 digits
		checked += c.mentions
	}
	assert.Equal(t, len(recs)-1, checked, "every tweet counted once")
	assert.Contains(t, out, "# 0 near-duplicate posts collapsed; 0 records skipped")
}

// TestReasons learns complaint reasons from a small CSV, saves the model,
// and labels the sample's negative posts with it.
func TestReasons(t *testing.T) {
	var b strings.Builder
	b.WriteString("tweet_id,airline_sentiment,reason,airline,text,tweet_created\n")
	for i := range 60 {
		reason, text := "late", "my flight is late again, delayed %d hours"
		if i%2 == 1 {
			reason, text = "bags", "they lost my bag, luggage gone %d days"
		}
		fmt.Fprintf(&b, "%d,negative,%s,Acme,\""+text+"\",3/2/2026 %d:%02d\n", i, reason, i, 9+i/30, i%30)
	}
	dir := t.TempDir()
	file, model := filepath.Join(dir, "c.csv"), filepath.Join(dir, "r.model")
	require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o644))
	out, errOut, code := runVoice(t, context.Background(), "-csv", file, "-key", "airline", "-reasons", "reason", "-reasons-out", model, "-collapse=false")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "# complaint reasons (2 reasons learnt from 60 labelled posts) of negative posts:\n# Acme: bags 50%, late 50% (of 60)\n")

	out, errOut, code = runVoice(t, context.Background(), "-reasons", model)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `# complaint reasons of negative posts \(2 reasons\):\n# larkspur: (bags|late) \d+%`, out)

	for _, args := range [][]string{
		{"-reasons-out", model},
		{"-csv", file, "-key", "airline", "-reasons", "nosuchcolumn"},
	} {
		_, errOut, code := runVoice(t, context.Background(), args...)
		assert.Equal(t, 2, code, "%q: %s", args, errOut)
	}
	_, errOut, code = runVoice(t, context.Background(), "-reasons", file) // not a model
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "-reasons "+file)
}
