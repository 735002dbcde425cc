package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/examples/sample"
	"github.com/earshot-dev/earshot/listen"
)

// offline runs the monitor over the sample with args and returns what it
// printed.
func offline(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), append([]string{"-speed", "0"}, args...), &out, &errOut))
	require.Empty(t, errOut.String())
	return out.String()
}

// sampleRun is what the monitor prints over the sample with no flags but
// -speed 0, run once for the tests that read it (a run takes seconds
// under the race detector).
var sampleRun = sync.OnceValues(func() (string, error) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-speed", "0"}, &out, &errOut); err != nil {
		return "", err
	}
	if errOut.Len() > 0 {
		return "", fmt.Errorf("unexpected log: %s", errOut.String())
	}
	return out.String(), nil
})

func defaultRun(t *testing.T) string {
	t.Helper()
	s, err := sampleRun()
	require.NoError(t, err)
	return s
}

// bruteForce counts the sample the slow way: the posts about each default
// key after bots' posts and near-duplicates are dropped, and each key's
// authors' mentions on the last day.
type bruteForce struct {
	mentions  map[string]int
	collapsed int64
	bots      int64
	lastDay   map[string]map[string]int // key -> author -> mentions on Wednesday
}

func countSample(t *testing.T) bruteForce {
	t.Helper()
	keys, err := compile(defaultKeys)
	require.NoError(t, err)
	b := bruteForce{mentions: map[string]int{}, lastDay: map[string]map[string]int{}}
	wed := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	src := listen.NearDedupe(listen.Filter(sample.Source(), func(p listen.Post) bool {
		if p.Author.Bot {
			b.bots++
			return false
		}
		return true
	}), 0)
	for p, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		if p.Kind != listen.KindPost {
			continue
		}
		for _, k := range keys {
			if !k.q.Match(&p) {
				continue
			}
			b.mentions[k.Name]++
			if !p.Created.Before(wed) {
				if b.lastDay[k.Name] == nil {
					b.lastDay[k.Name] = map[string]int{}
				}
				b.lastDay[k.Name][author(p)]++
			}
		}
	}
	b.collapsed = src.(listen.StatsReporter).Stats().Duplicates
	return b
}

// Issue 22: the summary's share of voice and top authors are the sample's
// own figures, counted here the slow way; the copy-paste flood is
// collapsed and counted.
func TestShareOfVoiceAndTopAuthors(t *testing.T) {
	s := defaultRun(t)
	want := countSample(t)
	total := 0
	for _, n := range want.mentions {
		total += n
	}
	for _, k := range defaultKeys {
		m := regexp.MustCompile(`(?m)^  ` + k.Name + ` +(\d+) +(\d+)% `).FindStringSubmatch(s)
		require.NotNil(t, m, "a share-of-voice row for %s", k.Name)
		n, _ := strconv.Atoi(m[1])
		share, _ := strconv.Atoi(m[2])
		assert.Equal(t, want.mentions[k.Name], n, "%s: mentions", k.Name)
		assert.Equal(t, fmt.Sprintf("%.0f", 100*float64(want.mentions[k.Name])/float64(total)), strconv.Itoa(share), "%s: share of voice", k.Name)

		// The busiest author on the last day leads "most mentions".
		authors := want.lastDay[k.Name]
		names := make([]string, 0, len(authors))
		for a := range authors {
			names = append(names, a)
		}
		sort.Slice(names, func(i, j int) bool {
			if authors[names[i]] != authors[names[j]] {
				return authors[names[i]] > authors[names[j]]
			}
			return names[i] < names[j]
		})
		assert.Contains(t, s, fmt.Sprintf("  %s: most mentions %s (%d)", k.Name, names[0], authors[names[0]]))
	}
	assert.Greater(t, want.mentions["larkspur"], 5*want.mentions["hollowoak"], "the wave makes larkspur the loudest")
	assert.GreaterOrEqual(t, want.collapsed, int64(39), "the flood of 40 copies is collapsed to one")
	assert.Equal(t, int64(72), want.bots, "the sample's bot")
	assert.Contains(t, s, fmt.Sprintf("dropped %d near-duplicate posts (copy-paste floods) and %d posts by bot accounts", want.collapsed, want.bots))
	assert.Regexp(t, `(?m)^    largest audiences \(followers\) \S+ \([\d,]+\)`, s)
	assert.Regexp(t, `(?m)^    advocates \S+ \(\d+\)`, s)
	assert.Regexp(t, `(?m)^    detractors \S+ \(\d+\)`, s)
	assert.Regexp(t, `(?m)^Mon 02 00:00 .* \d+%\s+\d+%\s+\d+%  $`, s, "each interval shows every key's share")
}

// Issue 22: every spike and shift alert says what stood out in its
// episode; the complaint wave's are about the stamps and Larkspur Plus,
// and a competitor's shift is explained by Larkspur's complaints.
func TestAlertsSayWhy(t *testing.T) {
	s := defaultRun(t)
	opened := regexp.MustCompile(`  ⚠ ALERT \w+ (.+?) since .*\n(.*)\n`).FindAllStringSubmatch(s, -1)
	require.GreaterOrEqual(t, len(opened), 5)
	for _, m := range opened {
		if strings.Contains(m[1], "going viral") {
			assert.NotContains(t, m[2], "why:", "a viral post is its own reason")
			continue
		}
		assert.Regexp(t, `^      why: \S.*\(\d+% of posts, (over 100x|[\d.]+x) as before\)`, m[2], m[1])
		switch {
		case strings.HasSuffix(m[1], "larkspur"):
			assert.Regexp(t, `"stamps"|"plus"|#bringbackstamps|#larkspurplus`, m[2], m[1])
		case strings.HasSuffix(m[1], "brightcup"), strings.HasSuffix(m[1], "hollowoak"):
			assert.Regexp(t, `"larkspur"|"stamps"|#bringbackstamps`, m[2], "%s: the competitor's negative posts are about Larkspur", m[1])
		}
	}
	assert.Regexp(t, `negative shift about brightcup since Tue .*\n      why: .*"larkspur"`, s)
}

// Without collapsing, the copy-paste flood about Hollow Oak on Monday
// evening raises alerts; collapsed (the default), it does not.
func TestFloodCollapsed(t *testing.T) {
	assert.NotContains(t, defaultRun(t), "hollowoak since Mon")
	raw := offline(t, "-collapse=false")
	assert.Contains(t, raw, "hollowoak since Mon 18:")
	assert.Contains(t, raw, "dropped 0 near-duplicate posts")
}
