// Command dashboard shows what is said about a brand in the browser, live:
// per tracked key, the volume and the sentiment over time as charts, the
// current alerts with the posts behind them, trending hashtags, and the
// posts predicted to go viral.
//
// With no flags it replays the embedded sample data set (three days of
// posts about Larkspur Coffee, a fictional roaster) with no network. The
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
//	-query Q               what to listen for (listen query syntax)
//	-config FILE           several keys, sources and thresholds from a JSON
//	                       file (the monitor's format; its webhook is unused)
//	-replay FILE           replay a recorded JSON-lines file instead
//	-mastodon URL, -mastodon-tag TAG, -bluesky URL, -rss URLS, -hn QUERY,
//	-reddit SUBS           live sources (credentials from the environment:
//	                       MASTODON_TOKEN, REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET)
//
// The page is one embedded HTML file with plain JavaScript that draws SVG;
// there is no build step and nothing is loaded from elsewhere. It reads
// /api/state (a JSON snapshot) when it opens and then follows /events, a
// Server-Sent Events stream of the same snapshots, sent at most ten times a
// second.
//
// # Goroutines and shutdown
//
// One goroutine owns the pipeline: it ranges over the source and
// publishes snapshots to a hub, which never blocks on a client. Each client
// has a small buffer; when a slow client's buffer is full a snapshot is
// dropped for it and counted (the next one carries the whole state
// anyway). The server serves until SIGINT (or SIGTERM); then the hub closes the event
// streams, the server shuts down gracefully (5 s at most), and the
// pipeline goroutine stops before run returns.
package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/earshot-dev/earshot/examples/internal/pipeline"
	"github.com/earshot-dev/earshot/listen"
)

//go:embed static
var static embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "dashboard:", err)
		os.Exit(1)
	}
}

type config struct {
	addr   string
	speed  float64
	loop   bool
	query  string
	replay string
	pause  time.Duration // before a loop starts again
	wait   bool          // start the replay when the first page connects
	keys   []pipeline.Key
	th     pipeline.Thresholds
	live   pipeline.Sources
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("dashboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{pause: 10 * time.Second}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to serve on")
	fs.Float64Var(&cfg.speed, "speed", 30000, "replay speed factor (0: as fast as possible)")
	fs.BoolVar(&cfg.loop, "loop", false, "replay again 10 s after the replay ends")
	fs.BoolVar(&cfg.wait, "wait", true, "start the replay when the first page connects (false: at once)")
	fs.StringVar(&cfg.query, "query", pipeline.DefaultQuery, "what to listen for (listen query syntax)")
	fs.StringVar(&cfg.replay, "replay", "", "replay this JSON-lines file (optionally gzip) instead of the embedded sample")
	file := fs.String("config", "", "JSON config file: keys, sources, thresholds (the monitor's format)")
	cfg.live.Register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *file != "" {
		fc, err := pipeline.LoadConfig(*file)
		if err != nil {
			return nil, err
		}
		if !set["query"] {
			cfg.keys = fc.Keys
		}
		if !cfg.live.Any() {
			cfg.live = fc.Sources
		}
		cfg.th = fc.Thresholds
	}
	if len(cfg.keys) == 0 {
		cfg.keys = []pipeline.Key{{Name: "larkspur", Query: cfg.query}}
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
	if _, err := pipeline.New(pipeline.Config{Keys: cfg.keys}); err != nil {
		return err // a bad query fails before the server starts
	}
	if _, err := cfg.live.Live(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	d := newDashboard(4)
	srv := &http.Server{Handler: d.handler(), ReadHeaderTimeout: 5 * time.Second}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.feed(ctx, cfg, stderr)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	mode := "replaying the embedded sample data"
	if cfg.live.Any() {
		mode = "listening live"
	} else if cfg.replay != "" {
		mode = "replaying " + cfg.replay
	}
	fmt.Fprintf(stdout, "earshot dashboard: http://%s (%s; Ctrl-C to stop)\n", ln.Addr(), mode)
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
	fmt.Fprintf(stdout, "earshot dashboard: stopped (%d snapshots sent, %d dropped for slow clients)\n",
		d.hub.sent.Load(), d.hub.dropped.Load())
	return err
}

// dashboard is the web side: the hub and the handlers.
type dashboard struct {
	hub *hub

	mu     sync.Mutex
	status status
}

// status is the dashboard's own part of each snapshot.
type status struct {
	Mode     string  `json:"mode"` // "replay" or "live"
	Speed    float64 `json:"speed"`
	Running  bool    `json:"running"`
	Done     bool    `json:"done"`    // the replay has ended
	Waiting  bool    `json:"waiting"` // the replay starts when a page connects
	Round    int     `json:"round"`
	Error    string  `json:"error,omitempty"`
	Clients  int     `json:"clients"`
	Dropped  int64   `json:"dropped"`
	Skipped  int64   `json:"skipped"` // malformed replay records
	Interval string  `json:"interval"`
}

// message is one snapshot as sent to the page.
type message struct {
	pipeline.State
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

// publish sends a snapshot of p to the clients.
func (d *dashboard) publish(p *pipeline.Pipeline, update func(*status)) {
	d.mu.Lock()
	if update != nil {
		update(&d.status)
	}
	st := d.status
	d.mu.Unlock()
	st.Clients = d.hub.count()
	st.Dropped = d.hub.dropped.Load()
	st.Interval = "1h"
	b, err := json.Marshal(message{State: p.Snapshot(), Status: st})
	if err != nil {
		return // cannot happen with these types
	}
	d.hub.publish(b)
}

// feed runs the pipeline over the source until it ends (or, with -loop,
// until ctx is done), publishing snapshots at most every 100 ms.
func (d *dashboard) feed(ctx context.Context, cfg *config, stderr io.Writer) {
	mode := "replay"
	if cfg.live.Any() {
		mode = "live"
	}
	for round := 1; ctx.Err() == nil; round++ {
		p, err := pipeline.New(pipeline.Config{Keys: cfg.keys, Thresholds: cfg.th})
		if err != nil {
			return // checked in run
		}
		if round == 1 && cfg.wait && mode == "replay" {
			d.publish(p, func(s *status) { *s = status{Mode: mode, Speed: cfg.speed, Waiting: true} })
			select {
			case <-ctx.Done():
				return
			case <-d.hub.joined:
			}
		}
		d.publish(p, func(s *status) {
			*s = status{Mode: mode, Speed: cfg.speed, Running: true, Round: round}
		})
		src, err := cfg.live.Source(cfg.replay, cfg.speed)
		if err == nil {
			err = d.replay(ctx, p, src)
		}
		if ctx.Err() != nil {
			return
		}
		var skipped int64
		if st, ok := src.(listen.StatsReporter); ok {
			skipped = st.Stats().Skipped
		}
		p.Check(p.Now())
		d.publish(p, func(s *status) {
			s.Running, s.Done, s.Skipped = false, true, skipped
			if err != nil {
				s.Error = err.Error()
			}
		})
		if err != nil {
			fmt.Fprintln(stderr, "dashboard:", err)
		}
		if !cfg.loop || mode == "live" {
			<-ctx.Done()
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(cfg.pause):
		}
	}
}

func (d *dashboard) replay(ctx context.Context, p *pipeline.Pipeline, src listen.Source) error {
	last := time.Now()
	check := time.Time{}
	for post, err := range listen.Dedupe(src, 100_000).Posts(ctx) {
		if err != nil {
			return err
		}
		p.Observe(ctx, post)
		// Close spike buckets and check virality every 15 minutes of data.
		if at := post.Created.Truncate(15 * time.Minute); at.After(check) {
			if !check.IsZero() {
				p.Check(at)
			}
			check = at
		}
		if time.Since(last) >= 100*time.Millisecond {
			d.publish(p, nil)
			last = time.Now()
		}
	}
	return nil
}

// index serves the page with the latest snapshot inlined, so a page that
// opens late draws the charts at once, before it has finished loading.
func (d *dashboard) index(w http.ResponseWriter, r *http.Request) {
	page, err := static.ReadFile("static/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if b := d.hub.latest(); b != nil {
		// json.Marshal escapes <, > and &, so the snapshot cannot end the
		// script element early.
		inline := append(append([]byte("<script>window.EARSHOT_STATE = "), b...), ";</script>"...)
		page = bytes.Replace(page, []byte("<!--STATE-->"), inline, 1)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page)
}

// state serves the latest snapshot, for a page that opens late.
func (d *dashboard) state(w http.ResponseWriter, r *http.Request) {
	b := d.hub.latest()
	if b == nil {
		http.Error(w, `{"error":"starting"}`, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// keepAlive is the interval of SSE comments that keep proxies from closing
// an idle stream.
var keepAlive = 15 * time.Second

// events streams snapshots as Server-Sent Events ("event: state").
func (d *dashboard) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	c, ok := d.hub.subscribe()
	if !ok {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer d.hub.unsubscribe(c)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, "retry: 2000\n\n"); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-d.hub.done:
			return
		case <-tick.C:
			_, err := io.WriteString(w, ": keep-alive\n\n")
			if err == nil {
				err = rc.Flush()
			}
			if err != nil {
				return
			}
		case msg := <-c.ch:
			// A snapshot is one line of JSON: no newline to escape.
			_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			_, err := fmt.Fprintf(w, "event: state\ndata: %s\n\n", msg)
			if err == nil {
				err = rc.Flush()
			}
			if err != nil {
				return
			}
			_ = rc.SetWriteDeadline(time.Time{})
		}
	}
}
