// Command spikes scores a series for volume spikes, row by row.
//
// It reads "timestamp,value" rows (with a header line) from the file
// named on the command line, or from standard input, and writes
// "timestamp,value,anomaly_score" to standard output, one row per input
// row, as soon as the row is read: the score of a row depends only on the
// rows before it, and each output row is flushed before the next input
// row is read. A score at or above -threshold marks the first bucket of an
// episode (see trend.Spike).
//
//	spikes Twitter_volume_AAPL.csv > scores.csv
//	spikes -threshold 0.7 < series.csv
//
// With no file and no standard input (a terminal), it scores the embedded
// sample.csv: five days of a made-up brand's mentions per 5 minutes, with
// an afternoon of uproar on the fourth day.
//
// Timestamps are "2006-01-02 15:04:05" (UTC) or RFC 3339. A value that is
// not a number, a repeated or earlier timestamp is scored 0; a malformed
// line stops the program with an error naming the line (exit status 1).
// Bad flags or arguments exit with status 2. SIGINT and SIGTERM stop it
// after the last complete row.
package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

//go:embed sample.csv
var sample []byte

// options is the command line.
type options struct {
	threshold float64
	file      string // "" for standard input (or the sample)
}

const usage = `usage: spikes [-threshold T] [FILE.csv]
spikes scores a timestamp,value CSV series (FILE, else standard input, else
the embedded sample of made-up mention counts) for volume spikes and writes
each row with an anomaly_score column in [0,1].
`

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("spikes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.Float64Var(&o.threshold, "threshold", trend.DefaultSpikeThreshold, "score in (0,1) that opens an alert episode")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if !(o.threshold > 0 && o.threshold < 1) {
		return o, fmt.Errorf("spikes: -threshold %v: want a score between 0 and 1", o.threshold)
	}
	switch fs.NArg() {
	case 0:
	case 1:
		o.file = fs.Arg(0)
	default:
		return o, fmt.Errorf("spikes: want at most one file, got %q", fs.Args())
	}
	return o, nil
}

// input opens what the options ask to read: the file, standard input, or
// the sample when standard input is a terminal. It says on stderr when it
// reads the sample.
func input(o options, stdin *os.File, stderr io.Writer) (io.ReadCloser, error) {
	if o.file != "" && o.file != "-" {
		f, err := os.Open(o.file)
		if err != nil {
			return nil, fmt.Errorf("spikes: %w", err)
		}
		return f, nil
	}
	if fi, err := stdin.Stat(); o.file == "" && err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		fmt.Fprintln(stderr, "spikes: no file and no standard input: scoring the embedded sample.csv (made-up mention counts)")
		return io.NopCloser(bytes.NewReader(sample)), nil
	}
	return stdin, nil
}

func main() {
	o, err := parseArgs(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	in, err := input(o, os.Stdin, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		in.Close() // unblocks a read from a pipe or terminal
	}()
	err = run(ctx, in, os.Stdout, o.threshold)
	if err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run scores the series read from in and writes it to out. It stops at
// the end of in, at the first malformed line or write error, or when ctx
// is done (then quietly, after the last complete row).
func run(ctx context.Context, in io.Reader, out io.Writer, threshold float64) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	w := bufio.NewWriter(out)
	det := trend.Spike{Threshold: threshold}
	line := 0
	for sc.Scan() {
		if ctx.Err() != nil {
			break
		}
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			if !strings.HasPrefix(strings.ToLower(text), "timestamp") {
				return fmt.Errorf("spikes: line 1: want a header timestamp,value, got %q", text)
			}
			if _, err := w.WriteString("timestamp,value,anomaly_score\n"); err != nil {
				return err
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		ts, val, ok := strings.Cut(text, ",")
		if !ok {
			return fmt.Errorf("spikes: line %d: want timestamp,value", line)
		}
		at, err := parseTime(ts)
		if err != nil {
			return fmt.Errorf("spikes: line %d: bad timestamp %q", line, ts)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			v = math.NaN()
		}
		score, _, _ := det.Step(at, v)
		fmt.Fprintf(w, "%s,%s,%s\n", ts, val, strconv.FormatFloat(score, 'g', -1, 64))
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("spikes: read: %w", err)
	}
	if line == 0 && ctx.Err() == nil {
		return errors.New("spikes: empty input: want a header timestamp,value and rows")
	}
	return w.Flush()
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02 15:04:05.999999999", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
