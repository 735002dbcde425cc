// Command diary runs the hen diary: a daily series ("Day N of the hen
// diary") rendered from a text/template with a varied note for each day,
// split into a thread for each platform by that platform's own counting
// rules, and published without ever repeating an episode.
//
// With no flags it previews the next three episodes as a dry run: nothing
// is posted and no network is used. For each episode it prints the text
// and its thread on Mastodon (500 characters), Bluesky (300 graphemes) and
// X (280 weighted characters), with each part's counted length:
//
//	go run ./examples/diary
//
// Flags:
//
//	-episodes 3            how many episodes to handle in this run
//	-state diary.json      keep progress (and the publishers' journal) in
//	                       this file, so a restart continues with the next
//	                       episode and never posts one twice
//	-start 2026-03-01      the day of episode 1
//	-at 07:30              the daily posting time, in -zone
//	-zone Europe/Berlin    the time zone of the schedule
//	-mastodon URL          post to this Mastodon server ($MASTODON_TOKEN)
//	-bluesky PDS_URL       post to this Bluesky PDS, e.g. https://bsky.social
//	                       ($BLUESKY_HANDLE, $BLUESKY_APP_PASSWORD)
//
// With -mastodon or -bluesky, only episodes that are due (scheduled at or
// before now) are posted, at most -episodes of them; run the command from
// cron every morning. An episode is recorded as done only after every
// platform has it, and the publishers' journal (in the -state file)
// makes a rerun after a crash resume instead of posting twice.
//
// Retries and look-ups are reported on stderr as they happen. A server
// that cannot be reached (connection refused, unknown name, bad
// certificate) ends the run at once: nothing was posted. A post whose
// outcome stays unknown after the retries ends it too; the next run looks
// that post up before sending anything. Ctrl-C or SIGTERM stops the run
// at once, keeping the progress. The exit status is 0 when every due
// episode was handled, 1 when publishing failed or was interrupted, and 2
// for a bad command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/template"
	"time"
	_ "time/tzdata" // the schedule's zone, even on systems without a zone database

	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/story/publish"
)

const usage = `diary posts the hen diary, a daily series, as a thread on Mastodon and Bluesky, from the notes built into the program and the progress in -state.

With no flags it previews the next three episodes as a dry run, offline:
each episode's thread on Mastodon, Bluesky and X, split by that
platform's counting rules. With -mastodon or -bluesky it posts the
episodes that are due and never posts one twice.

Usage: diary [flags]`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr, time.Now()), os.Stderr)
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
			fmt.Fprintln(stderr, "diary:", err)
		}
		return 2
	}
	fmt.Fprintln(stderr, "diary:", err)
	return 1
}

// diaryTemplate is the series template; .Data is a [day].
const diaryTemplate = `Day {{.N}} of the hen diary 🐔 {{.At.Format "Monday 2 January"}}.

{{.Data.Note}}

Eggs today: {{.Data.Eggs}}.{{if .Data.Star}} Hen of the day: {{.Data.Star}}.{{end}} #hendiary #backyardchickens`

// day is what the template gets for one episode.
type day struct {
	Note string
	Eggs int
	Star string
}

// notes are the daily notes, used in turn.
var notes = []day{
	{Note: "Clementine found the gap under the fence again and spent the morning in the neighbour's strawberries. She came back looking very pleased with herself. The fence is fixed. For now.", Eggs: 4, Star: "Clementine"},
	{Note: "Rain all day. The hens stood under the apple tree and glared at it.", Eggs: 3},
	{Note: "Mabel laid her first egg! It is small, slightly pointy and absolutely perfect. She announced it to the whole valley for twenty minutes. Dolly, who has laid an egg every day for two years, was not impressed and went back to her dust bath.", Eggs: 5, Star: "Mabel"},
	{Note: "A hawk circled over the run at lunchtime. Pepper sounded the alarm and everyone dived under the hedge. Nobody was hurt; Pepper got extra mealworms for her trouble.", Eggs: 4, Star: "Pepper"},
	{Note: "Dust-bath day. The flower bed by the shed is now a crater.", Eggs: 5},
	{Note: "We tried a new feeder that is supposed to stop the sparrows. The sparrows worked it out in ten minutes; the hens took two days. Clementine still pecks the lid before every meal, just to be sure. Eggs are up again, which we choose to credit to the feeder.", Eggs: 6},
	{Note: "A quiet day. Dolly sat on the garden bench in the sun for an hour, like a small feathered retiree.", Eggs: 4, Star: "Dolly"},
}

type config struct {
	episodes int
	state    string
	start    string
	clock    string
	zone     string
	mastodon string
	bluesky  string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("diary", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	var cfg config
	fs.IntVar(&cfg.episodes, "episodes", 3, "how many episodes to handle")
	fs.StringVar(&cfg.state, "state", "", "progress and publish journal file (default: in memory, forgotten on exit)")
	fs.StringVar(&cfg.start, "start", "2026-03-01", "day of episode 1 (YYYY-MM-DD, in -zone)")
	fs.StringVar(&cfg.clock, "at", "07:30", "daily posting time (HH:MM, in -zone)")
	fs.StringVar(&cfg.zone, "zone", "Europe/Berlin", "time zone of the schedule (IANA name)")
	fs.StringVar(&cfg.mastodon, "mastodon", "", "Mastodon server URL to post to (token: $MASTODON_TOKEN)")
	fs.StringVar(&cfg.bluesky, "bluesky", "", "Bluesky PDS URL to post to, e.g. https://bsky.social ($BLUESKY_HANDLE, $BLUESKY_APP_PASSWORD)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err: err, printed: true}
	}
	if fs.NArg() > 0 {
		return badUsage("unexpected arguments %q", fs.Args())
	}
	if cfg.episodes < 1 || cfg.episodes > maxEpisodes {
		return badUsage("-episodes %d: want 1 to %d", cfg.episodes, maxEpisodes)
	}
	sched, err := story.ParseDaily(cfg.clock, cfg.zone)
	if err != nil {
		return &usageError{err: err}
	}
	start, err := time.ParseInLocation("2006-01-02", cfg.start, sched.Location)
	if err != nil {
		return badUsage("-start %q: want a date such as 2026-03-01", cfg.start)
	}
	var store story.Store = &story.MemoryStore{}
	if cfg.state != "" {
		if store, err = story.OpenFileStore(cfg.state); err != nil {
			return err
		}
	}
	// Retries and look-ups of the publishers, as they happen.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	targets, err := cfg.targets(store, logger)
	if err != nil {
		return &usageError{err: err}
	}
	live := len(targets) > 0
	if !live {
		// Dry run: every platform, checked by its rules, nothing sent.
		for _, name := range []string{"mastodon", "bluesky", "x"} {
			targets = append(targets, target{name: name, rules: story.RulesFor(name),
				pub: &publish.DryRun{Rules: story.RulesFor(name)}})
		}
	}

	series := &story.Series{
		Name:     "hen-diary",
		Template: template.Must(template.New("diary").Parse(diaryTemplate)),
		Schedule: sched,
		Start:    start,
		Store:    store,
	}
	if live {
		fmt.Fprintf(stdout, "hen diary: posting due episodes to %s\n", names(targets))
	} else {
		fmt.Fprintln(stdout, "hen diary: dry run (nothing is posted; -mastodon or -bluesky to post)")
	}
	for i := 0; i < cfg.episodes; i++ {
		ep, err := series.Next(ctx, now)
		if errors.Is(err, story.ErrSeriesEnded) {
			fmt.Fprintln(stdout, "the series has ended")
			return nil
		}
		if err != nil {
			return err
		}
		if live && ep.At.After(now) {
			fmt.Fprintf(stdout, "\nnext: day %d is due %s; run again then\n", ep.N, ep.At.Format("Mon 2 Jan 2006 15:04 MST"))
			return nil
		}
		text, err := series.Render(ep, notes[(ep.N-1)%len(notes)])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n━━ Day %d · scheduled %s\n", ep.N, ep.At.Format("Mon 2 Jan 2006 15:04 MST"))
		for _, t := range targets {
			if err := t.publish(ctx, stdout, ep, text); err != nil {
				return fmt.Errorf("day %d on %s: %w%s", ep.N, t.name, err, advice(ctx, err))
			}
		}
		if err := series.Done(ctx, ep); err != nil {
			return err
		}
	}
	return nil
}

func names(ts []target) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.name)
	}
	return strings.Join(s, " and ")
}

// target is one platform to publish to.
type target struct {
	name  string
	rules story.Rules
	pub   story.Publisher
}

// advice tells what a failed publish means for the next run.
func advice(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "\ninterrupted: progress kept; run again to resume"
	case errors.Is(err, publish.ErrNotSent):
		return "\nnothing was posted; run again once the cause is fixed"
	case errors.Is(err, publish.ErrUnconfirmed):
		return "\nthe post may have gone out; the next run looks it up before sending anything"
	}
	return "\nprogress kept: run again to resume"
}

// dropTime leaves the time out of log lines: stderr of a cron job or a
// terminal has its own.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// maxEpisodes bounds -episodes: a year of the diary.
const maxEpisodes = 366

// targets builds the live publishers named by the flags, journaling in store.
func (c *config) targets(store story.Store, logger *slog.Logger) ([]target, error) {
	var out []target
	if c.mastodon != "" {
		tok := os.Getenv("MASTODON_TOKEN")
		if tok == "" {
			return nil, errors.New("-mastodon needs $MASTODON_TOKEN (an access token with write:statuses and read:accounts)")
		}
		p, err := publish.NewMastodon(c.mastodon, tok, publish.WithStore(store), publish.WithLogger(logger))
		if err != nil {
			return nil, err
		}
		out = append(out, target{name: "mastodon", rules: story.MastodonRules{}, pub: p})
	}
	if c.bluesky != "" {
		handle, pw := os.Getenv("BLUESKY_HANDLE"), os.Getenv("BLUESKY_APP_PASSWORD")
		if handle == "" || pw == "" {
			return nil, errors.New("-bluesky needs $BLUESKY_HANDLE and $BLUESKY_APP_PASSWORD (an app password, not the account password)")
		}
		p, err := publish.NewBluesky(c.bluesky, handle, pw, publish.WithStore(store), publish.WithLogger(logger))
		if err != nil {
			return nil, err
		}
		out = append(out, target{name: "bluesky", rules: story.BlueskyRules{}, pub: p})
	}
	return out, nil
}

// publish splits text by the target's rules, prints the thread with each
// part's counted length, and publishes it as ep's thread.
func (t target) publish(ctx context.Context, w io.Writer, ep story.Episode, text string) error {
	parts, err := story.Split(text, t.rules, true)
	if err != nil {
		return err
	}
	limit := map[string]int{"mastodon": 500, "bluesky": 300, "x": 280}[t.name]
	fmt.Fprintf(w, "%s (%d): %d post%s\n", label(t.name), limit, len(parts), plural(len(parts)))
	th := story.Thread{ID: ep.Key() + "/" + t.name}
	for i, p := range parts {
		th.Parts = append(th.Parts, story.Part{Text: p})
		fmt.Fprintf(w, "  [%d/%d · %3d/%d] %s\n", i+1, len(parts), t.rules.Count(p), limit, oneLine(p))
	}
	sent, err := t.pub.Publish(ctx, th)
	if err != nil {
		return err
	}
	if _, dry := t.pub.(*publish.DryRun); !dry {
		for _, s := range sent {
			fmt.Fprintf(w, "  posted %s\n", firstNonEmpty(s.URL, s.ID))
		}
	}
	return nil
}

func label(name string) string {
	switch name {
	case "x":
		return "X"
	case "bluesky":
		return "Bluesky"
	}
	return "Mastodon"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ⏎ ") }

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
