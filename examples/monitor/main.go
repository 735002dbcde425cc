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
// REDDIT_USER_AGENT. Live sources run until interrupted (Ctrl-C), then the
// summary is printed.
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
// Alerts are sent to the webhook by one background sender with a bounded
// queue (an alert is dropped and counted if the webhook is slow); the
// sender finishes its queue, within a deadline, before the summary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/examples/internal/pipeline"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/replay"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "monitor:", err)
		os.Exit(1)
	}
}

// config is what the flags and the config file set.
type config struct {
	query      string
	keys       []pipeline.Key
	speed      float64
	replay     string
	record     string
	every      time.Duration
	webhook    string
	thresholds pipeline.Thresholds
	live       pipeline.Sources
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var file string
	fs.StringVar(&file, "config", "", "JSON config file: keys, sources, thresholds, webhook (see the package doc)")
	fs.StringVar(&cfg.query, "query", pipeline.DefaultQuery, "what to listen for (listen query syntax)")
	fs.Float64Var(&cfg.speed, "speed", 20000, "replay speed factor (0: as fast as possible)")
	fs.StringVar(&cfg.replay, "replay", "", "replay this JSON-lines file (optionally gzip) instead of the embedded sample")
	fs.StringVar(&cfg.record, "record", "", "record every post heard to this JSON-lines file")
	fs.DurationVar(&cfg.every, "every", 3*time.Hour, "report interval, in the posts' time")
	fs.StringVar(&cfg.webhook, "webhook", "", "Slack-compatible incoming-webhook URL for alerts")
	cfg.live.Register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if file != "" {
		fc, err := pipeline.LoadConfig(file)
		if err != nil {
			return nil, err
		}
		if !set["query"] {
			cfg.keys = fc.Keys
		}
		if !cfg.live.Any() {
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
	if len(cfg.keys) == 0 {
		cfg.keys = []pipeline.Key{{Name: "larkspur", Query: cfg.query}}
	}
	if cfg.every <= 0 {
		return nil, errors.New("-every must be positive")
	}
	return &cfg, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parse(args, stderr)
	if err != nil {
		return err
	}
	m := &monitor{out: stdout, every: cfg.every}
	var hook *sender
	if cfg.webhook != "" {
		if hook, err = newSender(cfg.webhook); err != nil {
			return err
		}
		defer hook.close() // in case of an early return; close is idempotent
	}
	m.pipe, err = pipeline.New(pipeline.Config{
		Keys: cfg.keys, Scorer: vader.New(), Thresholds: cfg.thresholds,
		OnAlert: func(a pipeline.Alert) {
			m.printAlert(a)
			if hook != nil {
				hook.send(a)
			}
		},
	})
	if err != nil {
		return err
	}

	src, err := cfg.live.Source(cfg.replay, cfg.speed)
	if err != nil {
		return err
	}
	if cfg.record != "" {
		f, err := os.Create(cfg.record)
		if err != nil {
			return err
		}
		defer f.Close()
		src = replay.Record(src, replay.NewWriter(f))
	}

	for p, err := range listen.Dedupe(src, 100_000).Posts(ctx) {
		if err != nil {
			return err
		}
		m.tick(p.Created)
		res := m.pipe.Observe(ctx, p)
		if len(res.Matched) > 0 {
			m.n++
			if res.Scored {
				m.mood.Add(res.Score)
			}
		}
	}
	m.finish()
	if st, ok := src.(listen.StatsReporter); ok && st.Stats().Skipped > 0 {
		fmt.Fprintf(stdout, "skipped %d malformed records\n", st.Stats().Skipped)
	}
	if hook != nil {
		sent, dropped, failed := hook.close()
		fmt.Fprintf(stdout, "Webhook: %d alerts sent, %d dropped, %d failed\n", sent, dropped, failed)
		if hook.lastErr != nil {
			fmt.Fprintf(stdout, "  last webhook error: %v\n", hook.lastErr)
		}
	}
	return nil
}

// monitor prints the running report around a pipeline.
type monitor struct {
	pipe  *pipeline.Pipeline
	out   io.Writer
	every time.Duration

	now        time.Time
	nextReport time.Time
	// per report interval
	n    int
	mood sentiment.Mean
}

// tick advances the report clock to at, printing the reports that are due.
func (m *monitor) tick(at time.Time) {
	if at.Before(m.now) {
		return
	}
	m.now = at
	if m.nextReport.IsZero() {
		m.nextReport = at.Truncate(m.every).Add(m.every)
		m.header()
		return
	}
	for !at.Before(m.nextReport) {
		m.pipe.Check(m.nextReport)
		m.report(m.nextReport)
		m.nextReport = m.nextReport.Add(m.every)
	}
}

func (m *monitor) header() {
	var qs []string
	for _, k := range m.pipe.Keys() {
		if len(m.pipe.Keys()) == 1 {
			qs = append(qs, k.Query)
		} else {
			qs = append(qs, k.Name+" = "+k.Query)
		}
	}
	fmt.Fprintf(m.out, "earshot monitor: listening for %s\n\n", strings.Join(qs, "; "))
	fmt.Fprintf(m.out, "%-16s %6s  %-24s %s\n", "time (UTC)", "posts", "negative/neutral/positive", "trending")
}

func (m *monitor) report(at time.Time) {
	neg, neu, pos := m.mood.Shares()
	var tags []string
	for _, t := range m.pipe.Trending(at, 3) {
		tags = append(tags, fmt.Sprintf("%s (%.0f)", t.Key, t.Count))
	}
	fmt.Fprintf(m.out, "%-16s %6d  %3.0f%% %3.0f%% %3.0f%% %-11s %s\n",
		at.Add(-m.every).Format("Mon 02 15:04"), m.n, 100*neg, 100*neu, 100*pos, bar(neg), strings.Join(tags, " "))
	m.n = 0
	m.mood = sentiment.Mean{}
}

// bar draws a share as up to ten blocks.
func bar(share float64) string {
	n := int(share*10 + 0.5)
	return strings.Repeat("▇", n)
}

func (m *monitor) printAlert(a pipeline.Alert) {
	fmt.Fprintf(m.out, "  ⚠ ALERT %s %s: %s\n", a.Severity, a.Title, a.Summary)
	for _, e := range a.Examples {
		fmt.Fprintf(m.out, "      e.g. %q\n", clip(e.Text, 110))
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
		m.pipe.Check(m.nextReport)
		m.pipe.Check(m.pipe.Now())
		m.report(m.nextReport)
	}
	heard, matched, all, langs := m.pipe.Totals()
	neg, neu, pos := all.Shares()
	fmt.Fprintf(m.out, "\nSummary: heard %d records, %d matched the query; sentiment %.0f%% negative, %.0f%% neutral, %.0f%% positive (mean compound %+.2f)\n",
		heard, matched, 100*neg, 100*neu, 100*pos, all.Score().Compound)
	if other := matched - langs["en"] - langs[""]; other > 0 {
		fmt.Fprintf(m.out, "  %d posts in other languages were counted but not scored (English-only scorer)\n", other)
	}
	alerts := m.pipe.Alerts()
	fmt.Fprintf(m.out, "Alerts: %d\n", len(alerts))
	for _, a := range alerts {
		fmt.Fprintf(m.out, "  %s  %-8s %s\n", a.Start.Format("Mon 02 15:04"), a.Severity, a.Title)
	}
	if top := m.pipe.Viral(m.pipe.Now(), 3); len(top) > 0 {
		fmt.Fprintln(m.out, "Most shared posts (reshares seen → predicted final):")
		for _, r := range top {
			fmt.Fprintf(m.out, "  %.0f → %.0f  %q\n", r.Observed, r.Final, clip(r.Text, 80))
		}
	}
}
