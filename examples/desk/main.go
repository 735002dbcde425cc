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
// spike, a post going viral) show between the drafts as they open:
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
// such as CI) the desk stops and prints a summary; undecided drafts stay
// unsent. Scripted sessions work: printf 'a\ns\ne\nThanks!\na\nq\n' | go run ./examples/desk
//
// Flags:
//
//	-max 10               drafts to offer before stopping (0: no limit)
//	-auto-skip            show every draft and skip it, without reading input
//	-reviewer NAME        who approves (default $USER)
//	-speed 0              replay speed (0: as fast as possible)
//	-replay FILE          replay a recorded JSON-lines file instead
//	-target Larkspur      the brand; -aliases "@larkspur,Larkspur Plus,Larkspur Coffee"
//	-mastodon URL         send approved Mastodon replies there ($MASTODON_TOKEN)
//	-bluesky PDS_URL      send approved Bluesky replies there ($BLUESKY_HANDLE,
//	                      $BLUESKY_APP_PASSWORD)
//	-listen-mastodon URL, -listen-bluesky URL, -rss, -hn, -reddit: live sources
//	                      (see examples/monitor)
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/template"
	"time"

	"github.com/earshot-dev/earshot/examples/internal/pipeline"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/target"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/story/publish"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "desk:", err)
		os.Exit(1)
	}
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
	mastodon string
	bluesky  string
	live     pipeline.Sources
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("desk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.IntVar(&cfg.max, "max", 10, "drafts to offer before stopping (0: no limit)")
	fs.BoolVar(&cfg.autoSkip, "auto-skip", false, "show and skip every draft without reading input")
	fs.StringVar(&cfg.reviewer, "reviewer", os.Getenv("USER"), "who approves the replies")
	fs.Float64Var(&cfg.speed, "speed", 0, "replay speed factor (0: as fast as possible)")
	fs.StringVar(&cfg.replay, "replay", "", "replay this JSON-lines file instead of the embedded sample")
	fs.StringVar(&cfg.target, "target", "Larkspur", "the brand whose complaints to answer")
	fs.StringVar(&cfg.aliases, "aliases", "@larkspur,Larkspur Plus,Larkspur Coffee,#larkspurplus", "comma-separated other names of the brand")
	fs.StringVar(&cfg.mastodon, "mastodon", "", "send approved Mastodon replies to this server ($MASTODON_TOKEN)")
	fs.StringVar(&cfg.bluesky, "bluesky", "", "send approved Bluesky replies to this PDS ($BLUESKY_HANDLE, $BLUESKY_APP_PASSWORD)")
	// The live sources, under listen- names where they clash with the
	// publishing flags.
	ls := flag.NewFlagSet("", flag.ContinueOnError)
	cfg.live.Register(ls)
	ls.VisitAll(func(f *flag.Flag) {
		name := f.Name
		if name == "mastodon" || name == "bluesky" || name == "mastodon-tag" {
			name = "listen-" + name
		}
		fs.Var(f.Value, name, f.Usage)
	})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfg.reviewer == "" {
		cfg.reviewer = "desk"
	}
	if strings.TrimSpace(cfg.target) == "" {
		return nil, errors.New("-target is empty")
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
	scorer := &target.Scorer{Scorer: sentiment.Cached(vader.New(), 10_000), Names: names}
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
		return err
	}
	dry := &publish.DryRun{}
	src, err := cfg.live.Source(cfg.replay, cfg.speed)
	if err != nil {
		return err
	}

	d := &desk{out: stdout, reviewer: cfg.reviewer, queue: &story.Queue{}, pubs: pubs, dry: dry}
	// The monitor's pipeline runs alongside, so the person at the desk
	// sees the alerts (a negative shift, a spike, a post going viral) as
	// they open.
	pipe, err := pipeline.New(pipeline.Config{
		Keys:    []pipeline.Key{{Name: strings.ToLower(cfg.target), Query: query(names)}},
		OnAlert: func(a pipeline.Alert) { fmt.Fprintf(stdout, "\n⚠ ALERT %s %s: %s\n", a.Severity, a.Title, a.Summary) },
	})
	if err != nil {
		return err
	}
	if !cfg.autoSkip {
		d.lines = readLines(ctx, stdin)
		defer d.stopReading()
	}
	fmt.Fprintf(stdout, "earshot complaint desk: negative posts about %s (%s)\n", cfg.target, strings.Join(names[1:], ", "))
	if len(pubs) == 0 {
		fmt.Fprintln(stdout, "dry run: approved replies are recorded, not posted (-mastodon or -bluesky to post)")
	}
	fmt.Fprintln(stdout, "commands: a approve and send · e edit · s skip · q quit")

	answered := map[string]bool{} // one reply per author
	var checked time.Time
	heard, about := 0, 0
	for p, err := range listen.Dedupe(src, 100_000).Posts(ctx) {
		if err != nil {
			return err
		}
		pipe.Observe(ctx, p)
		if at := p.Created.Truncate(15 * time.Minute); at.After(checked) {
			pipe.Check(at) // closes spike buckets, checks for viral posts
			checked = at
		}
		if p.Kind != listen.KindPost && p.Kind != listen.KindUpdate {
			continue
		}
		heard++
		if !sentiment.IsEnglish(p.Lang) {
			continue // the lexicon is English
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
	return nil
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
			return nil, errors.New("-mastodon needs $MASTODON_TOKEN")
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
			return nil, errors.New("-bluesky needs $BLUESKY_HANDLE and $BLUESKY_APP_PASSWORD")
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
	lines    <-chan string
	eof      bool

	offered, sent, edited, skipped int
	held                           int // approved but no publisher for the platform
	failed                         int
}

// readLines reads stdin lines in a goroutine, so that a cancelled ctx is
// noticed while waiting for a person. The goroutine ends at the end of
// input or when ctx is done (a terminal read in progress ends with the
// process); stopReading lets it finish a scripted input.
func readLines(ctx context.Context, r io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case ch <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

func (d *desk) stopReading() {
	// Drain what a scripted input still holds so the reader goroutine can
	// finish; it ends at EOF.
	go func(ch <-chan string) {
		for range ch {
		}
	}(d.lines)
}

// next reads one line; false at the end of input or when ctx is done.
func (d *desk) next(ctx context.Context) (string, bool) {
	if d.eof {
		return "", false
	}
	select {
	case <-ctx.Done():
		return "", false
	case l, ok := <-d.lines:
		if !ok {
			d.eof = true
			return "", false
		}
		return strings.TrimSpace(l), true
	}
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
