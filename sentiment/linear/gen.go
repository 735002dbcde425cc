//go:build ignore

// gen trains the default model embedded by Default on the TweetEval
// validation split in ../shared/data (see internal/shared) and writes it.
// Run it with go generate in this directory; it needs the shared data.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

func main() {
	out := flag.String("o", "default.model", "output file")
	flag.Parse()
	dir := shared.Dir()
	if dir == "" {
		log.Fatalf("gen: shared evaluation data not found (../shared/data beside the repository, or $%s)", shared.Env)
	}
	texts := lines(filepath.Join(dir, "sentiment", "tweeteval", "val_text.txt"))
	labels := lines(filepath.Join(dir, "sentiment", "tweeteval", "val_labels.txt"))
	if len(texts) != len(labels) {
		log.Fatalf("gen: %d texts but %d labels", len(texts), len(labels))
	}
	ex := make([]linear.Example, len(texts))
	for i := range texts {
		l, err := strconv.Atoi(strings.TrimSpace(labels[i]))
		if err != nil || l < 0 || l > 2 {
			log.Fatalf("gen: label line %d: %q", i+1, labels[i])
		}
		ex[i] = linear.Example{Text: texts[i], Label: sentiment.Polarity(l - 1)}
	}
	cfg := linear.Config{Lang: "en", Seed: 1}
	cv, err := linear.CrossValidate(ex, cfg, 5, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("gen: TweetEval val 5-fold CV: %v\n", cv)
	m, err := linear.Train(ex, cfg)
	if err != nil {
		log.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("gen: wrote %s (%d bytes, %d examples)\n", *out, len(b), len(ex))
}

func lines(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	return strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n")
}
