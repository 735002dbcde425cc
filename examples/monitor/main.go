// Command monitor listens for what is said about a brand and reports it as
// it happens: volume, the sentiment mix, trending hashtags, alerts (volume
// spikes, a rise in negative posts, posts going viral) with example posts,
// and a final summary.
//
// With no flags it replays the embedded sample data set (three days of
// posts about Larkspur Coffee, a fictional roaster) at 20,000 times real
// speed and exits after about fifteen seconds:
//
//	go run ./examples/monitor
//
// Flags choose what to listen for and where:
//
//	-query 'larkspur OR @larkspur'   what to keep (see listen.Compile)
//	-speed 0                         replay as fast as possible
//	-replay posts.jsonl              replay a recorded file instead
//	-record out.jsonl                record what is heard
//	-every 3h                        report interval, in the data's time
//
// Live sources are selected with flags too (see -h); they run until
// interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/examples/internal/sample"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/replay"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/viral"
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

// config is what the flags set.
type config struct {
	query  string
	speed  float64
	replay string
	record string
	every  time.Duration
	live   liveFlags
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.query, "query", "larkspur OR @larkspur OR #larkspurplus OR #bringbackstamps OR #larkspurkindness", "what to listen for (listen query syntax)")
	fs.Float64Var(&cfg.speed, "speed", 20000, "replay speed factor (0: as fast as possible)")
	fs.StringVar(&cfg.replay, "replay", "", "replay this JSON-lines file (optionally gzip) instead of the embedded sample")
	fs.StringVar(&cfg.record, "record", "", "record every post heard to this JSON-lines file")
	fs.DurationVar(&cfg.every, "every", 3*time.Hour, "report interval, in the posts' time")
	cfg.live.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	q, err := listen.Compile(cfg.query)
	if err != nil {
		return err
	}

	src, err := cfg.source()
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

	m := newMonitor(q, vader.New(), stdout, cfg.every)
	for p, err := range listen.Dedupe(src, 100_000).Posts(ctx) {
		if err != nil {
			return err
		}
		m.observe(ctx, p)
	}
	m.finish()
	if st, ok := src.(listen.StatsReporter); ok && st.Stats().Skipped > 0 {
		fmt.Fprintf(stdout, "skipped %d malformed records\n", st.Stats().Skipped)
	}
	return nil
}

// source builds the source the flags ask for: live adapters if any are
// named, else a replay.
func (c *config) source() (listen.Source, error) {
	live, err := c.live.sources()
	if err != nil {
		return nil, err
	}
	if len(live) > 0 {
		return listen.Merge(live...), nil
	}
	opts := []replay.Option{replay.WithSpeed(c.speed)}
	if c.replay != "" {
		return replay.Open(c.replay, opts...), nil
	}
	return sample.Source(opts...), nil
}

type heardPost struct {
	at   time.Time
	text string
}

// monitor is the pipeline: query, sentiment, and the trend detectors.
type monitor struct {
	q      *listen.Query
	scorer sentiment.Scorer
	out    io.Writer
	every  time.Duration

	spikes  *trend.Spikes // volume of all brand posts and of negative ones
	shift   *trend.Shift  // rise in negative share
	tags    *trend.Window // trending hashtags
	viral   *viral.Detector
	posted  map[string]heardPost // posts heard, for their reshares
	printed map[string]bool      // alert episodes already printed
	recent  []listen.Post        // recent negative posts, as examples
	pending []trend.Alert

	now        time.Time
	nextReport time.Time
	// per report interval
	n    int
	mood sentiment.Mean
	// whole run
	total     int
	all       sentiment.Mean
	heard     int
	alerts    []trend.Alert
	languages map[string]int
}

func newMonitor(q *listen.Query, s sentiment.Scorer, out io.Writer, every time.Duration) *monitor {
	m := &monitor{
		q: q, scorer: sentiment.Cached(s, 10_000), out: out, every: every,
		tags:      &trend.Window{Size: time.Hour, History: 24, MinCount: 8},
		viral:     &viral.Detector{Threshold: 500, MinCount: 20},
		posted:    map[string]heardPost{},
		printed:   map[string]bool{},
		languages: map[string]int{},
	}
	add := func(a trend.Alert) { m.pending = append(m.pending, a) }
	m.spikes = &trend.Spikes{Bucket: 15 * time.Minute, Spike: trend.Spike{MinCount: 10, Warmup: 12 * time.Hour}, OnAlert: add}
	m.shift = &trend.Shift{OnAlert: add}
	return m
}

func (m *monitor) observe(ctx context.Context, p listen.Post) {
	m.heard++
	m.tick(p.Created)
	switch p.Kind {
	case listen.KindRepost, listen.KindLike:
		subject := p.Platform + ":" + p.Subject // Subject is an ID on the same platform
		if h, ok := m.posted[subject]; ok && p.Kind == listen.KindRepost {
			m.viral.Observe(subject, h.at, p.Created, p.Author.Followers)
		}
		return
	case listen.KindDelete:
		return
	}
	if !m.q.Match(&p) {
		return
	}
	m.n++
	m.total++
	m.languages[p.Lang]++
	if len(m.posted) < 200_000 {
		m.posted[p.Key()] = heardPost{p.Created, p.Text}
	}
	m.spikes.Observe("mentions", p.Created, 1)
	for tag := range trend.EachHashtag(p.Text) {
		m.tags.Observe("#"+strings.ToLower(tag), p.Created, 1)
	}
	s, err := sentiment.ScoreLang(ctx, m.scorer, p.Text, p.Lang)
	if err != nil {
		return // a language the scorer does not know: counted, not scored
	}
	m.mood.Add(s)
	m.all.Add(s)
	m.shift.Observe("larkspur", p.Created, s.Compound, p.Key(), p.Text)
	// Every scored post feeds the negative series, with weight 0 or 1, so
	// that its baseline is learnt before the first negative post.
	neg := 0.0
	if s.Polarity() == sentiment.Negative {
		neg = 1
	}
	m.spikes.Observe("negative posts", p.Created, neg)
	if neg > 0 {
		m.recent = append(m.recent, p)
		if len(m.recent) > 20 {
			m.recent = m.recent[1:]
		}
	}
	m.flushAlerts()
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
		m.spikes.Flush(m.nextReport)
		m.pending = append(m.pending, m.viral.Check(m.nextReport)...)
		m.flushAlerts()
		m.report(m.nextReport)
		m.nextReport = m.nextReport.Add(m.every)
	}
}

func (m *monitor) header() {
	fmt.Fprintf(m.out, "earshot monitor: listening for %s\n\n", m.q)
	fmt.Fprintf(m.out, "%-16s %6s  %-24s %s\n", "time (UTC)", "posts", "negative/neutral/positive", "trending")
}

func (m *monitor) report(at time.Time) {
	neg, neu, pos := m.mood.Shares()
	var tags []string
	for _, t := range m.tags.Top(at, 3) {
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

func (m *monitor) flushAlerts() {
	for _, a := range m.pending {
		episode := fmt.Sprint(a.Kind, a.Key, a.Start)
		if !a.Open() || m.printed[episode] {
			continue // an update or the end of an episode printed already
		}
		m.printed[episode] = true
		m.alerts = append(m.alerts, a)
		fmt.Fprintf(m.out, "  ⚠ ALERT %s %s: %s\n", a.Severity, describe(a), a.Summary)
		examples := a.Evidence
		if a.Kind == trend.AlertViral {
			examples = []trend.Evidence{{ID: a.Key, Text: m.posted[a.Key].text}}
		}
		if len(examples) == 0 {
			for i := len(m.recent) - 1; i >= 0 && len(examples) < 2; i-- {
				p := m.recent[i]
				examples = append(examples, trend.Evidence{ID: p.Key(), Text: p.Text, At: p.Created})
			}
		}
		for i, e := range examples {
			if i == 2 {
				break
			}
			fmt.Fprintf(m.out, "      e.g. %q\n", clip(e.Text, 110))
		}
	}
	m.pending = m.pending[:0]
}

func describe(a trend.Alert) string {
	switch a.Kind {
	case trend.AlertSpike:
		return fmt.Sprintf("volume spike in %s since %s", a.Key, a.Start.Format("Mon 15:04"))
	case trend.AlertSentiment:
		return fmt.Sprintf("negative shift for %s since %s", a.Key, a.Start.Format("Mon 15:04"))
	case trend.AlertViral:
		return fmt.Sprintf("post going viral (%s)", a.Key)
	}
	return string(a.Kind) + " " + a.Key
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
		m.spikes.Flush(m.nextReport)
		m.pending = append(m.pending, m.viral.Check(m.now)...)
		m.flushAlerts()
		m.report(m.nextReport)
	}
	neg, neu, pos := m.all.Shares()
	fmt.Fprintf(m.out, "\nSummary: heard %d records, %d matched the query; sentiment %.0f%% negative, %.0f%% neutral, %.0f%% positive (mean compound %+.2f)\n",
		m.heard, m.total, 100*neg, 100*neu, 100*pos, m.all.Score().Compound)
	if other := m.total - m.languages["en"] - m.languages[""]; other > 0 {
		fmt.Fprintf(m.out, "  %d posts in other languages were counted but not scored (English-only scorer)\n", other)
	}
	fmt.Fprintf(m.out, "Alerts: %d\n", len(m.alerts))
	for _, a := range m.alerts {
		fmt.Fprintf(m.out, "  %s  %-8s %s\n", a.Start.Format("Mon 02 15:04"), a.Severity, describe(a))
	}
	top := m.viral.Top(m.now, 3)
	sort.SliceStable(top, func(i, j int) bool { return top[i].Final > top[j].Final })
	if len(top) > 0 {
		fmt.Fprintln(m.out, "Most shared posts (reshares seen → predicted final):")
		for _, r := range top {
			fmt.Fprintf(m.out, "  %.0f → %.0f  %q\n", r.Observed, r.Final, clip(m.posted[r.Key].text, 80))
		}
	}
}
