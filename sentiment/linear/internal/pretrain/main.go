// Command pretrain trains the models that earshot ships (packages
// sentiment/polarity, sentiment/emotion and sentiment/complaint) on the
// shared evaluation data in ../shared/data (or $EARSHOT_SHARED_DATA),
// reports their stratified 5-fold cross-validated accuracy, macro-recall
// and macro-F1 on the training data, and writes the model file. The
// generate directives of those packages run it:
//
//	go run ./sentiment/linear/internal/pretrain -o FILE NAME
//
// NAME is one of the models listed by -h. Each model's data and settings
// are fixed here, so the same command gives the same file, byte for byte.
// The validation splits (TweetEval val, emotion val, multilingual val) are
// never read: they are for the final report only (see the models'
// BenchmarkHeldOut).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pretrain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "where to write the model (required)")
	k := fs.Int("k", 5, "cross-validation folds (0: skip)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: pretrain -o FILE NAME\n\nTrains one of earshot's shipped models on the shared data and writes it.\nNAME: %s\n\nflags:\n", strings.Join(names(), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 || *out == "" || *k < 0 || *k == 1 {
		fs.Usage()
		return 2
	}
	rec, ok := recipes[fs.Arg(0)]
	if !ok {
		fmt.Fprintf(stderr, "pretrain: unknown model %q (want one of %s)\n", fs.Arg(0), strings.Join(names(), ", "))
		return 2
	}
	dir := shared.Dir()
	if dir == "" {
		fmt.Fprintf(stderr, "pretrain: shared evaluation data not found (../shared/data beside the repository, or $%s)\n", shared.Env)
		return 1
	}
	ex, err := rec.data(dir)
	if err != nil {
		fmt.Fprintln(stderr, "pretrain:", err)
		return 1
	}
	fmt.Fprintf(stdout, "pretrain %s: %d examples (%s)\n", fs.Arg(0), len(ex), rec.source)
	if *k > 0 {
		start := time.Now()
		m, err := linear.CrossValidate(ex, rec.cfg, *k, 1)
		if err != nil {
			fmt.Fprintln(stderr, "pretrain:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%d-fold CV: %v (%v)\n", *k, m, time.Since(start).Round(time.Second))
	}
	m, err := linear.Train(ex, rec.cfg)
	if err != nil {
		fmt.Fprintln(stderr, "pretrain:", err)
		return 1
	}
	b, err := m.MarshalBinary()
	if err != nil {
		fmt.Fprintln(stderr, "pretrain:", err)
		return 1
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(stderr, "pretrain:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(b))
	return 0
}

func names() []string {
	var out []string
	for n := range recipes {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
