// Command train trains a sentiment model (package sentiment/linear) from a
// labelled file, reports its stratified k-fold cross-validated accuracy and
// macro-averaged recall, and writes the model file for use with
// linear.Load (or examples/sentiment -model FILE).
//
// Usage:
//
//	train [flags] FILE
//
// FILE is a TSV (the default) or CSV (by extension .csv, or -csv) file with
// a text column and a label column. By default the label column is the
// first whose every value is a label (a column of distinct integers is
// taken for IDs) and the text column is the last other one;
// -label and -text pick them by 1-based number. A header row is skipped
// when its label cell is not a label. Labels may be words (neg, negative,
// neu, neutral, pos, positive), -1/0/1, 0/1/2 (0 negative, 1 neutral,
// 2 positive), 0/1 (negative/positive), or ratings with decimals, which
// become positive above +threshold and negative below -threshold. With
// -labels LABELS, FILE holds one text per line and LABELS one label per
// line (the TweetEval layout).
//
// Run with no file, it prints this usage and exits with status 2. To try it
// on the project's evaluation data:
//
//	go run ./examples/train -labels ../shared/data/sentiment/tweeteval/val_labels.txt ../shared/data/sentiment/tweeteval/val_text.txt
//	go run ./examples/train ../shared/data/sentiment/vader_tweets_groundtruth.tsv
package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/sentiment/linear"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		labelsFile = fs.String("labels", "", "file with one label per line; FILE then holds one text per line")
		textCol    = fs.Int("text", 0, "1-based text column (0: the last)")
		labelCol   = fs.Int("label", 0, "1-based label column (0: the first column of labels)")
		useCSV     = fs.Bool("csv", false, "read FILE as CSV (default: by extension, else TSV)")
		threshold  = fs.Float64("threshold", 0.2, "for decimal ratings: |rating| above which a text is positive or negative")
		k          = fs.Int("k", 5, "cross-validation folds (0: skip cross-validation)")
		seed       = fs.Uint64("seed", 1, "seed for folds and training")
		lang       = fs.String("lang", "en", "language of the texts, recorded in the model (\"\": unknown)")
		out        = fs.String("o", "sentiment.model", "where to write the model (\"\": do not write)")
		bits       = fs.Int("bits", 0, "log2 hash buckets (0: default)")
		chars      = fs.Int("chars", 0, "longest character n-gram (0: default, -1: none)")
		nb         = fs.Float64("nb", 0, "naive-Bayes smoothing of the n-gram scaling (0: default, -1: no scaling)")
		epochs     = fs.Int("epochs", 0, "training epochs (0: default)")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: train [flags] FILE\n\nTrains a sentiment model from a labelled TSV/CSV file, reports k-fold\ncross-validated accuracy and macro-averaged recall, and writes the model.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "train:", err)
		return 1
	}
	var examples []linear.Example
	var err error
	if *labelsFile != "" {
		examples, err = readParallel(fs.Arg(0), *labelsFile, *threshold)
	} else {
		examples, err = readTable(fs.Arg(0), *useCSV || strings.HasSuffix(strings.ToLower(fs.Arg(0)), ".csv"), *textCol, *labelCol, *threshold)
	}
	if err != nil {
		return fail(err)
	}
	var count [3]int
	for _, ex := range examples {
		count[ex.Label+1]++
	}
	fmt.Fprintf(stdout, "%d examples: %d negative, %d neutral, %d positive\n", len(examples), count[0], count[1], count[2])

	cfg := linear.Config{Seed: *seed, Lang: *lang, Epochs: *epochs, NaiveBayes: *nb,
		Features: linear.Features{Bits: *bits, CharMax: max(*chars, 0), NoChars: *chars < 0}}
	if *k > 0 {
		start := time.Now()
		m, err := linear.CrossValidate(examples, cfg, *k, *seed)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%d-fold cross-validation: accuracy %.4f, macro-recall %.4f (recall negative %.3f, neutral %.3f, positive %.3f) in %v\n",
			*k, m.Accuracy(), m.MacroRecall(), m.Recall(-1), m.Recall(0), m.Recall(1), time.Since(start).Round(time.Millisecond))
	}
	start := time.Now()
	model, err := linear.Train(examples, cfg)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "trained on all %d examples in %v\n", len(examples), time.Since(start).Round(time.Millisecond))
	if *out == "" {
		return 0
	}
	b, err := model.MarshalBinary()
	if err != nil {
		return fail(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(b))
	return 0
}

// readTable reads a TSV or CSV file of texts and labels.
func readTable(path string, isCSV bool, textCol, labelCol int, threshold float64) ([]linear.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows [][]string
	if isCSV {
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		if rows, err = r.ReadAll(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	} else {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := strings.TrimRight(sc.Text(), "\r")
			if line != "" {
				rows = append(rows, strings.Split(line, "\t"))
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return fromRows(rows, textCol, labelCol, threshold)
}

// fromRows picks the text and label columns (1-based; 0 means automatic)
// and parses the labels.
func fromRows(rows [][]string, textCol, labelCol int, threshold float64) ([]linear.Example, error) {
	if len(rows) == 0 {
		return nil, errors.New("no rows")
	}
	width := len(rows[len(rows)-1])
	if labelCol == 0 {
		for c := 1; c <= width && labelCol == 0; c++ {
			if c == textCol {
				continue
			}
			for _, skip := range []int{0, 1} { // with or without a header
				if len(rows) > skip && isLabelColumn(rows[skip:], c-1) {
					labelCol = c
					break
				}
			}
		}
		if labelCol == 0 {
			return nil, errors.New("no column holds labels only; pick one with -label")
		}
	}
	if textCol == 0 {
		textCol = width
		if textCol == labelCol {
			textCol--
		}
		if textCol < 1 {
			return nil, errors.New("no text column")
		}
	}
	body := rows
	if len(rows) > 1 && !isLabelColumn(rows[:1], labelCol-1) {
		body = rows[1:] // header
	}
	col := make([]string, len(body))
	texts := make([]string, len(body))
	for i, r := range body {
		if len(r) < textCol || len(r) < labelCol {
			return nil, fmt.Errorf("row %d has %d columns, need %d and %d", i+1, len(r), textCol, labelCol)
		}
		col[i], texts[i] = r[labelCol-1], r[textCol-1]
	}
	labels, err := ParseLabels(col, threshold)
	if err != nil {
		return nil, err
	}
	out := make([]linear.Example, len(texts))
	for i := range texts {
		out[i] = linear.Example{Text: texts[i], Label: labels[i]}
	}
	return out, nil
}

func isLabelColumn(rows [][]string, c int) bool {
	col := make([]string, 0, len(rows))
	for _, r := range rows {
		if c >= len(r) {
			return false
		}
		col = append(col, r[c])
	}
	if _, err := ParseLabels(col, 0.2); err != nil {
		return false
	}
	// A column of distinct integers is a column of IDs, not labels.
	if _, err := strconv.Atoi(strings.TrimSpace(col[0])); err == nil && len(col) >= 3 {
		seen := make(map[string]bool, len(col))
		for _, v := range col {
			if seen[v] || strings.Contains(v, ".") {
				return true
			}
			seen[v] = true
		}
		return false
	}
	return true
}

// readParallel reads one text per line from texts and one label per line
// from labels.
func readParallel(texts, labels string, threshold float64) ([]linear.Example, error) {
	t, err := lines(texts)
	if err != nil {
		return nil, err
	}
	l, err := lines(labels)
	if err != nil {
		return nil, err
	}
	if len(t) != len(l) {
		return nil, fmt.Errorf("%s has %d lines but %s has %d", texts, len(t), labels, len(l))
	}
	pl, err := ParseLabels(l, threshold)
	if err != nil {
		return nil, err
	}
	out := make([]linear.Example, len(t))
	for i := range t {
		out[i] = linear.Example{Text: t[i], Label: pl[i]}
	}
	return out, nil
}

func lines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	if s == "" {
		return nil, fmt.Errorf("%s is empty", path)
	}
	return strings.Split(s, "\n"), nil
}
