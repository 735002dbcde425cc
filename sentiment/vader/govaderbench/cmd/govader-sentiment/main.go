// Command govader-sentiment is what a Go developer would write with
// github.com/jonreiter/govader to do what examples/sentiment does: it
// reads lines of text on standard input and writes one JSON object per
// line (text, label, compound, pos, neu, neg) to standard output, through
// a bufio.Scanner, govader's PolarityScores and encoding/json, with
// buffered output. BenchmarkProgram compares the two programs.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/jonreiter/govader"
)

type line struct {
	Text     string  `json:"text"`
	Label    string  `json:"label"`
	Compound float64 `json:"compound"`
	Pos      float64 `json:"pos"`
	Neu      float64 `json:"neu"`
	Neg      float64 `json:"neg"`
}

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, "usage: govader-sentiment < lines.txt\n\nScores each line of standard input with govader and writes one JSON object per line.")
		if os.Args[1] == "-h" || os.Args[1] == "-help" || os.Args[1] == "--help" {
			return
		}
		os.Exit(2)
	}
	g := govader.NewSentimentIntensityAnalyzer()
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(nil, 1<<20)
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		s := g.PolarityScores(sc.Text())
		label := "neutral"
		switch {
		case s.Compound >= 0.05:
			label = "positive"
		case s.Compound <= -0.05:
			label = "negative"
		}
		if err := enc.Encode(line{sc.Text(), label, s.Compound, s.Positive, s.Neutral, s.Negative}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
