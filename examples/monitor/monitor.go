package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/watch"
)

// monitor prints the running report around the detectors.
type monitor struct {
	out    io.Writer
	every  time.Duration
	keys   []tracked // the first is the brand; the others are its competitors
	scorer sentiment.Scorer
	w      *watch.Watch   // spikes, shifts and viral posts, with their reasons
	tags   *trend.Sketch  // trending hashtags
	counts *trend.Metrics // per key and hour: share of voice, authors, reach
	voices *trend.Voices  // per key and day: who drives the conversation
	hook   *sender

	now, checked, nextReport time.Time
	first                    time.Time // the first post's time
	// per report interval
	n      int            // posts about the brand
	mood   sentiment.Mean // of the brand's posts
	perKey []int          // posts per key, for the share of voice
	// the whole run
	heard, matched, unscored int
	bots, collapsed          int64 // posts dropped as bots' and near-duplicates
}

func newMonitor(out io.Writer, cfg *config, scorer sentiment.Scorer, hook *sender) *monitor {
	m := &monitor{out: out, every: cfg.every, keys: cfg.keys, scorer: scorer, hook: hook,
		tags:   cfg.thresholds.newTags(),
		counts: &trend.Metrics{},                     // a week of hours
		voices: &trend.Voices{K: 25, Influencer: -1}, // lists of 25 (3 printed), so the counts of the first are close
		perKey: make([]int, len(cfg.keys)),
	}
	m.w = cfg.thresholds.newWatch(m.alert)
	// Every spike and shift says what stood out in it, for episodes of up
	// to a day (a slow shift on a quiet key opens hours after it began).
	m.w.Reasons = &trend.Reasons{Max: 3, Window: 24 * time.Hour}
	return m
}

// isBot reports whether the platform marks p's author as an automated
// account (Mastodon's account.bot, a Bluesky "bot" self-label).
func isBot(p listen.Post) bool { return p.Author.Bot }

// author names p's author uniquely across platforms, or "".
func author(p listen.Post) string {
	a := p.Author.Handle
	if a == "" {
		a = p.Author.ID
	}
	if a == "" {
		return ""
	}
	return p.Platform + ":" + a
}

func (m *monitor) observe(ctx context.Context, p listen.Post) {
	m.heard++
	m.tick(p.Created)
	switch p.Kind {
	case listen.KindRepost:
		m.w.Reshare(p.Platform+":"+p.Subject, p.Created, p.Author.Followers)
		return
	case listen.KindLike, listen.KindDelete:
		return
	}
	var about []int
	for i, k := range m.keys {
		if k.q.Match(&p) {
			about = append(about, i)
		}
	}
	if len(about) == 0 {
		return
	}
	if m.first.IsZero() {
		m.first = p.Created
	}
	m.matched++
	s, scored := score(ctx, m.scorer, p)
	if !scored {
		m.unscored++
	}
	for tag := range trend.EachHashtag(p.Text) {
		m.tags.Observe("#"+strings.ToLower(tag), p.Created, 1)
	}
	who := author(p)
	tm := trend.Mention{At: p.Created, ID: p.Key(), Text: p.Text, Source: p.Platform, Author: who, Followers: p.Author.Followers,
		Likes: p.Likes, Reposts: p.Reposts, Replies: p.Replies, Quotes: p.Quotes, Sentiment: s.Compound}
	if !scored {
		tm.Sentiment = math.NaN()
	}
	for _, i := range about {
		if i == 0 {
			m.n++
			if scored {
				m.mood.Add(s)
			}
		}
		m.perKey[i]++
		tm.Key = m.keys[i].Name
		m.counts.Add(tm)
		m.voices.Add(tm)
		m.w.Observe(tm)
	}
}

// score scores an English post (VADER's lexicon is English); posts in
// other languages are counted, not scored.
func score(ctx context.Context, s sentiment.Scorer, p listen.Post) (sentiment.Score, bool) {
	if !sentiment.IsEnglish(p.Lang) {
		return sentiment.Score{}, false
	}
	sc, err := sentiment.ScoreLang(ctx, s, p.Text, p.Lang)
	return sc, err == nil
}

// tick advances the clock to at: the detectors are checked every 15
// minutes of data, and the reports that are due are printed.
func (m *monitor) tick(at time.Time) {
	if !at.After(m.now) {
		return
	}
	m.now = at
	if q := at.Truncate(15 * time.Minute); q.After(m.checked) {
		m.w.Check(q)
		m.checked = q
	}
	if m.nextReport.IsZero() {
		m.nextReport = at.Truncate(m.every).Add(m.every)
		return
	}
	for !at.Before(m.nextReport) {
		m.report(m.nextReport)
		m.nextReport = m.nextReport.Add(m.every)
	}
}

func (m *monitor) banner(what string) {
	if len(m.keys) == 1 {
		fmt.Fprintf(m.out, "earshot monitor: listening for %s\n", m.keys[0].Query)
	} else {
		names := make([]string, len(m.keys))
		for i, k := range m.keys {
			names[i] = k.Name
		}
		fmt.Fprintf(m.out, "earshot monitor: listening for %s and %s\n", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
		for _, k := range m.keys {
			fmt.Fprintf(m.out, "  %s = %s\n", k.Name, k.Query)
		}
	}
	fmt.Fprintf(m.out, "%s (Ctrl-C to stop)\n", what)
	if len(m.keys) > 1 {
		fmt.Fprintf(m.out, "Posts and sentiment are about %s; share of voice is each key's part of all the keys' mentions.\n", m.keys[0].Name)
	}
	fmt.Fprintln(m.out)
	fmt.Fprintf(m.out, "%-16s %6s  %-26s", "time (UTC)", "posts", "negative/neutral/positive")
	if len(m.keys) > 1 {
		fmt.Fprint(m.out, "share:")
		for _, k := range m.keys {
			fmt.Fprintf(m.out, " %*s", shareWidth(k.Name), k.Name)
		}
		fmt.Fprint(m.out, "  ")
	}
	fmt.Fprintln(m.out, "trending")
}

// shareWidth is the width of a key's share column.
func shareWidth(name string) int { return max(4, len([]rune(name))) }

func (m *monitor) report(at time.Time) {
	neg, neu, pos := m.mood.Shares()
	var tags []string
	for _, t := range m.tags.Top(at, 3) {
		tags = append(tags, fmt.Sprintf("%s (%.0f)", t.Key, t.Count))
	}
	fmt.Fprintf(m.out, "%-16s %6d  %3.0f%% %3.0f%% %3.0f%% %s ",
		at.Add(-m.every).UTC().Format("Mon 02 15:04"), m.n, 100*neg, 100*neu, 100*pos, bar(neg))
	if len(m.keys) > 1 {
		total := 0
		for _, n := range m.perKey {
			total += n
		}
		fmt.Fprint(m.out, "      ")
		for i, k := range m.keys {
			if total == 0 {
				fmt.Fprintf(m.out, " %*s", shareWidth(k.Name), "-")
			} else {
				fmt.Fprintf(m.out, " %*.0f%%", shareWidth(k.Name)-1, 100*float64(m.perKey[i])/float64(total))
			}
		}
		fmt.Fprint(m.out, "  ")
	}
	fmt.Fprintln(m.out, strings.TrimRight(strings.Join(tags, " "), " "))
	m.n = 0
	m.mood = sentiment.Mean{}
	clear(m.perKey)
}

// bar draws a share as up to ten blocks, padded to ten columns.
func bar(share float64) string {
	n := min(10, max(0, int(share*10+0.5)))
	return strings.Repeat("▇", n) + strings.Repeat(" ", 10-n)
}

// alert prints an episode when it opens (with what stood out in it and
// example posts) and when it ends, and passes it to the webhook.
func (m *monitor) alert(a watch.Alert) {
	if a.Open() {
		fmt.Fprintf(m.out, "  ⚠ ALERT %s %s: %s\n", a.Severity, a.Title, a.Summary)
		if len(a.Reasons) > 0 {
			fmt.Fprintf(m.out, "      why: %s\n", reasons(a.Reasons, 3))
		}
		for i, e := range a.Evidence {
			if i == 2 {
				break
			}
			fmt.Fprintf(m.out, "      e.g. %q\n", clip(e.Text, 110))
		}
	} else {
		fmt.Fprintf(m.out, "  ✓ over: %s, ended %s\n", a.Title, a.End.UTC().Format("Mon 15:04"))
	}
	if m.hook != nil {
		m.hook.send(a)
	}
}

// reasons writes up to n reasons on one line: what stood out, the share
// of the episode's posts that had it, and how many times as often as in
// the key's posts before: "stamps" (48% of posts, 14x as before), ...
func reasons(rs []trend.Reason, n int) string {
	var parts []string
	for i, r := range rs[:min(n, len(rs))] {
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%s (%.0f%% of posts, %s as before)", reasonName(r), 100*r.Share, times(r.Lift)))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%.0f%%, %s)", reasonName(r), 100*r.Share, times(r.Lift)))
		}
	}
	return strings.Join(parts, ", ")
}

// reasonName writes what a reason is about as a person would: a word in
// quotes, #hashtag, @handle, "by author", "on source".
func reasonName(r trend.Reason) string {
	switch r.Kind {
	case trend.ReasonHashtag:
		return "#" + r.Value
	case trend.ReasonMention:
		return "@" + r.Value
	case trend.ReasonAuthor:
		return "by " + r.Value
	case trend.ReasonSource:
		return "on " + r.Value
	}
	return fmt.Sprintf("%q", r.Value)
}

// times writes a lift: "3.2x", "40x", "over 100x" (a feature all but
// absent before has a lift that says little beyond "new").
func times(lift float64) string {
	switch {
	case lift >= 100:
		return "over 100x"
	case lift >= 10:
		return fmt.Sprintf("%.0fx", lift)
	}
	return fmt.Sprintf("%.1fx", lift)
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (m *monitor) finish() {
	if !m.nextReport.IsZero() {
		m.w.Check(m.nextReport)
		m.report(m.nextReport)
		m.w.Check(m.now)
	}
	fmt.Fprintf(m.out, "\nSummary: heard %d records, %d matched a key; dropped %d near-duplicate posts (copy-paste floods) and %d posts by bot accounts\n",
		m.heard+int(m.collapsed+m.bots), m.matched, m.collapsed, m.bots)
	if m.unscored > 0 {
		fmt.Fprintf(m.out, "  %d posts in other languages were counted but not scored (English-only scorer)\n", m.unscored)
	}
	m.shareOfVoice()
	m.drivers()
	alerts := m.w.Alerts()
	fmt.Fprintf(m.out, "Alerts: %d\n", len(alerts))
	for _, a := range alerts {
		state := "ongoing"
		if !a.Open() {
			state = "ended " + a.End.UTC().Format("Mon 15:04")
		}
		fmt.Fprintf(m.out, "  %s  %-8s %s (%s)\n", a.Start.UTC().Format("Mon 02 15:04"), a.Severity, a.Title, state)
		if len(a.Reasons) > 0 {
			fmt.Fprintf(m.out, "      why: %s\n", reasons(a.Reasons, 3))
		}
	}
	if top := m.w.Top(m.now, 3); len(top) > 0 {
		fmt.Fprintln(m.out, "Most shared posts (reshares seen → predicted final):")
		for _, r := range top {
			fmt.Fprintf(m.out, "  %.0f → %.0f  %q\n", r.Observed, r.Final, clip(r.Text, 80))
		}
	}
}

// shareOfVoice prints each key's figures over the run (its last week at
// most: the metrics keep a week of hours).
func (m *monitor) shareOfVoice() {
	if m.first.IsZero() {
		return
	}
	from := m.first.Truncate(time.Hour)
	if week := m.now.Add(-7 * 24 * time.Hour).Truncate(time.Hour).Add(time.Hour); from.Before(week) {
		from = week
	}
	to := m.now.Truncate(time.Hour).Add(time.Hour)
	stats := make([]trend.Stats, len(m.keys))
	for i, k := range m.keys {
		stats[i] = m.counts.Sum(k.Name, from, to)
	}
	share := trend.ShareOfVoice(stats)
	fmt.Fprintf(m.out, "Share of voice, %s to %s (UTC):\n", from.UTC().Format("Mon 02 15:04"), to.UTC().Format("Mon 02 15:04"))
	width := 4
	for _, k := range m.keys {
		width = max(width, len([]rune(k.Name)))
	}
	fmt.Fprintf(m.out, "  %-*s %8s %6s %8s %10s  %-25s %s\n", width, "key", "mentions", "share", "authors", "reach", "negative/neutral/positive", "net")
	for i, s := range stats {
		approx := ""
		if s.Estimated {
			approx = "~" // estimated from a sample of the authors
		}
		neg, neu, pos := shares(s)
		fmt.Fprintf(m.out, "  %-*s %8d %5.0f%% %8s %10s  %3.0f%% %3.0f%% %3.0f%%             %+.2f\n", width, m.keys[i].Name, s.Mentions, 100*share[i],
			approx+thousands(int(s.Authors)), approx+thousands(int(s.Reach)), 100*neg, 100*neu, 100*pos, s.NetSentiment())
	}
}

// shares are the negative, neutral and positive parts of s's scored
// mentions.
func shares(s trend.Stats) (neg, neu, pos float64) {
	n := float64(s.Negative + s.Neutral + s.Positive)
	if n == 0 {
		return 0, 0, 0
	}
	return float64(s.Negative) / n, float64(s.Neutral) / n, float64(s.Positive) / n
}

// drivers prints who drove each key's conversation on the last day (UTC)
// of the data.
func (m *monitor) drivers() {
	if m.now.IsZero() {
		return
	}
	fmt.Fprintf(m.out, "Who drove it on %s (UTC):\n", m.now.UTC().Format("Mon 02"))
	for _, k := range m.keys {
		d := m.voices.Drivers(k.Name, m.now)
		if len(d.ByMentions) == 0 {
			fmt.Fprintf(m.out, "  %s: no authors known\n", k.Name)
			continue
		}
		fmt.Fprintf(m.out, "  %s: most mentions %s\n", k.Name, voices(d.ByMentions, false))
		fmt.Fprintf(m.out, "    largest audiences (followers) %s\n", voices(d.ByReach, true))
		fmt.Fprintf(m.out, "    advocates %s\n", voices(d.Advocates, false))
		fmt.Fprintf(m.out, "    detractors %s\n", voices(d.Detractors, false))
	}
}

// voices lists authors with their mentions, or their followers.
func voices(vs []trend.Voice, followers bool) string {
	if len(vs) == 0 {
		return "none"
	}
	var parts []string
	for _, v := range vs[:min(3, len(vs))] {
		if followers {
			parts = append(parts, fmt.Sprintf("%s (%s)", v.Author, thousands(v.Followers)))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%d)", v.Author, v.Mentions))
		}
	}
	return strings.Join(parts, ", ")
}

// thousands writes n with commas: 48,200.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
