// Command virality predicts the final reshare count of retweet cascades
// from their first hours, with package trend/viral.
//
//	go run ./examples/virality -obs 1h,2h,6h > predictions.csv
//
// It reads every *.txt file of a folder of cascades in the SEISMIC/TiDeH
// format (see viral.ReadCascade; -dir, by default ../shared/data/cascades
// beside the repository when it is there, or $EARSHOT_SHARED_DATA/cascades) and writes one CSV row per
// cascade and observation time:
//
//	cascade_id,observation_seconds,predicted_final_count
//
// using only the reshares made by then. -model plain uses plain SEISMIC;
// -poll 5m feeds the totals every 5 minutes instead of the events (count
// mode). -eval also prints the median absolute percentage error against
// each file's final count to stderr.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/trend/viral"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "virality:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("virality", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "folder of cascade files (default: ../shared/data/cascades beside the repository)")
	obsFlag := fs.String("obs", "1h,2h,6h", "comma-separated observation times after each post")
	modelFlag := fs.String("model", "default", "default (corrected SEISMIC) or plain (SEISMIC)")
	poll := fs.Duration("poll", 0, "feed totals polled at this interval instead of events (count mode)")
	eval := fs.Bool("eval", false, "print the median absolute percentage error to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	obs, err := parseObs(*obsFlag)
	if err != nil {
		return err
	}
	var model *viral.Model
	switch *modelFlag {
	case "default":
	case "plain":
		model = viral.PlainModel
	default:
		return fmt.Errorf("-model: want default or plain, got %q", *modelFlag)
	}
	if *poll < 0 {
		return errors.New("-poll: must not be negative")
	}
	if *dir == "" {
		*dir = defaultDir()
		if *dir == "" {
			return errors.New("no -dir given and ../shared/data/cascades not found beside the repository")
		}
	}
	cs, err := viral.ReadDir(*dir)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	fmt.Fprintln(w, "cascade_id,observation_seconds,predicted_final_count")
	ape := make(map[time.Duration][]float64)
	for i := range cs {
		c := &cs[i]
		final := float64(c.Final(7 * 24 * time.Hour))
		for _, o := range obs {
			p := predict(c, o, model, *poll)
			fmt.Fprintf(w, "%s,%d,%.0f\n", c.ID, int64(o/time.Second), math.Round(p.Final))
			if final > 0 {
				ape[o] = append(ape[o], math.Abs(math.Round(p.Final)-final)/final)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if *eval {
		for _, o := range obs {
			fmt.Fprintf(stderr, "observed %v: MdAPE %.3f over %d cascades\n", o, median(ape[o]), len(ape[o]))
		}
	}
	return nil
}

// predict replays c up to obs into a tracker and predicts at obs. A nil
// model is the tracker's default: the count model when polling.
func predict(c *viral.Cascade, obs time.Duration, m *viral.Model, poll time.Duration) viral.Prediction {
	if m == nil {
		m = viral.DefaultModel
		if poll > 0 {
			m = viral.DefaultCountModel
		}
	}
	return m.Predict(viral.Replay(c, obs, m, poll))
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
			return nil, fmt.Errorf("-obs: %w", err)
		}
		if d <= 0 {
			return nil, fmt.Errorf("-obs: %v is not after the post", d)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, errors.New("-obs: no observation times")
	}
	return out, nil
}

// defaultDir finds $EARSHOT_SHARED_DATA/cascades, or else
// ../shared/data/cascades beside the directory holding go.mod, walking up
// from the working directory.
func defaultDir() string {
	if d := os.Getenv("EARSHOT_SHARED_DATA"); d != "" {
		return filepath.Join(d, "cascades")
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			c := filepath.Join(filepath.Dir(d), "shared", "data", "cascades")
			if fi, err := os.Stat(c); err == nil && fi.IsDir() {
				return c
			}
			return ""
		}
		p := filepath.Dir(d)
		if p == d {
			return ""
		}
		d = p
	}
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
