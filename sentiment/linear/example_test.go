package linear_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/earshot-dev/earshot/sentiment/linear"
)

func Example() {
	// Users train on their own labelled posts; a few stand in here.
	posts := []linear.Example{
		{Text: "love the new update, great job", Label: linear.Positive},
		{Text: "thanks, the support team was brilliant", Label: linear.Positive},
		{Text: "app keeps crashing, awful", Label: linear.Negative},
		{Text: "worst release ever, so broken", Label: linear.Negative},
		{Text: "the update ships on tuesday", Label: linear.Neutral},
		{Text: "release notes are on the blog", Label: linear.Neutral},
	}
	m, err := linear.Train(posts, linear.Config{Seed: 1, Lang: "en"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Save and load it again.
	b, err := m.MarshalBinary()
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err = linear.Load(bytes.NewReader(b))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, text := range []string{"great update, thanks!", "so broken, awful", "notes for tuesday"} {
		s, _ := m.Score(context.Background(), text) // a polarity model is a sentiment.Scorer
		fmt.Printf("%-22q %s\n", text, s.Polarity())
	}
	// Output:
	// "great update, thanks!" positive
	// "so broken, awful"     negative
	// "notes for tuesday"    neutral
}

// Any labels: a model that routes posts to teams.
func ExampleModel_Predict() {
	posts := []linear.Example{
		{Text: "my card was charged twice", Label: "billing"},
		{Text: "refund still not on my card", Label: "billing"},
		{Text: "invoice shows the wrong amount", Label: "billing"},
		{Text: "parcel never arrived", Label: "delivery"},
		{Text: "the courier left it at the wrong door", Label: "delivery"},
		{Text: "tracking says delayed again", Label: "delivery"},
	}
	m, err := linear.Train(posts, linear.Config{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Labels())
	for _, text := range []string{"charged twice for one invoice", "courier lost my parcel"} {
		c, p := m.Predict(text)
		fmt.Printf("%s %v\n", m.Labels()[c], p > 0.5)
	}
	// Output:
	// [billing delivery]
	// billing true
	// delivery true
}

func ExampleTrain_errors() {
	_, err := linear.Train([]linear.Example{{Text: "fine", Label: "positive"}}, linear.Config{})
	fmt.Println(err)
	_, err = linear.Train([]linear.Example{{Text: "fine", Label: "positive"}, {Text: "bad", Label: ""}}, linear.Config{})
	fmt.Println(err)
	// Output:
	// linear: training examples have only one class (all 1 are "positive")
	// linear: mislabelled example 1: label "" is empty
}
