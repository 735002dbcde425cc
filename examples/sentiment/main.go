// Command sentiment scores lines of UTF-8 text read from standard input
// and writes one JSON object per line to standard output, with the text
// and VADER's four figures:
//
//	$ echo "The book was good." | go run ./examples/sentiment
//	{"text":"The book was good.","compound":0.4404,"pos":0.492,"neu":0.508,"neg":0}
//
// -scorer chooses the scorer: vader (the default; vaderSentiment 3.3.2's
// numbers) or social (rules fixed for social posts). Every input line,
// empty ones included, gives exactly one output line.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

// options holds the command line. To add a setting (say -model FILE for a
// trained scorer, or -target NAME for sentiment towards a named target),
// add a field here, define its flag in parseFlags, and use it in
// newScorer (for a scorer) or in run (for how lines are scored).
type options struct {
	Scorer string // -scorer: one of scorerNames
}

// scorerNames lists the values -scorer accepts, in the order of its help.
var scorerNames = []string{"vader", "social"}

// newScorer builds the scorer the options ask for. A new scorer is a new
// case here and a new entry in scorerNames.
func newScorer(o options) (sentiment.Scorer, error) {
	switch o.Scorer {
	case "vader":
		return vader.New(), nil
	case "social":
		return social.New(), nil
	}
	return nil, fmt.Errorf("sentiment: unknown scorer %q (want one of %s)", o.Scorer, strings.Join(scorerNames, ", "))
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("sentiment", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Scorer, "scorer", "vader", "scorer to use: "+strings.Join(scorerNames, ", "))
	// New flags (-model, -target) go here.
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("sentiment: unexpected arguments %q: text is read from standard input", fs.Args())
	}
	return o, nil
}

// line is one output object.
type line struct {
	Text string `json:"text"`
	sentiment.Score
}

// run scores each line of in with s and writes a JSON object per line to
// out. It stops at the end of in, at the first read, scoring or write
// error, or when ctx is done.
func run(ctx context.Context, s sentiment.Scorer, in io.Reader, out io.Writer) error {
	r := bufio.NewReaderSize(in, 64<<10)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		text, err := r.ReadString('\n')
		if text == "" && err != nil {
			if errors.Is(err, io.EOF) {
				return w.Flush()
			}
			return fmt.Errorf("sentiment: read: %w", err)
		}
		text = strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r")
		sc, serr := s.Score(ctx, text)
		if serr != nil {
			return fmt.Errorf("sentiment: score: %w", serr)
		}
		if werr := enc.Encode(line{Text: text, Score: sc}); werr != nil {
			return fmt.Errorf("sentiment: write: %w", werr)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("sentiment: read: %w", err)
		}
	}
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s, err := newScorer(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := run(context.Background(), s, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
