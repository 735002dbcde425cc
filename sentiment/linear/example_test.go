package linear_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

func Example() {
	// Users train on their own labelled posts; a few stand in here.
	posts := []linear.Example{
		{Text: "love the new update, great job", Label: sentiment.Positive},
		{Text: "thanks, the support team was brilliant", Label: sentiment.Positive},
		{Text: "app keeps crashing, awful", Label: sentiment.Negative},
		{Text: "worst release ever, so broken", Label: sentiment.Negative},
		{Text: "the update ships on tuesday", Label: sentiment.Neutral},
		{Text: "release notes are on the blog", Label: sentiment.Neutral},
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
		s, _ := m.Score(context.Background(), text)
		fmt.Printf("%-22q %s\n", text, s.Polarity())
	}
	// Output:
	// "great update, thanks!" positive
	// "so broken, awful"     negative
	// "notes for tuesday"    neutral
}

func ExampleTrain_errors() {
	_, err := linear.Train([]linear.Example{{Text: "fine", Label: sentiment.Positive}}, linear.Config{})
	fmt.Println(err)
	_, err = linear.Train([]linear.Example{{Text: "fine", Label: 3}}, linear.Config{})
	fmt.Println(err)
	// Output:
	// linear: training examples have only one class (all 1 are positive)
	// linear: mislabelled example 0: label 3 is not -1 (negative), 0 (neutral) or 1 (positive)
}

func ExampleDefault() {
	m := linear.Default() // pretrained on English tweets
	for _, text := range []string{"I love this so much, best day ever!", "This is the worst service, I hate it"} {
		p := m.Probabilities(text)
		fmt.Printf("%s (P(pos)>P(neg): %v)\n", p.Label(), p.Positive > p.Negative)
	}
	// Output:
	// positive (P(pos)>P(neg): true)
	// negative (P(pos)>P(neg): false)
}
