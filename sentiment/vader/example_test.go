package vader_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

func Example() {
	s := vader.New() // build once, share between goroutines
	for _, text := range []string{
		"The book was good.",
		"The plot was good, but the characters are uncompelling and the dialog is not great.",
		"Catch utf-8 emoji such as 💘 and 💋 and 😁",
	} {
		sc, _ := s.Score(context.Background(), text)
		fmt.Printf("%.4f pos=%.3f neu=%.3f neg=%.3f %s\n", sc.Compound, sc.Positive, sc.Neutral, sc.Negative, sc.Polarity())
	}
	// Output:
	// 0.4404 pos=0.492 neu=0.508 neg=0.000 positive
	// -0.7042 pos=0.094 neu=0.579 neg=0.327 negative
	// 0.8750 pos=0.417 neu=0.583 neg=0.000 positive
}

// A cache in front of the scorer pays off on streams with reposts.
func Example_cached() {
	scorer := sentiment.Cached(vader.New(), 10_000)
	var mood sentiment.Mean
	for _, text := range []string{"love it", "love it", "meh, it broke"} {
		if sc, err := scorer.Score(context.Background(), text); err == nil {
			mood.Add(sc)
		}
	}
	neg, neu, pos := mood.Shares()
	fmt.Printf("n=%d neg=%.2f neu=%.2f pos=%.2f\n", mood.N(), neg, neu, pos)
	// Output:
	// n=3 neg=0.33 neu=0.00 pos=0.67
}

// Domain terms and phrases: a brand's slang and its customers' words.
func ExampleWithTerms() {
	ctx := context.Background()
	s := vader.New(vader.WithTerms(map[string]float64{
		"price hike": -2.1,
		"bussin":     2.5,
	}))
	for _, text := range []string{"another price hike", "no price hike this year", "the new menu is bussin"} {
		sc, _ := s.Score(ctx, text)
		fmt.Printf("%+.4f %s\n", sc.Compound, text)
	}
	// Output:
	// -0.4767 another price hike
	// +0.3724 no price hike this year
	// +0.5423 the new menu is bussin
}

// A lexicon in VADER's text format, for a language or domain of its own.
func ExampleReadLexicon() {
	ctx := context.Background()
	lx, err := vader.ReadLexicon(strings.NewReader("stonks\t2.0\nrekt\t-2.5\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := vader.New(vader.WithLexicon(lx))
	up, _ := s.Score(ctx, "stonks only go up")
	rekt, _ := s.Score(ctx, "got rekt")
	fmt.Println(up.Compound, rekt.Compound)

	_, err = vader.ReadLexicon(strings.NewReader("good\t1.9\nbad\n"))
	fmt.Println(err)
	// Output:
	// 0.4588 -0.5423
	// vader: lexicon line 2: want token<TAB>valence, found no tab
}

// Social APIs often deliver escaped text; decoding is opt-in because the
// reference does not do it.
func ExampleWithHTMLEntities() {
	ctx := context.Background()
	text := "I &lt;3 my new phone"
	off, _ := vader.New().Score(ctx, text)
	on, _ := vader.New(vader.WithHTMLEntities(true)).Score(ctx, text)
	fmt.Println(off.Compound)
	fmt.Println(on.Compound)
	// Output:
	// 0
	// 0.4404
}

func ExampleScorer_Supports() {
	_, err := sentiment.ScoreLang(context.Background(), vader.New(), "Das Buch war gut.", "de")
	fmt.Println(err)
	// Output:
	// sentiment: language "de" is not supported
}
