// Command desk is a complaint desk in the terminal. It listens for posts,
// finds the ones that are negative about the brand itself (target-aware
// sentiment: "love the baristas but Larkspur Plus is a rip-off" is a
// complaint about Larkspur, "my bus was late, so I missed my Larkspur
// latte" is not), drafts a reply from the business's templates, and asks
// a person to approve, edit or skip each draft. Nothing is sent without
// approval, and by default approved replies go to a dry-run publisher:
// nothing leaves the machine.
//
// With no flags it replays the embedded sample data set (three days about
// Larkspur Coffee, a fictional roaster) as fast as possible, with no
// network, and offers up to ten drafts, one per unhappy author. The
// monitor's detectors run alongside, so alerts (a negative shift, a volume
// spike, a post going viral) show between the drafts as they open, with
// what stood out in each:
//
//	go run ./examples/desk
//
// Commands, one per line on standard input:
//
//	a           approve the draft and send it (dry run unless -mastodon/-bluesky)
//	e           edit: the next line is the new text, which then needs approval
//	s           skip: reject the draft
//	q           quit: stop listening and print the summary
//
// At the end of input (a closed pipe, Ctrl-D, or a non-interactive run
// such as CI), on Ctrl-C or on SIGTERM the desk stops and prints a
// summary; undecided drafts stay unsent. A line longer than 64 KiB is
// refused with a message, not taken for the end of input. Scripted
// sessions work: printf 'a\ns\ne\nThanks!\na\nq\n' | go run ./examples/desk
//
// Flags:
//
//	-max 10                 drafts to offer before stopping (0: no limit)
//	-auto-skip              show every draft and skip it, without reading input
//	-reviewer NAME          who approves (default $USER)
//	-speed 0                replay speed (0: as fast as possible)
//	-replay FILE            replay a recorded JSON-lines file instead
//	-target Larkspur        the brand; -aliases "@larkspur,Larkspur Plus,Larkspur Coffee"
//	-mastodon URL           listen to a Mastodon instance ($MASTODON_TOKEN), as the
//	                        monitor does; -mastodon-tag TAG for a hashtag timeline
//	-bluesky JETSTREAM_URL  listen to Bluesky, as the monitor does
//	-reply-mastodon URL     send approved Mastodon replies there ($MASTODON_TOKEN)
//	-reply-bluesky PDS_URL  send approved Bluesky replies there ($BLUESKY_HANDLE,
//	                        $BLUESKY_APP_PASSWORD)
//
// The desk listens only where it can answer (Mastodon and Bluesky). Source
// retries are logged on standard error as they happen; a run that heard
// nothing usable ends with exit status 1, bad flags with status 2.
package main

import (
	"bufio"
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
	"text/template"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/target"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/story/publish"
	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/viral"
	"github.com/earshot-dev/earshot/trend/watch"
)

const usage = `desk drafts replies to complaints about a brand for you to approve, from the embedded sample data (three days about a fictional roaster), a -replay file or live Mastodon and Bluesky.

Commands on standard input: a (approve and send), e (edit), s (skip), q
(quit). Replies are a dry run unless -reply-mastodon or -reply-bluesky is
given.

Usage: desk [flags]`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := exitCode(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr), os.Stderr)
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

func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		if !ue.printed {
			fmt.Fprintln(stderr, "desk:", err)
		}
		return 2
	}
	fmt.Fprintln(stderr, "desk:", err)
	return 1
}

// complaintTemplate answers a complaint; .Data is the shop's details.
const complaintTemplate = `{{.Mention}} {{if mentions .Post.Text "stamp" "plus" "membership" "subscription" "loyalty"}}` +
	`We hear you about the loyalty stamps, and we are sorry: the whole team is reading every message about Larkspur Plus. We will share what changes very soon.` +
	`{{else if mentions .Post.Text "cold" "wait" "queue" "slow" "rude" "service"}}` +
	`Sorry, that is not the visit we want you to have. Could you send us the café and the time? We will make it right.` +
	`{{else}}Sorry to read this. Could you tell us a little more? We want to fix it.{{end}} {{.Data.Signature}}`

// funcs are the template helpers.
var funcs = template.FuncMap{
	"mentions": func(text string, words ...string) bool {
		t := strings.ToLower(text)
		for _, w := range words {
			if strings.Contains(t, w) {
				return true
			}
		}
		return false
	},
}

type config struct {
	max      int
	autoSkip bool
	reviewer string
	speed    float64
	replay   string
	target   string
	aliases  string
	mastodon string // reply there
	bluesky  string // reply there
	live     sources
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("desk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	var cfg config
	fs.IntVar(&cfg.max, "max", 10, "drafts to offer before stopping (0: no limit)")
	fs.BoolVar(&cfg.autoSkip, "auto-skip", false, "show and skip every draft without reading input")
	fs.StringVar(&cfg.reviewer, "reviewer", os.Getenv("USER"), "who approves the replies")
	fs.Float64Var(&cfg.speed, "speed", 0, "replay speed factor (0: as fast as possible)")
	fs.StringVar(&cfg.replay, "replay", "", "replay this JSON-lines file instead of the embedded sample")
	fs.StringVar(&cfg.target, "target", "Larkspur", "the brand whose complaints to answer")
	fs.StringVar(&cfg.aliases, "aliases", "@larkspur,Larkspur Plus,Larkspur Coffee,#larkspurplus", "comma-separated other names of the brand")
	fs.StringVar(&cfg.mastodon, "reply-mastodon", "", "send approved Mastodon replies to this server ($MASTODON_TOKEN)")
	fs.StringVar(&cfg.bluesky, "reply-bluesky", "", "send approved Bluesky replies to this PDS ($BLUESKY_HANDLE, $BLUESKY_APP_PASSWORD)")
	cfg.live.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err: err, printed: true}
	}
	bad := func(format string, args ...any) error { return &usageError{err: fmt.Errorf(format, args...)} }
	switch {
	case fs.NArg() > 0:
		return nil, bad("unexpected arguments %q", fs.Args())
	case cfg.max < 0:
		return nil, bad("-max %d: want 0 (no limit) or more", cfg.max)
	case cfg.speed < 0 || math.IsNaN(cfg.speed) || math.IsInf(cfg.speed, 0):
		return nil, bad("-speed %v: want 0 (as fast as possible) or a positive factor", cfg.speed)
	case strings.TrimSpace(cfg.target) == "":
		return nil, bad("-target is empty")
	}
	if cfg.reviewer == "" {
		cfg.reviewer = "desk"
	}
	return &cfg, nil
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parse(args, stderr)
	if err != nil {
		return err
	}
	names := []string{cfg.target}
	for _, a := range strings.Split(cfg.aliases, ",") {
		if a = strings.TrimSpace(a); a != "" {
			names = append(names, a)
		}
	}
	plain := sentiment.Cached(vader.New(), 10_000)
	scorer := &target.Scorer{Scorer: plain, Names: names}
	replier := &story.Replier{
		Templates: map[story.Need]*template.Template{
			story.NeedComplaint: template.Must(template.New("complaint").Funcs(funcs).Parse(complaintTemplate)),
		},
		Data: struct{ Signature string }{"– Sam at " + cfg.target},
		// The desk answers posts that are negative towards the brand (the
		// target scorer's compound), which the complaint model, reading
		// the whole post, cannot tell.
		Triage: story.Triage{Complaints: func(_ listen.Post, s sentiment.Score) bool { return s.Compound <= -0.3 }},
	}
	pubs, err := cfg.publishers()
	if err != nil {
		return &usageError{err: err}
	}
	dry := &publish.DryRun{}
	brand, err := listen.Compile(query(names))
	if err != nil {
		return &usageError{err: fmt.Errorf("-target or -aliases: %w", err)}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: noTime}))
	src, stats, err := cfg.live.open(cfg.replay, cfg.speed, log)
	if err != nil {
		return &usageError{err: err}
	}

	d := &desk{out: stdout, reviewer: cfg.reviewer, queue: &story.Queue{}, pubs: pubs, dry: dry}
	// The monitor's detectors run alongside, so the person at the desk
	// sees the alerts (a negative shift, a spike, a post going viral) as
	// they open.
	key := strings.ToLower(cfg.target)
	w := &watch.Watch{
		Spikes:  trend.Spikes{Bucket: 15 * time.Minute, Spike: trend.Spike{MinCount: 10, Warmup: 12 * time.Hour}},
		Viral:   viral.Detector{Threshold: 500, MinCount: 20},
		Reasons: &trend.Reasons{Max: 3, Window: 24 * time.Hour}, // what stood out in each spike and shift
		OnAlert: func(a watch.Alert) {
			if a.Open() {
				fmt.Fprintf(stdout, "\n⚠ ALERT %s %s: %s\n", a.Severity, a.Title, a.Summary)
				if len(a.Reasons) > 0 {
					fmt.Fprintf(stdout, "  why: %s\n", reasons(a.Reasons))
				}
			}
		},
	}
	if !cfg.autoSkip {
		d.lines = readLines(ctx, stdin)
		defer d.stopReading()
	}
	fmt.Fprintf(stdout, "earshot complaint desk: negative posts about %s (%s)\n", cfg.target, strings.Join(names[1:], ", "))
	if len(pubs) == 0 {
		fmt.Fprintln(stdout, "dry run: approved replies are recorded, not posted (-reply-mastodon or -reply-bluesky to post)")
	}
	fmt.Fprintln(stdout, "commands: a approve and send · e edit · s skip · q quit")

	answered := map[string]bool{} // one reply per author
	var checked time.Time
	records, heard, about := 0, 0, 0
	for p, err := range listen.Dedupe(src, 100_000).Posts(ctx) {
		if err != nil {
			return err
		}
		records++
		if at := p.Created.Truncate(15 * time.Minute); at.After(checked) {
			w.Check(at) // closes spike buckets, checks for viral posts
			checked = at
		}
		if p.Kind == listen.KindRepost {
			w.Reshare(p.Platform+":"+p.Subject, p.Created, p.Author.Followers)
			continue
		}
		if p.Kind != listen.KindPost && p.Kind != listen.KindUpdate {
			continue
		}
		heard++
		english := sentiment.IsEnglish(p.Lang) // the lexicon is English
		if brand.Match(&p) {
			m := trend.Mention{Key: key, ID: p.Key(), Text: p.Text, At: p.Created, Followers: p.Author.Followers,
				Sentiment: math.NaN(), Author: p.Platform + ":" + p.Author.Handle, Source: p.Platform}
			if s, err := plain.Score(ctx, p.Text); english && err == nil {
				m.Sentiment = s.Compound
			}
			w.Observe(m)
		}
		if !english {
			continue
		}
		s, err := scorer.Score(ctx, p.Text)
		if errors.Is(err, target.ErrAbsent) {
			continue // not about the brand
		}
		if err != nil {
			return err
		}
		about++
		who := p.Platform + ":" + p.Author.Handle
		if answered[who] {
			continue
		}
		draft, ok, err := replier.Draft(p, s)
		if err != nil {
			fmt.Fprintf(stdout, "\n(no draft for %s: %v)\n", p.Key(), err)
			continue
		}
		if !ok {
			continue // not a complaint
		}
		answered[who] = true
		if _, err := d.queue.Add(draft); err != nil {
			return err
		}
		if !d.review(ctx, p, s, draft, cfg.autoSkip) {
			break
		}
		if cfg.max > 0 && d.offered >= cfg.max {
			fmt.Fprintf(stdout, "\n(%d drafts offered; -max to see more)\n", d.offered)
			break
		}
	}
	d.summary(heard, about)
	return nothingUsable(ctx, records, stats)
}

// reasons writes what stood out in an alert's episode on one line, as
// the monitor does: each word, #hashtag, @handle, author or platform with
// the share of the episode's posts that had it and how many times as
// often as in the key's posts before.
func reasons(rs []trend.Reason) string {
	var parts []string
	for i, r := range rs {
		what := fmt.Sprintf("%q", r.Value)
		switch r.Kind {
		case trend.ReasonHashtag:
			what = "#" + r.Value
		case trend.ReasonMention:
			what = "@" + r.Value
		case trend.ReasonAuthor:
			what = "by " + r.Value
		case trend.ReasonSource:
			what = "on " + r.Value
		}
		lift := fmt.Sprintf("%.1fx", r.Lift)
		switch {
		case r.Lift >= 100:
			lift = "over 100x"
		case r.Lift >= 10:
			lift = fmt.Sprintf("%.0fx", r.Lift)
		}
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%s (%.0f%% of posts, %s as before)", what, 100*r.Share, lift))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%.0f%%, %s)", what, 100*r.Share, lift))
		}
	}
	return strings.Join(parts, ", ")
}

// nothingUsable is the error of a run that heard nothing it could use
// (a dead server, a file of garbage), which must not read like a brand
// nobody complains about.
func nothingUsable(ctx context.Context, records int, stats listen.StatsReporter) error {
	st := stats.Stats()
	failures := st.Retries + st.Reconnects + st.Skipped
	switch {
	case records > 0 || (failures == 0 && ctx.Err() != nil):
		return nil
	case failures == 0:
		return errors.New("no records heard")
	}
	return fmt.Errorf("nothing usable heard: %d malformed records, %d retries, %d reconnects (see the log above)",
		st.Skipped, st.Retries, st.Reconnects)
}

// noTime drops the time from log lines: the log is read beside the desk.
func noTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// query builds a listen query matching any of the brand's names.
func query(names []string) string {
	var terms []string
	for _, n := range names {
		n = strings.TrimLeft(n, "@#")
		if n == "" {
			continue
		}
		if strings.ContainsAny(n, " \t") {
			n = `"` + strings.ReplaceAll(n, `"`, "") + `"`
		}
		terms = append(terms, n)
	}
	return strings.Join(terms, " OR ")
}

// publishers builds the live publishers named by the flags, by platform.
func (c *config) publishers() (map[string]story.Publisher, error) {
	out := map[string]story.Publisher{}
	if c.mastodon != "" {
		tok := os.Getenv("MASTODON_TOKEN")
		if tok == "" {
			return nil, errors.New("-reply-mastodon needs $MASTODON_TOKEN")
		}
		p, err := publish.NewMastodon(c.mastodon, tok)
		if err != nil {
			return nil, err
		}
		out["mastodon"] = p
	}
	if c.bluesky != "" {
		h, pw := os.Getenv("BLUESKY_HANDLE"), os.Getenv("BLUESKY_APP_PASSWORD")
		if h == "" || pw == "" {
			return nil, errors.New("-reply-bluesky needs $BLUESKY_HANDLE and $BLUESKY_APP_PASSWORD")
		}
		p, err := publish.NewBluesky(c.bluesky, h, pw)
		if err != nil {
			return nil, err
		}
		out["bluesky"] = p
	}
	return out, nil
}

// desk is the review loop's state.
type desk struct {
	out      io.Writer
	reviewer string
	queue    *story.Queue
	pubs     map[string]story.Publisher
	dry      *publish.DryRun
	lines    <-chan input
	eof      bool

	offered, sent, edited, skipped int
	held                           int // approved but no publisher for the platform
	failed                         int
}

// maxLine is the longest command or reply text read; longer lines are
// refused with a message.
const maxLine = 64 << 10

// input is one line read, or a line too long to take (long bytes), or a
// read error that ends the input.
type input struct {
	text string
	long int
	err  error
}

// readLines reads stdin lines in a goroutine, so that a cancelled ctx is
// noticed while waiting for a person. The goroutine ends at the end of
// input or when ctx is done (a terminal read in progress ends with the
// process); stopReading lets it finish a scripted input.
func readLines(ctx context.Context, r io.Reader) <-chan input {
	ch := make(chan input)
	send := func(in input) bool {
		select {
		case ch <- in:
			return true
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		defer close(ch)
		br := bufio.NewReaderSize(r, maxLine)
		for {
			line, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				n := len(line) // too long: skip to its end, and say so
				for errors.Is(err, bufio.ErrBufferFull) {
					line, err = br.ReadSlice('\n')
					n += len(line)
				}
				if !send(input{long: n}) {
					return
				}
			} else if len(line) > 0 && !send(input{text: strings.TrimRight(string(line), "\r\n")}) {
				return
			}
			if err != nil {
				if err != io.EOF {
					send(input{err: err})
				}
				return
			}
		}
	}()
	return ch
}

func (d *desk) stopReading() {
	// Drain what a scripted input still holds so the reader goroutine can
	// finish; it ends at EOF.
	go func(ch <-chan input) {
		for range ch {
		}
	}(d.lines)
}

// next reads one line; false at the end of input or when ctx is done. A
// line too long is refused with a message, and the next one read.
func (d *desk) next(ctx context.Context) (string, bool) {
	for !d.eof {
		select {
		case <-ctx.Done():
			return "", false
		case in, ok := <-d.lines:
			switch {
			case !ok:
				d.eof = true
			case in.err != nil:
				fmt.Fprintf(d.out, "\n   (reading input: %v)", in.err)
				d.eof = true
			case in.long > 0:
				fmt.Fprintf(d.out, "\n   (a line of %d bytes is too long: ignored; at most %d) > ", in.long, maxLine)
			default:
				return strings.TrimSpace(in.text), true
			}
		}
	}
	return "", false
}

// review shows one draft and handles commands until it is decided. It
// reports false when the person quits or input ends.
func (d *desk) review(ctx context.Context, p listen.Post, s sentiment.Score, draft story.Draft, autoSkip bool) bool {
	d.offered++
	fmt.Fprintf(d.out, "\n── #%d  %s @%s · %s · sentiment towards the brand %+.2f\n",
		d.offered, p.Platform, p.Author.Handle, p.Created.Format("Mon 02 15:04"), s.Compound)
	fmt.Fprintf(d.out, "   %q\n", oneLine(p.Text))
	show := func(text string) {
		rules := story.RulesFor(draft.Platform)
		fmt.Fprintf(d.out, "   draft reply (%d chars counted): %s\n", rules.Count(text), text)
	}
	show(draft.Text)
	if autoSkip {
		d.reject(draft.ID, "auto-skip")
		fmt.Fprintln(d.out, "   skipped (-auto-skip)")
		return true
	}
	for {
		fmt.Fprint(d.out, "   [a]pprove [e]dit [s]kip [q]uit > ")
		cmd, ok := d.next(ctx)
		if !ok {
			fmt.Fprintln(d.out, "\n   (end of input: draft left unsent)")
			return false
		}
		fmt.Fprintln(d.out, cmd) // echo, so a piped session reads like a transcript
		switch strings.ToLower(cmd) {
		case "a", "approve":
			if err := d.queue.Approve(draft.ID, d.reviewer, time.Now()); err != nil {
				fmt.Fprintln(d.out, "   cannot approve:", err)
				continue
			}
			d.send(ctx, draft)
			return true
		case "e", "edit":
			fmt.Fprint(d.out, "   new text > ")
			text, ok := d.next(ctx)
			if !ok {
				fmt.Fprintln(d.out, "\n   (end of input: draft left unsent)")
				return false
			}
			fmt.Fprintln(d.out, text)
			if err := d.queue.Edit(draft.ID, text); err != nil {
				fmt.Fprintln(d.out, "   not changed:", err)
				continue
			}
			d.edited++
			show(text)
			fmt.Fprintln(d.out, "   edited: approve to send the new text")
		case "s", "skip":
			d.reject(draft.ID, "skipped")
			fmt.Fprintln(d.out, "   skipped")
			return true
		case "q", "quit":
			fmt.Fprintln(d.out, "   quitting: draft left unsent")
			return false
		default:
			fmt.Fprintln(d.out, "   commands: a, e, s or q")
		}
	}
}

func (d *desk) reject(id, reason string) {
	if err := d.queue.Reject(id, d.reviewer, reason, time.Now()); err == nil {
		d.skipped++
	}
}

// send publishes an approved draft: to the live publisher for its
// platform if there is one, to the dry run when there are none at all.
func (d *desk) send(ctx context.Context, draft story.Draft) {
	pub, ok := d.pubs[draft.Platform]
	dry := len(d.pubs) == 0
	if dry {
		pub, ok = d.dry, true
	}
	if !ok {
		d.held++
		fmt.Fprintf(d.out, "   approved, but no publisher for %s: kept in the queue\n", draft.Platform)
		return
	}
	sent, err := d.queue.Send(ctx, draft.ID, pub)
	if err != nil {
		d.failed++
		fmt.Fprintln(d.out, "   not sent:", err)
		return
	}
	d.sent++
	if dry {
		fmt.Fprintf(d.out, "   approved by %s; recorded as %s (dry run, not posted)\n", d.reviewer, sent.ID)
	} else {
		fmt.Fprintf(d.out, "   approved by %s; posted %s\n", d.reviewer, firstNonEmpty(sent.URL, sent.ID))
	}
}

func (d *desk) summary(heard, about int) {
	pending := len(d.queue.Items(story.Pending)) + len(d.queue.Items(story.Approved))
	fmt.Fprintf(d.out, "\nSummary: %d posts heard, %d about the brand; %d drafts offered: %d approved and sent, %d skipped, %d edited, %d left unsent",
		heard, about, d.offered, d.sent, d.skipped, d.edited, pending)
	if d.failed > 0 {
		fmt.Fprintf(d.out, ", %d failed", d.failed)
	}
	fmt.Fprintln(d.out)
	if len(d.pubs) == 0 {
		fmt.Fprintf(d.out, "Nothing was posted (dry run): %d replies recorded.\n", len(d.dry.Threads()))
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
