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
//
// -scorer linear uses the trained scorer of sentiment/linear: its
// pretrained English model, or with -model FILE a model written by
// examples/train (-model implies -scorer linear). -target NAME[,ALIAS...]
// scores the sentiment towards a named target (sentiment/target) instead
// of the whole line; a line that does not mention it gives
// {"text":...,"absent":true} rather than a neutral score:
//
//	$ echo "love my new phone but @acme support is awful" | go run ./examples/sentiment -scorer social -target acme
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
	"github.com/earshot-dev/earshot/sentiment/linear"
	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/target"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

// options holds the command line. To add a setting (say -model FILE for a
// trained scorer, or -target NAME for sentiment towards a named target),
// add a field here, define its flag in parseFlags, and use it in
// newScorer (for a scorer) or in run (for how lines are scored).
type options struct {
	Scorer string // -scorer: one of scorerNames
	Model  string // -model FILE: a sentiment/linear model file (implies -scorer linear)
	Target string // -target NAME[,ALIAS...]: score towards this target
}

// scorerNames lists the values -scorer accepts, in the order of its help.
var scorerNames = []string{"vader", "social", "linear"}

// newScorer builds the scorer the options ask for. A new scorer is a new
// case here and a new entry in scorerNames.
func newScorer(o options) (sentiment.Scorer, error) {
	switch o.Scorer {
	case "vader":
		return vader.New(), nil
	case "social":
		return social.New(), nil
	case "linear":
		if o.Model == "" {
			return linear.Default(), nil
		}
		f, err := os.Open(o.Model)
		if err != nil {
			return nil, fmt.Errorf("sentiment: -model: %w", err)
		}
		defer f.Close()
		return linear.Load(f)
	}
	return nil, fmt.Errorf("sentiment: unknown scorer %q (want one of %s)", o.Scorer, strings.Join(scorerNames, ", "))
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("sentiment", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Scorer, "scorer", "vader", "scorer to use: "+strings.Join(scorerNames, ", "))
	// New flags (-model, -target) go here.
	fs.StringVar(&o.Model, "model", "", "score with the sentiment/linear model in `FILE` (from examples/train; implies -scorer linear)")
	fs.StringVar(&o.Target, "target", "", "score the sentiment towards `NAME[,ALIAS...]` (e.g. acme,@acmehelp) instead of the whole line")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.Model != "" {
		explicit := false
		fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "scorer" })
		if explicit && o.Scorer != "linear" {
			return o, fmt.Errorf("sentiment: -model needs -scorer linear, not %q", o.Scorer)
		}
		o.Scorer = "linear"
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("sentiment: unexpected arguments %q: text is read from standard input", fs.Args())
	}
	return o, nil
}

// withTarget wraps s to score towards the -target, if one is given.
func withTarget(s sentiment.Scorer, o options) sentiment.Scorer {
	if o.Target == "" {
		return s
	}
	names := strings.Split(o.Target, ",")
	return target.New(s, names[0], names[1:]...)
}

// line is one output object.
type line struct {
	Text string `json:"text"`
	sentiment.Score
}

// absentLine is the output for a line that does not mention the -target.
type absentLine struct {
	Text   string `json:"text"`
	Absent bool   `json:"absent"`
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
		var v any = line{Text: text, Score: sc}
		if errors.Is(serr, target.ErrAbsent) {
			// -target: the line does not mention the target; say so
			// rather than print a neutral score.
			v, serr = absentLine{Text: text, Absent: true}, nil
		}
		if serr != nil {
			return fmt.Errorf("sentiment: score: %w", serr)
		}
		if werr := enc.Encode(v); werr != nil {
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
	s = withTarget(s, o)
	if err := run(context.Background(), s, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
