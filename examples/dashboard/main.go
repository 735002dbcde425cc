// Command dashboard shows what is said about a brand and its competitors
// in the browser, live: each key's share of voice (for the charts' hours
// and hour by hour, with mentions, authors, reach and sentiment), per key
// the volume and the sentiment over time as charts, the current alerts
// with what stood out in each and the posts behind them, who drives each
// key's conversation (most mentions, largest audiences, advocates,
// detractors), trending hashtags, and the posts predicted to go viral.
//
// With no flags it replays the embedded sample data set (three days of
// posts about Larkspur Coffee, a fictional roaster, and its competitors
// Brightcup and Hollow Oak) with no network. The
// replay starts when the first page connects, fast enough that the
// complaint wave of day 2 arrives about four seconds later; the server then
// stays up with the final picture:
//
//	go run ./examples/dashboard
//	open http://127.0.0.1:8080
//
// Flags:
//
//	-addr 127.0.0.1:8080   where to serve
//	-speed 30000           replay speed factor (0: as fast as possible)
//	-loop                  replay the data again, 10 s after it ends
//	-wait=false            start the replay at once, not when the first
//	                       page connects
//	-query Q               one key to track (listen query syntax)
//	-key NAME=QUERY        a key to track, with its own chart (repeatable:
//	                       the first is the brand, the others its
//	                       competitors; replaces -query)
//	-collapse=false        keep near-duplicate posts
//	-replay FILE           replay a recorded JSON-lines file instead
//	-mastodon URL, -mastodon-tag TAG, -bluesky URL
//	                       listen live (token: $MASTODON_TOKEN); the monitor
//	                       shows how to add RSS, Hacker News and Reddit
//
// Near-duplicate posts (copy-paste floods, found by [listen.NearDedupe])
// and posts by accounts the platform marks as bots are left out of every
// figure, and counted on the page. Every spike and shift alert carries
// its reasons (a trend/watch Watch with Reasons): the words, hashtags,
// @mentions, authors and platforms its episode's posts have far more
// often than the key's posts before, with the share of the episode's
// posts that have each and how many times as often as before.
//
// The page is one embedded HTML file with plain JavaScript that draws SVG;
// there is no build step and nothing is loaded from elsewhere. It reads
// /api/state (a JSON snapshot) when it opens and then follows /events, a
// Server-Sent Events stream of the same snapshots, sent at most ten times a
// second.
//
// # Failures on the page
//
// A source that fails does not look like a quiet brand: its retries,
// reconnects and skipped records are logged on standard error and counted
// on the page with the latest message, a live source that has said nothing
// for a minute is shown as stalled, and a final error (a missing replay
// file, a refused token) is shown instead of "all quiet". Bad flags exit
// with status 2; a run that heard nothing usable exits with status 1 when
// stopped.
//
// # Goroutines and shutdown
//
// One goroutine owns the detectors: it ranges over the source and
// publishes snapshots to a hub, which never blocks on a client. Each client
// has a small buffer; when a slow client's buffer is full a snapshot is
// dropped for it and counted (the next one carries the whole state
// anyway). The server serves until SIGINT or SIGTERM; then the hub closes
// the event streams, the server shuts down gracefully (5 s at most), and
// the listening goroutine stops before run returns.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/earshot-dev/earshot/listen"
)

//go:embed static
var static embed.FS

const usage = `dashboard shows what is said about a brand and its competitors in the browser, from the embedded sample data (three days about a fictional roaster and two rivals), a -replay file or live Mastodon and Bluesky.

It serves share of voice, volume and sentiment charts, alerts with their
reasons, top authors, trending hashtags and the most shared posts on
-addr, and updates the page as posts come in.

Usage: dashboard [flags]`

// defaultKeys are what the dashboard listens for in the sample data: the
// brand first, then its two competitors.
var defaultKeys = keys{
	{Name: "larkspur", Query: "larkspur OR @larkspur OR #larkspurplus OR #bringbackstamps OR #larkspurkindness"},
	{Name: "brightcup", Query: "brightcup OR @brightcup"},
	{Name: "hollowoak", Query: `"hollow oak" OR hollowoak OR @hollowoak`},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil), os.Stderr)
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
			fmt.Fprintln(stderr, "dashboard:", err)
		}
		return 2
	}
	fmt.Fprintln(stderr, "dashboard:", err)
	return 1
}

type config struct {
	addr     string
	speed    float64
	loop     bool
	replay   string
	pause    time.Duration // before a loop starts again
	wait     bool          // start the replay when the first page connects
	keys     []tracked
	collapse bool // drop near-duplicate posts
	live     sources
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("dashboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	cfg := config{pause: 10 * time.Second}
	var query string
	var ks keys
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to serve on")
	fs.Float64Var(&cfg.speed, "speed", 30000, "replay speed factor (0: as fast as possible)")
	fs.BoolVar(&cfg.loop, "loop", false, "replay again 10 s after the replay ends")
	fs.BoolVar(&cfg.wait, "wait", true, "start the replay when the first page connects (false: at once)")
	fs.StringVar(&query, "query", "", "what to listen for (listen query syntax): one key, named after the query's first word (default: the sample's brand and two competitors)")
	fs.StringVar(&cfg.replay, "replay", "", "replay this JSON-lines file (optionally gzip) instead of the embedded sample")
	fs.Var(&ks, "key", "a key to track as NAME=QUERY, with its own chart (repeatable: the first is the brand, the others its competitors; replaces -query)")
	fs.BoolVar(&cfg.collapse, "collapse", true, "drop near-duplicate posts (copy-paste floods)")
	cfg.live.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err: err, printed: true}
	}
	if fs.NArg() > 0 {
		return nil, &usageError{err: fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if cfg.speed < 0 || math.IsNaN(cfg.speed) || math.IsInf(cfg.speed, 0) {
		return nil, &usageError{err: fmt.Errorf("-speed %v: want 0 (as fast as possible) or a positive factor", cfg.speed)}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case len(ks) > 0:
	case set["query"]:
		ks = keys{{Name: firstWord(query), Query: query}}
	default:
		ks = defaultKeys
	}
	var err error
	if cfg.keys, err = compile(ks); err != nil {
		return nil, &usageError{err: err}
	}
	return &cfg, nil
}

// run serves the dashboard until ctx is done. If ready is not nil, it
// receives the listening address once the server accepts connections.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	cfg, err := parse(args, stderr)
	if err != nil {
		return err
	}
	d := newDashboard(4)
	// Source log lines go to stderr and, counted, to the page.
	log := slog.New(&problemHandler{next: slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: noTime}), d: d})
	if _, err := cfg.live.open(cfg.replay, cfg.speed, log); err != nil {
		return &usageError{err: err} // a bad source fails before the server starts
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return &usageError{err: err}
	}
	srv := &http.Server{Handler: d.handler(), ReadHeaderTimeout: 5 * time.Second}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var heard, failures int64
	var feedErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		heard, failures, feedErr = d.feed(ctx, cfg, log)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	fmt.Fprintf(stdout, "earshot dashboard: http://%s (%s; Ctrl-C to stop)\n", ln.Addr(), cfg.live.describe(cfg.replay, cfg.speed))
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	cancel()
	d.hub.close() // event streams return, so Shutdown does not wait for them
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if serr := srv.Shutdown(sctx); serr != nil && err == nil {
		err = serr
	}
	if err == nil {
		<-serveErr // http.ErrServerClosed
	}
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	fmt.Fprintf(stdout, "earshot dashboard: stopped after %d records heard, %d source problems (%d snapshots sent, %d dropped for slow clients)\n",
		heard, failures, d.hub.sent.Load(), d.hub.dropped.Load())
	if err == nil && heard == 0 && (failures > 0 || feedErr != nil) {
		err = fmt.Errorf("nothing usable heard (%d source problems)", failures)
		if feedErr != nil {
			err = fmt.Errorf("nothing usable heard: %w", feedErr)
		}
	}
	return err
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

// noTime drops the time from log lines: the log is read beside the page.
func noTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// dashboard is the web side: the hub, the latest snapshot and status, and
// the handlers.
type dashboard struct {
	hub *hub

	mu       sync.Mutex
	status   status
	last     snapshot  // the latest snapshot from the listening goroutine
	lastPost time.Time // wall clock, for the stall warning
	lastPub  time.Time
}

// status is the dashboard's own part of each message: how the listening
// goes, and what went wrong.
type status struct {
	Mode     string  `json:"mode"`   // "replay" or "live"
	Source   string  `json:"source"` // what is listened to
	Speed    float64 `json:"speed"`
	Running  bool    `json:"running"`
	Done     bool    `json:"done"`    // the replay has ended
	Waiting  bool    `json:"waiting"` // the replay starts when a page connects
	Round    int     `json:"round"`
	Error    string  `json:"error,omitempty"`   // the source's final error
	Problems int64   `json:"problems"`          // retries, reconnects, skipped records logged so far
	Problem  string  `json:"problem,omitempty"` // the latest of them
	Idle     float64 `json:"idle"`              // seconds since the last post, while running
	Clients  int     `json:"clients"`
	Dropped  int64   `json:"dropped"`
	Interval string  `json:"interval"`
}

// stalledAfter is how long a running live source may say nothing before
// the page calls it stalled.
const stalledAfter = time.Minute

// message is one snapshot as sent to the page.
type message struct {
	snapshot
	Status status `json:"status"`
}

func newDashboard(buffer int) *dashboard {
	return &dashboard{hub: newHub(buffer)}
}

func (d *dashboard) handler() http.Handler {
	mux := http.NewServeMux()
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	mux.Handle("GET /", http.FileServerFS(sub))
	mux.HandleFunc("GET /{$}", d.index)
	mux.HandleFunc("GET /api/state", d.state)
	mux.HandleFunc("GET /events", d.events)
	return mux
}

// publish sends the latest snapshot and status to the pages; update, if
// not nil, changes the status first. It is safe for concurrent use.
func (d *dashboard) publish(update func(*status)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if update != nil {
		update(&d.status)
	}
	st := d.status
	st.Clients = d.hub.count()
	st.Dropped = d.hub.dropped.Load()
	st.Interval = "1h"
	if st.Running && !d.lastPost.IsZero() {
		st.Idle = time.Since(d.lastPost).Seconds()
	}
	b, err := json.Marshal(message{snapshot: d.last, Status: st})
	if err != nil {
		return // cannot happen with these types
	}
	d.lastPub = time.Now()
	d.hub.publish(b)
}

// show publishes a new snapshot from the listening goroutine.
func (d *dashboard) show(s snapshot, update func(*status)) {
	d.mu.Lock()
	d.last = s
	d.mu.Unlock()
	d.publish(update)
}

// problem counts a source's log line and shows it on the page (at most
// ten updates a second; the next snapshot carries the count anyway).
func (d *dashboard) problem(msg string) {
	d.mu.Lock()
	d.status.Problems++
	d.status.Problem = msg
	recent := time.Since(d.lastPub) < 100*time.Millisecond
	d.mu.Unlock()
	if !recent {
		d.publish(nil)
	}
}

// problemHandler passes source log records on and counts them as
// problems of the page's status.
type problemHandler struct {
	next slog.Handler
	d    *dashboard
}

func (h *problemHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *problemHandler) Handle(ctx context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			msg += ": " + a.Value.String()
			return false
		}
		return true
	})
	h.d.problem(msg)
	return h.next.Handle(ctx, r)
}

func (h *problemHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &problemHandler{next: h.next.WithAttrs(as), d: h.d}
}

func (h *problemHandler) WithGroup(name string) slog.Handler {
	return &problemHandler{next: h.next.WithGroup(name), d: h.d}
}

// feed listens to the source until it ends (or, with -loop, until ctx is
// done), publishing snapshots at most every 100 ms. It returns the records
// heard, the source problems counted and the source's final error.
func (d *dashboard) feed(ctx context.Context, cfg *config, log *slog.Logger) (heard, problems int64, final error) {
	mode := "replay"
	if cfg.live.live() {
		mode = "live"
	}
	what := cfg.live.describe(cfg.replay, cfg.speed)
	for round := 1; ctx.Err() == nil; round++ {
		l := newListener(cfg.keys)
		if round == 1 && cfg.wait && mode == "replay" {
			d.show(l.snapshot(), func(s *status) { *s = status{Mode: mode, Source: what, Speed: cfg.speed, Waiting: true} })
			select {
			case <-ctx.Done():
				return heard, d.problems(), final
			case <-d.hub.joined:
			}
		}
		d.show(l.snapshot(), func(s *status) {
			*s = status{Mode: mode, Source: what, Speed: cfg.speed, Running: true, Round: round, Problems: s.Problems, Problem: s.Problem}
		})
		src, err := cfg.live.open(cfg.replay, cfg.speed, log)
		if err == nil {
			err = d.listen(ctx, l, src, mode == "live", cfg.collapse)
		}
		heard += int64(l.heard) + l.bots + l.collapsed
		if ctx.Err() != nil {
			return heard, d.problems(), final
		}
		l.finish()
		final = err
		d.show(l.snapshot(), func(s *status) {
			s.Running, s.Done = false, true
			if err != nil {
				s.Error = err.Error()
			}
		})
		if err != nil {
			log.Error("source failed", "err", err.Error())
		}
		if !cfg.loop || mode == "live" {
			<-ctx.Done()
			return heard, d.problems(), final
		}
		select {
		case <-ctx.Done():
			return heard, d.problems(), final
		case <-time.After(cfg.pause):
		}
	}
	return heard, d.problems(), final
}

func (d *dashboard) problems() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.status.Problems
}

// listen runs l over src, publishing a snapshot at most every 100 ms;
// with collapse, near-duplicate posts are dropped. A live source is
// watched for stalls: the status is republished every few seconds, so
// the page sees the time since the last post grow.
func (d *dashboard) listen(ctx context.Context, l *listener, src listen.Source, live, collapse bool) error {
	if live {
		tctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		defer func() { stop(); <-done }()
		go func() {
			defer close(done)
			t := time.NewTicker(stalledAfter / 12)
			defer t.Stop()
			for {
				select {
				case <-tctx.Done():
					return
				case <-t.C:
					d.publish(nil)
				}
			}
		}()
	}
	d.mu.Lock()
	d.lastPost = time.Now()
	d.mu.Unlock()
	last := time.Now()
	// Exact duplicates (the same post twice) go first, then posts by bot
	// accounts, then near-duplicates: a copy-paste flood counts once.
	src = listen.Filter(listen.Dedupe(src, 100_000), func(p listen.Post) bool {
		if isBot(p) {
			l.bots++
			return false
		}
		return true
	})
	var flood listen.StatsReporter
	if collapse {
		nd := listen.NearDedupe(src, 0)
		src, flood = nd, nd.(listen.StatsReporter)
	}
	defer func() {
		if flood != nil {
			l.collapsed = flood.Stats().Duplicates
		}
	}()
	for post, err := range src.Posts(ctx) {
		if err != nil {
			return err
		}
		if flood != nil {
			l.collapsed = flood.Stats().Duplicates
		}
		l.observe(ctx, post)
		if time.Since(last) >= 100*time.Millisecond {
			d.mu.Lock()
			d.lastPost = time.Now()
			d.mu.Unlock()
			d.show(l.snapshot(), nil)
			last = time.Now()
		}
	}
	return nil
}
