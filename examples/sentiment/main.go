// Command sentiment scores lines of UTF-8 text read from standard input
// and writes one JSON object per line to standard output, with the text,
// a "label" and the scorer's figures:
//
//	$ echo "The book was good." | go run ./examples/sentiment
//	{"text":"The book was good.","label":"positive","compound":0.4404,"pos":0.492,"neu":0.508,"neg":0}
//
// -scorer chooses the scorer:
//
//   - vader (the default): vaderSentiment 3.3.2's numbers; the label is
//     VADER's usual reading of compound (>= 0.05 positive, <= -0.05
//     negative).
//   - social: VADER's rules fixed for social posts, labelled the same way.
//   - polarity: the pretrained polarity model (sentiment/polarity); the
//     label is the most probable class and pos/neu/neg its probabilities.
//   - emotion: the pretrained emotion model (sentiment/emotion): the label
//     (anger, joy, optimism or sadness) and "probs", each label's
//     probability.
//   - complaint: the pretrained complaint model (sentiment/complaint):
//     "complaint" or "not", with "probs".
//
// -model FILE uses a model written by examples/train instead: a polarity
// model prints like -scorer polarity, any other like -scorer emotion.
// -lang CODE (ISO 639-1, such as de) scores with that language's polarity
// model; the English-only scorers refuse other languages.
// -target NAME[,ALIAS...] scores the sentiment towards a named target
// (sentiment/target) instead of the whole line; a line that does not
// mention it gives {"text":...,"absent":true} rather than a neutral score:
//
//	$ echo "love my new phone but @acme support is awful" | go run ./examples/sentiment -scorer social -target acme
//
// Figures are rounded to 4 decimals, as vaderSentiment rounds its own.
// Every input line, empty ones included, gives exactly one output line.
// Output is written in blocks, and whenever the program waits for more
// input. SIGINT or SIGTERM stops it cleanly: the lines scored so far are
// written, whole.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/complaint"
	"github.com/earshot-dev/earshot/sentiment/emotion"
	"github.com/earshot-dev/earshot/sentiment/linear"
	"github.com/earshot-dev/earshot/sentiment/polarity"
	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/target"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

// options holds the command line.
type options struct {
	Scorer string // -scorer: one of scorerNames
	Model  string // -model FILE: a sentiment/linear model file
	Lang   string // -lang CODE: the language of the lines
	Target string // -target NAME[,ALIAS...]: score towards this target
}

// scorerNames lists the values -scorer accepts, in the order of its help.
var scorerNames = []string{"vader", "social", "polarity", "emotion", "complaint"}

const usage = `usage: sentiment [flags] < lines.txt

Scores the sentiment (or emotion, or complaint) of each line of standard
input and writes one JSON object per line to standard output.

flags:
`

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("sentiment", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.Scorer, "scorer", "vader", "scorer to use: "+strings.Join(scorerNames, ", "))
	fs.StringVar(&o.Model, "model", "", "classify with the sentiment/linear model in `FILE` (from examples/train)")
	fs.StringVar(&o.Lang, "lang", "", "language of the lines, an ISO 639-1 `CODE` such as en or de (default: English)")
	fs.StringVar(&o.Target, "target", "", "score the sentiment towards `NAME[,ALIAS...]` (e.g. acme,@acmehelp) instead of the whole line")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("sentiment: unexpected arguments %q: text is read from standard input", fs.Args())
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "scorer" })
	switch {
	case o.Model != "" && explicit:
		return o, errors.New("sentiment: -model and -scorer exclude each other")
	case o.Model == "" && !contains(scorerNames, o.Scorer):
		return o, fmt.Errorf("sentiment: unknown scorer %q (want one of %s)", o.Scorer, strings.Join(scorerNames, ", "))
	case o.Target != "" && strings.Trim(o.Target, ", ") == "":
		return o, errors.New("sentiment: -target names no target")
	}
	if o.Model != "" {
		o.Scorer = ""
	}
	return o, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// newPrinter builds what the options ask for: a scorer or a classifier,
// and how its lines are written.
func newPrinter(o options) (printer, error) {
	var s sentiment.Scorer
	switch o.Scorer {
	case "vader":
		s = vader.New()
	case "social":
		s = social.New()
	case "polarity":
		m, ok := polarity.For(o.Lang)
		if !ok {
			return nil, fmt.Errorf("sentiment: no polarity model for language %q (models: %s)", o.Lang, strings.Join(polarity.Languages(), ", "))
		}
		s = m
	case "emotion":
		return newClassPrinter(emotion.Model(), o)
	case "complaint":
		return newClassPrinter(complaint.Model(), o)
	case "":
		f, err := os.Open(o.Model)
		if err != nil {
			return nil, fmt.Errorf("sentiment: -model: %w", err)
		}
		defer f.Close()
		m, err := linear.Load(f)
		if err != nil {
			return nil, fmt.Errorf("sentiment: -model %s: %w", o.Model, err)
		}
		if !m.IsPolarity() {
			return newClassPrinter(m, o)
		}
		s = m
	}
	if m, ok := s.(*linear.Model); ok && o.Scorer == "" && !m.Supports(o.Lang) {
		return nil, fmt.Errorf("sentiment: the model is for language %q, not %q", m.Lang(), o.Lang)
	}
	if lr, ok := s.(sentiment.LanguageReporter); ok && !lr.Supports(o.Lang) {
		return nil, fmt.Errorf("sentiment: -scorer %s knows only English, not %q (-scorer polarity has models for %s)", o.Scorer, o.Lang, strings.Join(polarity.Languages(), ", "))
	}
	if o.Target != "" {
		var names []string
		for _, n := range strings.Split(o.Target, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
		s = target.New(s, names[0], names[1:]...)
	}
	return newScorePrinter(s), nil
}

func newClassPrinter(m *linear.Model, o options) (printer, error) {
	switch {
	case o.Target != "":
		return nil, errors.New("sentiment: -target works only with sentiment scorers, not with a classifier")
	case !m.Supports(o.Lang):
		return nil, fmt.Errorf("sentiment: the model is for language %q, not %q", m.Lang(), o.Lang)
	}
	return &classPrinter{m: m}, nil
}

// printer appends the JSON line for one text to b.
type printer interface {
	appendLine(ctx context.Context, b []byte, text string) ([]byte, error)
}

// bytesScorer is a scorer that also scores a text held in a byte slice,
// which it reads only during the call, such as *vader.Scorer: lines are
// then scored where they were read, without a string for them.
type bytesScorer interface {
	ScoreBytes(ctx context.Context, text []byte) (sentiment.Score, error)
}

// scorePrinter writes a sentiment.Scorer's figures with the polarity they
// read as.
type scorePrinter struct {
	s  sentiment.Scorer
	bs bytesScorer // s, if it is one; else nil
}

func newScorePrinter(s sentiment.Scorer) *scorePrinter {
	bs, _ := s.(bytesScorer)
	return &scorePrinter{s: s, bs: bs}
}

func (p *scorePrinter) appendLine(ctx context.Context, b []byte, text string) ([]byte, error) {
	sc, err := p.s.Score(ctx, text)
	return appendScore(b, text, sc, err)
}

// appendBytesLine is appendLine for a text in a byte slice; p.bs is not
// nil.
func (p *scorePrinter) appendBytesLine(ctx context.Context, b, text []byte) ([]byte, error) {
	sc, err := p.bs.ScoreBytes(ctx, text)
	return appendScore(b, text, sc, err)
}

// labelThenCompound[p+1] is what follows the text for polarity p, up to
// the compound figure: one append rather than three.
var labelThenCompound = [3]string{
	`,"label":"` + sentiment.Negative.String() + `","compound":`,
	`,"label":"` + sentiment.Neutral.String() + `","compound":`,
	`,"label":"` + sentiment.Positive.String() + `","compound":`,
}

func appendScore[T string | []byte](b []byte, text T, sc sentiment.Score, err error) ([]byte, error) {
	b = append(b, `{"text":`...)
	b = appendString(b, text)
	if err != nil {
		if errors.Is(err, target.ErrAbsent) {
			// -target: the line does not mention the target; say so
			// rather than print a neutral score.
			return append(b, `,"absent":true}`+"\n"...), nil
		}
		return b, fmt.Errorf("sentiment: score: %w", err)
	}
	b = append(b, labelThenCompound[sc.Polarity()+1]...)
	b = appendFigure(b, sc.Compound)
	b = append(b, `,"pos":`...)
	b = appendFigure(b, sc.Positive)
	b = append(b, `,"neu":`...)
	b = appendFigure(b, sc.Neutral)
	b = append(b, `,"neg":`...)
	b = appendFigure(b, sc.Negative)
	return append(b, "}\n"...), nil
}

// classPrinter writes a classifier's label and its probabilities.
type classPrinter struct {
	m     *linear.Model
	probs []float64
}

func (p *classPrinter) appendLine(_ context.Context, b []byte, text string) ([]byte, error) {
	p.probs = p.m.AppendProbabilities(p.probs[:0], text)
	labels := p.m.Labels()
	best := 0
	for c, v := range p.probs {
		if v > p.probs[best] {
			best = c
		}
	}
	b = append(b, `{"text":`...)
	b = appendString(b, text)
	b = append(b, `,"label":`...)
	b = appendString(b, labels[best])
	b = append(b, `,"probs":{`...)
	for c, v := range p.probs {
		if c > 0 {
			b = append(b, ',')
		}
		b = appendString(b, labels[c])
		b = append(b, ':')
		b = appendFigure(b, v)
	}
	return append(b, "}}\n"...), nil
}

// filter reads lines, scores them and writes JSON lines. Its mutex is held
// while the lines of one read are handled, so that stop can flush whole
// lines only.
type filter struct {
	p  printer
	bp *scorePrinter // p, if it scores lines where they were read
	mu sync.Mutex
	w  *bufio.Writer
}

func newFilter(p printer, out io.Writer) *filter {
	f := &filter{p: p, w: bufio.NewWriterSize(out, 64<<10)}
	if sp, ok := p.(*scorePrinter); ok && sp.bs != nil {
		f.bp = sp
	}
	return f
}

// run scores each line of in and writes a JSON object per line. It stops
// at the end of in, at the first read, scoring or write error, or when
// ctx is done; what it wrote is flushed.
//
// It reads up to 64 KiB at a time into one buffer. A scorer that takes
// bytes (bytesScorer) scores the whole lines read where they are, so the
// loop makes no garbage; for any other, they are turned into one string,
// whose lines are then scored as substrings: one allocation per read
// rather than one per line. A line longer than the buffer grows it.
func (f *filter) run(ctx context.Context, in io.Reader) error {
	buf := make([]byte, 0, 64<<10)
	var out []byte
	for {
		if err := ctx.Err(); err != nil {
			return errors.Join(err, f.flush())
		}
		// About to wait for input: let a reader downstream see what is
		// done.
		if err := f.flush(); err != nil {
			return err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // a line longer than the buffer
		}
		n, rerr := in.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		end := bytes.LastIndexByte(buf, '\n') + 1 // after the last whole line
		if rerr != nil {
			end = len(buf) // at the end, the rest is a line too
		}
		if end > 0 {
			var err error
			if out, err = f.lines(ctx, out, buf[:end]); err != nil {
				return errors.Join(err, f.flush())
			}
			buf = buf[:copy(buf, buf[end:])]
		}
		switch {
		case errors.Is(rerr, io.EOF):
			return f.flush()
		case rerr != nil:
			return errors.Join(fmt.Errorf("sentiment: read: %w", rerr), f.flush())
		}
	}
}

// lines writes the JSON lines of the lines of chunk, which ends at the
// end of a line, in one write, using out as scratch space.
func (f *filter) lines(ctx context.Context, out, chunk []byte) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out = out[:0]
	var err error
	if f.bp != nil {
		for len(chunk) > 0 {
			// IndexByte and a test of the last byte, not bytes.Cut and
			// bytes.TrimSuffix, which reach them through more calls
			// (one line costs a few hundred nanoseconds in all).
			line := chunk
			if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
				line, chunk = chunk[:i], chunk[i+1:]
			} else {
				chunk = nil
			}
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			if out, err = f.bp.appendBytesLine(ctx, out, line); err != nil {
				return out, err
			}
		}
	} else {
		for text := string(chunk); text != ""; {
			line, rest, _ := strings.Cut(text, "\n")
			text = rest
			if out, err = f.p.appendLine(ctx, out, strings.TrimSuffix(line, "\r")); err != nil {
				return out, err
			}
		}
	}
	if _, err := f.w.Write(out); err != nil {
		return out, fmt.Errorf("sentiment: write: %w", err)
	}
	return out, nil
}

func (f *filter) flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.w.Flush(); err != nil {
		return fmt.Errorf("sentiment: write: %w", err)
	}
	return nil
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
	p, err := newPrinter(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := newFilter(p, os.Stdout)
	go func() {
		// Reading standard input cannot be interrupted: on a signal,
		// write the whole lines scored so far and leave.
		<-ctx.Done()
		f.flush()
		os.Exit(0)
	}()
	if err := f.run(ctx, os.Stdin); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
