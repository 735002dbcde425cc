// Command monitor listens for what is said about a brand and reports it as
// it happens: volume, the sentiment mix, trending hashtags, alerts (volume
// spikes, a rise in negative posts, posts going viral) with example posts,
// and a final summary.
//
// With no flags it replays the embedded sample data set (three days of
// posts about Larkspur Coffee, a fictional roaster) at 20,000 times real
// speed and exits after about fifteen seconds, with no network:
//
//	go run ./examples/monitor
//
// Flags choose what to listen for and where:
//
//	-query 'larkspur OR @larkspur'   what to keep (see listen.Compile)
//	-key 'plus=#larkspurplus'        a key to track (repeatable; replaces -query)
//	-config monitor.json             keys, sources, thresholds and webhook from a file
//	-speed 0                         replay as fast as possible
//	-replay posts.jsonl              replay a recorded file instead
//	-record out.jsonl                record what is heard
//	-every 3h                        report interval, in the data's time
//	-webhook URL                     post alerts to a Slack-compatible webhook
//
// Live sources: -mastodon URL [-mastodon-tag TAG], -bluesky JETSTREAM_URL,
// -rss URL,URL, -hn QUERY, -reddit SUB,SUB. Credentials come from the
// environment: MASTODON_TOKEN, REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET,
// REDDIT_USER_AGENT. Live sources run until interrupted (Ctrl-C or
// SIGTERM), then the summary is printed. Their retries, reconnects and
// skipped records are logged on standard error as they happen, and counted
// in the summary; a run that heard nothing usable (a dead server, a file
// of garbage) ends with an error and exit status 1, so that it does not
// read like a brand nobody talks about. Bad flags exit with status 2.
//
// The config file is JSON; every key is optional, and flags given on the
// command line win over it:
//
//	{
//	  "keys": [
//	    {"name": "larkspur", "query": "larkspur OR @larkspur OR #larkspurplus"},
//	    {"name": "plus", "query": "\"larkspur plus\" OR #larkspurplus"}
//	  ],
//	  "sources": {"mastodon": "https://mastodon.social", "mastodon_tag": "coffee",
//	              "rss": ["https://example.com/feed.xml"], "reddit": ["coffee"]},
//	  "thresholds": {"spike_min_count": 10, "shift_rise": 0.15, "viral_threshold": 500},
//	  "webhook": "https://hooks.slack.com/services/...",
//	  "every": "3h"
//	}
//
// Alerts come from a [watch.Watch]: each episode is printed when it opens
// (with example posts) and when it ends. They are sent to the webhook by
// one background sender with a bounded queue (an alert is dropped and
// counted if the webhook is slow); the sender finishes its queue, within a
// deadline, before the summary.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/replay"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/watch"
)

const usage = `monitor reports what is said about a brand as it happens, from the embedded sample data (three days about a fictional roaster), a -replay file or live sources.

It prints volume, the sentiment mix and trending hashtags every -every of
the posts' time, alerts (spikes, a negative shift, a post going viral) as
they open and end, and a summary when the input ends or on Ctrl-C.

Usage: monitor [flags]`

// defaultQuery is what the monitor listens for in the sample data.
const defaultQuery = "larkspur OR @larkspur OR #larkspurplus OR #bringbackstamps OR #larkspurkindness"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr), os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is a bad command line: exit status 2. Parse errors were
// printed already, with the usage, by the flag package.
type usageError struct {
	err     error
	printed bool
}

func (e *usageError) Error() string { return e.err.Error() }

func badUsage(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		if !ue.printed {
			fmt.Fprintln(stderr, "monitor:", err)
		}
		return 2
	}
	fmt.Fprintln(stderr, "monitor:", err)
	return 1
}

// config is what the flags and the config file set.
type config struct {
	keys       []tracked
	speed      float64
	replay     string
	record     string
	every      time.Duration
	webhook    string
	thresholds thresholds
	live       sources
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	var cfg config
	var file, query string
	var ks keyFlags
	fs.StringVar(&file, "config", "", "JSON config file: keys, sources, thresholds, webhook (see the package doc)")
	fs.StringVar(&query, "query", defaultQuery, "what to listen for (listen query syntax)")
	fs.Var(&ks, "key", "a key to track as NAME=QUERY (repeatable; replaces -query and the config's keys)")
	fs.Float64Var(&cfg.speed, "speed", 20000, "replay speed factor (0: as fast as possible)")
	fs.StringVar(&cfg.replay, "replay", "", "replay this JSON-lines file (optionally gzip) instead of the embedded sample")
	fs.StringVar(&cfg.record, "record", "", "record every post heard to this JSON-lines file")
	fs.DurationVar(&cfg.every, "every", 3*time.Hour, "report interval, in the posts' time")
	fs.StringVar(&cfg.webhook, "webhook", "", "Slack-compatible incoming-webhook URL for alerts")
	cfg.live.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err: err, printed: true}
	}
	if fs.NArg() > 0 {
		return nil, badUsage("unexpected arguments %q", fs.Args())
	}
	if cfg.speed < 0 || math.IsNaN(cfg.speed) || math.IsInf(cfg.speed, 0) {
		return nil, badUsage("-speed %v: want 0 (as fast as possible) or a positive factor", cfg.speed)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	keys := []key{{Name: "larkspur", Query: query}}
	if file != "" {
		fc, err := loadConfig(file)
		if err != nil {
			return nil, &usageError{err: err}
		}
		if !set["query"] && len(fc.Keys) > 0 {
			keys = fc.Keys
		}
		if !cfg.live.live() {
			cfg.live = fc.Sources
		}
		if !set["webhook"] {
			cfg.webhook = fc.Webhook
		}
		if !set["every"] && fc.Every > 0 {
			cfg.every = time.Duration(fc.Every)
		}
		cfg.thresholds = fc.Thresholds
	}
	if cfg.every <= 0 {
		return nil, badUsage("-every %v: want a positive interval", cfg.every)
	}
	if len(ks) > 0 {
		keys = ks
	}
	var err error
	if cfg.keys, err = compile(keys); err != nil {
		return nil, &usageError{err: err}
	}
	return &cfg, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parse(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: noTime}))
	src, stats, err := cfg.live.open(cfg.replay, cfg.speed, log)
	if err != nil {
		return &usageError{err: err}
	}
	var hook *sender
	if cfg.webhook != "" {
		if hook, err = newSender(cfg.webhook, log, nil); err != nil {
			return &usageError{err: err}
		}
		defer hook.close() // in case of an early return; close is idempotent
	}
	m := &monitor{out: stdout, every: cfg.every, keys: cfg.keys, scorer: sentiment.Cached(vader.New(), 10_000),
		tags: cfg.thresholds.newTags(), hook: hook}
	m.w = cfg.thresholds.newWatch(m.alert)
	if cfg.record != "" {
		f, err := os.Create(cfg.record)
		if err != nil {
			return err
		}
		defer f.Close()
		src = replay.Record(src, replay.NewWriter(f))
	}

	m.banner(cfg.live.describe(cfg.replay, cfg.speed))
	for p, err := range listen.Dedupe(src, 100_000).Posts(ctx) {
		if err != nil {
			return err
		}
		m.observe(ctx, p)
	}
	m.finish()
	st := sourceStats(stats)
	if st.Skipped > 0 || st.Retries > 0 || st.Reconnects > 0 {
		fmt.Fprintf(stdout, "Sources: %d malformed records skipped, %d retries, %d reconnects\n", st.Skipped, st.Retries, st.Reconnects)
	}
	if hook != nil {
		sent, dropped, failed := hook.close()
		fmt.Fprintf(stdout, "Webhook: %d alerts sent, %d dropped, %d failed\n", sent, dropped, failed)
		if hook.lastErr != nil {
			fmt.Fprintf(stdout, "  last webhook error: %v\n", hook.lastErr)
		}
	}
	return nothingUsable(ctx, m.heard, st, cfg, stats)
}

// nothingUsable is the error of a run that heard nothing it could use,
// which must not read like a brand nobody talks about. A run stopped
// (ctx done) before anything came, with nothing failed, is not an error.
func nothingUsable(ctx context.Context, heard int, st listen.Stats, cfg *config, stats []listen.StatsReporter) error {
	failures := st.Retries + st.Reconnects + st.Skipped
	if heard > 0 || (failures == 0 && ctx.Err() != nil) {
		return nil
	}
	if cfg.live.live() {
		return fmt.Errorf("no posts heard: the sources failed (%d retries, %d reconnects, %d malformed records; see the log above)",
			st.Retries, st.Reconnects, st.Skipped)
	}
	name := cmp.Or(cfg.replay, "the sample data")
	if st.Skipped == 0 {
		return fmt.Errorf("no records in %s", name)
	}
	first := ""
	if r, ok := stats[0].(*replay.Source); ok && len(r.Errors()) > 0 {
		first = " (first: " + r.Errors()[0].Error() + ")"
	}
	return fmt.Errorf("no usable records in %s: %d malformed lines skipped%s", name, st.Skipped, first)
}

// noTime drops the time from log lines: the log is read beside the report.
func noTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// monitor prints the running report around the detectors.
type monitor struct {
	out    io.Writer
	every  time.Duration
	keys   []tracked
	scorer sentiment.Scorer
	w      *watch.Watch
	tags   *trend.Window
	hook   *sender

	now, checked, nextReport time.Time
	// per report interval
	n    int
	mood sentiment.Mean
	// the whole run
	heard, matched, unscored int
	all                      sentiment.Mean
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
	var about []string
	for _, k := range m.keys {
		if k.q.Match(&p) {
			about = append(about, k.Name)
		}
	}
	if len(about) == 0 {
		return
	}
	m.matched++
	m.n++
	s, scored := score(ctx, m.scorer, p)
	if scored {
		m.mood.Add(s)
		m.all.Add(s)
	} else {
		m.unscored++
	}
	for tag := range trend.EachHashtag(p.Text) {
		m.tags.Observe("#"+strings.ToLower(tag), p.Created, 1)
	}
	mention := watch.Mention{ID: p.Key(), Text: p.Text, At: p.Created, Followers: p.Author.Followers,
		Compound: s.Compound, Scored: scored}
	for _, k := range about {
		m.w.Observe(k, mention)
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
	var qs []string
	for _, k := range m.keys {
		if len(m.keys) == 1 {
			qs = append(qs, k.Query)
		} else {
			qs = append(qs, k.Name+" = "+k.Query)
		}
	}
	fmt.Fprintf(m.out, "earshot monitor: listening for %s\n", strings.Join(qs, "; "))
	fmt.Fprintf(m.out, "%s (Ctrl-C to stop)\n\n", what)
	fmt.Fprintf(m.out, "%-16s %6s  %-24s %s\n", "time (UTC)", "posts", "negative/neutral/positive", "trending")
}

func (m *monitor) report(at time.Time) {
	neg, neu, pos := m.mood.Shares()
	var tags []string
	for _, t := range m.tags.Top(at, 3) {
		tags = append(tags, fmt.Sprintf("%s (%.0f)", t.Key, t.Count))
	}
	fmt.Fprintf(m.out, "%-16s %6d  %3.0f%% %3.0f%% %3.0f%% %-11s %s\n",
		at.Add(-m.every).UTC().Format("Mon 02 15:04"), m.n, 100*neg, 100*neu, 100*pos, bar(neg), strings.Join(tags, " "))
	m.n = 0
	m.mood = sentiment.Mean{}
}

// bar draws a share as up to ten blocks.
func bar(share float64) string {
	n := int(share*10 + 0.5)
	return strings.Repeat("▇", n)
}

// alert prints an episode when it opens (with example posts) and when it
// ends, and passes it to the webhook.
func (m *monitor) alert(a watch.Alert) {
	if a.Open() {
		fmt.Fprintf(m.out, "  ⚠ ALERT %s %s: %s\n", a.Severity, a.Title, a.Summary)
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
	neg, neu, pos := m.all.Shares()
	fmt.Fprintf(m.out, "\nSummary: heard %d records, %d matched the query; sentiment %.0f%% negative, %.0f%% neutral, %.0f%% positive (mean compound %+.2f)\n",
		m.heard, m.matched, 100*neg, 100*neu, 100*pos, m.all.Score().Compound)
	if m.unscored > 0 {
		fmt.Fprintf(m.out, "  %d posts in other languages were counted but not scored (English-only scorer)\n", m.unscored)
	}
	alerts := m.w.Alerts()
	fmt.Fprintf(m.out, "Alerts: %d\n", len(alerts))
	for _, a := range alerts {
		state := "ongoing"
		if !a.Open() {
			state = "ended " + a.End.UTC().Format("Mon 15:04")
		}
		fmt.Fprintf(m.out, "  %s  %-8s %s (%s)\n", a.Start.UTC().Format("Mon 02 15:04"), a.Severity, a.Title, state)
	}
	if top := m.w.Top(m.now, 3); len(top) > 0 {
		fmt.Fprintln(m.out, "Most shared posts (reshares seen → predicted final):")
		for _, r := range top {
			fmt.Fprintf(m.out, "  %.0f → %.0f  %q\n", r.Observed, r.Final, clip(r.Text, 80))
		}
	}
}
