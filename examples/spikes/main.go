// Command spikes scores a NAB-style CSV series for volume spikes.
//
// It reads "timestamp,value" rows (with a header line) on stdin and writes
// "timestamp,value,anomaly_score" on stdout, one row per input row, as soon
// as the row is read: the score of a row depends only on the rows before
// it, and each output row is flushed before the next input row is read.
//
//	spikes [-threshold 0.475] < Twitter_volume_AAPL.csv > scores.csv
//
// Timestamps are "2006-01-02 15:04:05" (UTC) or RFC 3339. A value that is
// not a number, a repeated or earlier timestamp is scored 0 (see
// trend.Spike for the rules); a malformed line stops the program with an
// error naming the line.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

func main() {
	th := flag.Float64("threshold", trend.DefaultSpikeThreshold, "score that opens an alert episode")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *th); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer, threshold float64) error {
	sc := bufio.NewScanner(in)
	w := bufio.NewWriter(out)
	det := trend.Spike{Threshold: threshold}
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			if _, err := w.WriteString("timestamp,value,anomaly_score\n"); err != nil {
				return err
			}
			if !strings.HasPrefix(strings.ToLower(text), "timestamp") {
				return fmt.Errorf("spikes: line 1: want a header timestamp,value, got %q", text)
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
	if err := sc.Err(); err != nil {
		return fmt.Errorf("spikes: read: %w", err)
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
