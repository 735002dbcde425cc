// Command virality predicts the final reshare count of retweet cascades
// from their first hours, with an 80% range, using package trend/viral.
//
//	go run ./examples/virality                      # the embedded sample
//	go run ./examples/virality -obs 1h,2h,6h -dir DIR > predictions.csv
//
// It reads every *.txt file of a folder of cascades in the SEISMIC/TiDeH
// format (see viral.ReadCascade), or with no -dir the embedded sample
// (six synthetic cascades made by sample_test.go), and writes one CSV row
// per cascade and observation time:
//
//	cascade_id,observation_seconds,predicted_final_count,low80,high80
//
// using only the reshares made by then: cutting a file after 2 hours does
// not change its rows for 1 h and 2 h. The final count is the number of
// reshares within 7 days of the post; low80 and high80 bound an 80% range
// for it.
//
// -poll 5m feeds the totals every 5 minutes instead of the reshares (count
// mode: no follower counts, no reshare times). -rhythm none drops the
// daily rhythm of English-language Twitter, which the SEISMIC files' post
// times (day offsets from 7 October 2011, UTC) call for; use it for files
// whose post time is unknown (day 0). -eval also prints, on standard
// error, the median absolute percentage error against each file's final
// count and the share of final counts inside the range.
//
// Bad flags or arguments exit with status 2; a bad file, status 1.
// Ctrl-C or SIGTERM stops it after the current cascade, with the rows so
// far written.
package main

import (
	"bufio"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"path"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/earshot-dev/earshot/trend/viral"
)

//go:embed sample/*.txt
var sample embed.FS

const usage = `virality predicts how far retweet cascades will spread, from the first hours of each, reading SEISMIC/TiDeH cascade files (*.txt) from -dir or, with none, the embedded sample.

It writes cascade_id,observation_seconds,predicted_final_count,low80,high80
on standard output, one row per cascade and -obs time.

Usage: virality [flags]`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr), os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is a bad command line: exit status 2.
type usageError struct{ err error }

func (e *usageError) Error() string {
	if e.err == nil {
		return "bad usage"
	}
	return e.err.Error()
}

func badUsage(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		if ue.err != nil {
			fmt.Fprintln(stderr, "virality:", err)
		}
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "virality: interrupted")
		return 1
	}
	fmt.Fprintln(stderr, "virality:", err)
	return 1
}

type config struct {
	dir   string
	obs   []time.Duration
	poll  time.Duration
	model viral.Model
	eval  bool
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("virality", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fmt.Fprintln(fs.Output())
		fs.PrintDefaults()
	}
	var c config
	fs.StringVar(&c.dir, "dir", "", "folder of cascade files (default: the embedded sample)")
	obs := fs.String("obs", "1h,2h,6h", "comma-separated observation times after each post")
	fs.DurationVar(&c.poll, "poll", 0, "feed the totals polled at this interval instead of the reshares (count mode)")
	rhythm := fs.String("rhythm", "twitter", "daily rhythm of the audience: twitter (English-language Twitter) or none")
	fs.BoolVar(&c.eval, "eval", false, "print the median absolute percentage error and the range's coverage to standard error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{} // the flag package printed it
	}
	if fs.NArg() > 0 {
		return nil, badUsage("unexpected arguments %q", fs.Args())
	}
	var err error
	if c.obs, err = parseObs(*obs); err != nil {
		return nil, err
	}
	if c.poll < 0 {
		return nil, badUsage("-poll %v: must not be negative", c.poll)
	}
	switch *rhythm {
	case "twitter":
		c.model.Rhythm = viral.TwitterRhythm()
	case "none":
	default:
		return nil, badUsage("-rhythm %q: want twitter or none", *rhythm)
	}
	return &c, nil
}

func parseObs(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := time.ParseDuration(f)
		if err != nil {
			return nil, badUsage("-obs: %v", err)
		}
		if d <= 0 || d > 7*24*time.Hour {
			return nil, badUsage("-obs %v: want a time after the post, up to 7 days", d)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, badUsage("-obs: no observation times")
	}
	return out, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	var cs []viral.Cascade
	if c.dir != "" {
		cs, err = viral.ReadDir(c.dir)
	} else {
		cs, err = readFS(sample, "sample")
	}
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	fmt.Fprintln(w, "cascade_id,observation_seconds,predicted_final_count,low80,high80")
	ape := make(map[time.Duration][]float64)
	in := make(map[time.Duration]int)
	for i := range cs {
		if err := ctx.Err(); err != nil {
			w.Flush()
			return err
		}
		cas := &cs[i]
		final := float64(cas.Final(7 * 24 * time.Hour))
		for _, p := range predict(cas, c.model, c.poll, c.obs) {
			obs := p.At.Sub(cas.Posted)
			fin, lo, hi := math.Round(p.Final), math.Floor(p.Low), math.Ceil(p.High)
			fmt.Fprintf(w, "%s,%d,%.0f,%.0f,%.0f\n", cas.ID, int64(obs/time.Second), fin, lo, hi)
			if final > 0 && p.Observed > 0 {
				ape[obs] = append(ape[obs], math.Abs(fin-final)/final)
				if lo <= final && final <= hi {
					in[obs]++
				}
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if c.eval {
		for _, o := range c.obs {
			n := len(ape[o])
			fmt.Fprintf(stderr, "observed %v: MdAPE %.3f, 80%% range held %d of %d final counts\n", o, median(ape[o]), in[o], n)
		}
	}
	return nil
}

// predict replays c into a tracker, reshare by reshare (or with poll > 0
// its totals every poll), and predicts at each observation time from what
// was seen by then.
func predict(c *viral.Cascade, m viral.Model, poll time.Duration, obs []time.Duration) []viral.Prediction {
	sorted := append([]time.Duration(nil), obs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	at := make(map[time.Duration]viral.Prediction)
	tr := &viral.Tracker{Posted: c.Posted, Followers: c.Followers, Model: &m}
	next, polled := 0, poll
	for _, o := range sorted {
		if poll > 0 {
			for ; polled <= o; polled += poll {
				tr.ObserveCount(c.Posted.Add(polled), c.ObservedBy(polled))
			}
		} else {
			for ; next < len(c.Reshares) && c.Reshares[next].Age <= o; next++ {
				tr.Observe(c.Posted.Add(c.Reshares[next].Age), c.Reshares[next].Followers)
			}
		}
		p := tr.Predict(c.Posted.Add(o))
		p.At = c.Posted.Add(o) // a quiet cascade's prediction is still for o
		at[o] = p
	}
	out := make([]viral.Prediction, len(obs))
	for i, o := range obs {
		out[i] = at[o]
	}
	return out
}

// readFS reads the *.txt cascade files of folder dir in fsys, in name
// order.
func readFS(fsys fs.FS, dir string) ([]viral.Cascade, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	var cs []viral.Cascade
	for _, name := range names {
		f, err := fsys.Open(name)
		if err != nil {
			return nil, err
		}
		c, err := viral.ReadCascade(f, strings.TrimSuffix(path.Base(name), ".txt"))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		cs = append(cs, c)
	}
	return cs, nil
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
