// Command monitor listens for what is said about a brand and its
// competitors and reports it as it happens: the brand's volume and
// sentiment mix, each key's share of voice, trending hashtags, and alerts
// (volume spikes, a rise in negative posts, posts going viral) with what
// stood out in each episode and example posts; then a summary: share of
// voice, reach and sentiment per key, who drove each key's conversation
// (most mentions, largest audiences, advocates, detractors) and the
// alerts with their reasons.
//
// With no flags it replays the embedded sample data set (three days of
// posts about Larkspur Coffee, a fictional roaster, and its competitors
// Brightcup and Hollow Oak) at 20,000 times real speed and exits after
// about fifteen seconds, with no network:
//
//	go run ./examples/monitor
//
// Flags choose what to listen for and where:
//
//	-query 'larkspur OR @larkspur'   one key to track (see listen.Compile)
//	-key 'acme=acme OR @acme'        a key to track (repeatable: the first is the
//	                                 brand, the others its competitors; replaces -query)
//	-config monitor.json             keys, sources, thresholds and webhook from a file
//	-speed 0                         replay as fast as possible
//	-replay posts.jsonl              replay a recorded file instead
//	-record out.jsonl                record what is heard
//	-every 3h                        report interval, in the data's time
//	-webhook URL                     post alerts to a Slack-compatible webhook
//	-collapse=false                  keep near-duplicate posts
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
// # Noise
//
// Posts are counted once: the same post twice (by ID), and posts whose
// text is a near-duplicate of a recent one (copy-paste floods, by
// [listen.NearDedupe]) are dropped, and so are posts by accounts the
// platform marks as bots; the summary counts both.
//
// # Alerts
//
// Alerts come from a trend/watch Watch whose Reasons explain every spike
// and shift: the words, hashtags, @mentions, authors and platforms that
// the episode's posts have far more often than the key's posts before it,
// with the share of the episode's posts that have each and how many times
// as often as before (its lift). Each episode is printed when it opens
// (with its reasons and example posts) and when it ends. They are sent to
// the webhook (reasons included) by one background sender with a bounded
// queue (an alert is dropped and counted if the webhook is slow); the
// sender finishes its queue, within a deadline, before the summary.
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
)

const usage = `monitor reports what is said about a brand and its competitors as it happens, from the embedded sample data (three days about a fictional roaster and two rivals), a -replay file or live sources.

It prints the brand's volume and sentiment mix, each key's share of voice
and trending hashtags every -every of the posts' time, alerts (spikes, a
negative shift, a post going viral) with what stood out in them as they
open and end, and a summary (share of voice, top authors, alerts) when
the input ends or on Ctrl-C.

Usage: monitor [flags]`

// defaultKeys are what the monitor listens for in the sample data: the
// brand first, then its two competitors.
var defaultKeys = []key{
	{Name: "larkspur", Query: "larkspur OR @larkspur OR #larkspurplus OR #bringbackstamps OR #larkspurkindness"},
	{Name: "brightcup", Query: "brightcup OR @brightcup"},
	{Name: "hollowoak", Query: `"hollow oak" OR hollowoak OR @hollowoak`},
}

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
	collapse   bool // drop near-duplicate posts
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
	fs.StringVar(&query, "query", "", "what to listen for (listen query syntax): one key, named after the query's first word (default: the sample's brand and two competitors)")
	fs.Var(&ks, "key", "a key to track as NAME=QUERY (repeatable; the first is the brand; replaces -query and the config's keys)")
	fs.Float64Var(&cfg.speed, "speed", 20000, "replay speed factor (0: as fast as possible)")
	fs.StringVar(&cfg.replay, "replay", "", "replay this JSON-lines file (optionally gzip) instead of the embedded sample")
	fs.StringVar(&cfg.record, "record", "", "record every post heard to this JSON-lines file")
	fs.DurationVar(&cfg.every, "every", 3*time.Hour, "report interval, in the posts' time")
	fs.StringVar(&cfg.webhook, "webhook", "", "Slack-compatible incoming-webhook URL for alerts")
	fs.BoolVar(&cfg.collapse, "collapse", true, "drop near-duplicate posts (copy-paste floods)")
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
	keys := defaultKeys
	if set["query"] {
		keys = []key{{Name: firstWord(query), Query: query}}
	}
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
	m := newMonitor(stdout, cfg, sentiment.Cached(vader.New(), 10_000), hook)
	if cfg.record != "" {
		f, err := os.Create(cfg.record)
		if err != nil {
			return err
		}
		defer f.Close()
		src = replay.Record(src, replay.NewWriter(f))
	}
	// Exact duplicates (the same post twice) go first, then posts by bot
	// accounts, then near-duplicates: copy-paste floods count once.
	src = listen.Filter(listen.Dedupe(src, 100_000), func(p listen.Post) bool {
		if isBot(p) {
			m.bots++
			return false
		}
		return true
	})
	if cfg.collapse {
		src = listen.NearDedupe(src, 0)
	}

	m.banner(cfg.live.describe(cfg.replay, cfg.speed))
	for p, err := range src.Posts(ctx) {
		if err != nil {
			return err
		}
		m.observe(ctx, p)
	}
	if nd, ok := src.(listen.StatsReporter); ok && cfg.collapse {
		m.collapsed = nd.Stats().Duplicates
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

// firstWord names a key after its query's first word: "larkspur" for
// "larkspur OR @larkspur", "hollow oak" for "\"hollow oak\" OR hollowoak".
func firstWord(query string) string {
	q := strings.TrimLeft(strings.TrimSpace(query), "(")
	if rest, ok := strings.CutPrefix(q, `"`); ok {
		if phrase, _, ok := strings.Cut(rest, `"`); ok && strings.TrimSpace(phrase) != "" {
			return strings.TrimSpace(phrase)
		}
	}
	w, _, _ := strings.Cut(q, " ")
	if w = strings.Trim(w, `"#@()`); w == "" {
		return query
	}
	return w
}

// noTime drops the time from log lines: the log is read beside the report.
func noTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
