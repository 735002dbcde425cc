//go:build go1.24

package main

import (
	"encoding/csv"
	"os"
	"testing"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

// BenchmarkComplaintReasonsCV measures how well a sentiment/linear model
// with its default settings learns the airline tweets' complaint reasons:
// 5-fold stratified cross-validation over the negative tweets labelled
// with one of the nine reasons ("Can't Tell" left out). It trains five
// models (about 20 s), so it is a benchmark, not a test:
//
//	go test -run '^$' -bench ComplaintReasonsCV -benchtime 1x ./examples/voice
//
// It reports macro-F1, accuracy and macro-recall, logs every reason's
// figures, and fails below the target macro-F1 of 0.55.
func BenchmarkComplaintReasonsCV(b *testing.B) {
	f, err := os.Open(shared.Path(b, "airline/tweets.csv"))
	if err != nil {
		b.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	var ex []linear.Example
	for _, r := range recs[1:] {
		if r[1] == "negative" && r[2] != "" && r[2] != "Can't Tell" {
			ex = append(ex, linear.Example{Text: r[4], Label: r[2]})
		}
	}
	for b.Loop() {
		m, err := linear.CrossValidate(ex, linear.Config{}, 5, 1)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("complaint reasons, %d tweets, %d reasons, 5-fold CV: %v", len(ex), len(m.Labels), m)
		b.ReportMetric(m.MacroF1(), "macro-F1")
		b.ReportMetric(m.Accuracy(), "accuracy")
		b.ReportMetric(m.MacroRecall(), "macro-recall")
		if len(m.Labels) != 9 || m.MacroF1() < 0.55 {
			b.Fatalf("%d reasons, macro-F1 %.3f: want 9 and at least 0.55", len(m.Labels), m.MacroF1())
		}
	}
}
