// Command train trains a text classifier (package sentiment/linear) from a
// file of labelled lines, reports its stratified k-fold cross-validated
// accuracy, macro-averaged recall and macro-F1, and writes the model file
// for linear.Load (or examples/sentiment -model FILE).
//
// Usage:
//
//	train [flags] [FILE]
//
// FILE holds one example per line, label<TAB>text; any labels will do
// (negative/neutral/positive makes a polarity model that scores
// sentiment, but "billing", "delivery", "spam" work as well). Empty lines
// and a first line "label<TAB>text" are skipped. Without FILE it trains on
// a small sample embedded in the program (sample.tsv: 90 hand-written
// posts, labelled negative, neutral or positive) so that it runs offline
// with no arguments:
//
//	go run ./examples/train
//	go run ./examples/train -o my.model posts.tsv
//
// To try it on the project's evaluation data (label ids work as labels
// too, but names are clearer):
//
//	paste ../shared/data/sentiment/emotion/train_labels.txt ../shared/data/sentiment/emotion/train_text.txt > emotion.tsv
//	go run ./examples/train -o emotion.model emotion.tsv
//
// SIGINT or SIGTERM stops it; a model file is written whole or not at all.
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
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/earshot-dev/earshot/sentiment/linear"
)

//go:embed sample.tsv
var sample []byte

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: train [flags] [FILE]

Trains a text classifier from FILE (one "label<TAB>text" per line, any
labels; without FILE, a small embedded sample of 90 labelled posts),
prints its k-fold cross-validated accuracy, macro-recall and macro-F1,
and writes the model with -o.

flags:
`

// exit codes
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		k    = fs.Int("k", 5, "cross-validation folds, 2 or more (0: skip cross-validation)")
		seed = fs.Uint64("seed", 1, "seed for the folds and the training order")
		lang = fs.String("lang", "", "language of the texts (ISO 639-1, e.g. en), recorded in the model")
		out  = fs.String("o", "", "write the model to `MODEL` (default: do not write)")
		bits = fs.Int("bits", 0, "log2 of the hash buckets, 10..22 (0: 18)")
	)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "train: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case fs.NArg() > 1:
		return bad("want at most one FILE, got %q", fs.Args())
	case *k < 0 || *k == 1:
		return bad("-k %d: want 0 (no cross-validation) or 2 or more folds", *k)
	case *bits != 0 && (*bits < 10 || *bits > 22):
		return bad("-bits %d: want 10..22", *bits)
	case len(*lang) > 35:
		return bad("-lang %q: not a language tag", *lang)
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "train:", err)
		return exitError
	}
	name, data := "embedded sample.tsv", sample
	if fs.NArg() == 1 {
		name = fs.Arg(0)
		b, err := os.ReadFile(name)
		if err != nil {
			return fail(err)
		}
		data = b
	}
	examples, err := parse(data)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", name, err))
	}
	fmt.Fprintf(stdout, "%s: %d examples: %s\n", name, len(examples), counts(examples))

	cfg := linear.Config{Seed: *seed, Lang: *lang, Features: linear.Features{Bits: *bits}}
	if *k > 0 {
		start := time.Now()
		m, err := interruptible(ctx, func() (linear.Metrics, error) { return linear.CrossValidate(examples, cfg, *k, *seed) })
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%d-fold cross-validation: accuracy %.4f, macro-recall %.4f, macro-F1 %.4f (%v)\n",
			*k, m.Accuracy(), m.MacroRecall(), m.MacroF1(), time.Since(start).Round(time.Millisecond))
		for c, l := range m.Labels {
			fmt.Fprintf(stdout, "  %-12s recall %.3f  precision %.3f  F1 %.3f\n", l, m.Recall(c), m.Precision(c), m.F1(c))
		}
	}
	if *out == "" {
		fmt.Fprintln(stdout, "no model written (use -o MODEL)")
		return exitOK
	}
	start := time.Now()
	model, err := interruptible(ctx, func() (*linear.Model, error) { return linear.Train(examples, cfg) })
	if err != nil {
		return fail(err)
	}
	b, err := model.MarshalBinary()
	if err != nil {
		return fail(err)
	}
	if err := writeFile(*out, b); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "trained on all %d examples in %v; wrote %s (%d bytes, labels %s)\n",
		len(examples), time.Since(start).Round(time.Millisecond), *out, len(b), strings.Join(model.Labels(), ", "))
	return exitOK
}

// interruptible runs f, returning early with ctx's error when ctx is done
// first (training cannot be stopped midway; the program exits instead).
func interruptible[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("interrupted: %w", context.Cause(ctx))
	}
}

// parse reads label<TAB>text lines.
func parse(data []byte) ([]linear.Example, error) {
	var out []linear.Example
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || n == 1 && line == "label\ttext" {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("line %d: no tab between label and text", n)
		}
		label = strings.TrimSpace(label)
		if label == "" {
			return nil, fmt.Errorf("line %d: empty label", n)
		}
		out = append(out, linear.Example{Text: text, Label: label})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no examples")
	}
	return out, nil
}

// counts says how many examples each label has.
func counts(ex []linear.Example) string {
	n := map[string]int{}
	for _, e := range ex {
		n[e.Label]++
	}
	labels := make([]string, 0, len(n))
	for l := range n {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = fmt.Sprintf("%d %s", n[l], l)
	}
	return strings.Join(parts, ", ")
}

// writeFile writes b to path through a temporary file in the same folder,
// so that path holds a whole model or is left as it was.
func writeFile(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".train-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
