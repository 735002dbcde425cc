package sentiment_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/earshot-dev/earshot/sentiment"
)

// A toy scorer standing in for vader.New(): positive when the text says
// "love", negative when it says "hate".
var toy = sentiment.ScorerFunc(func(_ context.Context, text string) (sentiment.Score, error) {
	switch {
	case strings.Contains(text, "love"):
		return sentiment.Score{Compound: 0.6, Positive: 0.5, Neutral: 0.5}, nil
	case strings.Contains(text, "hate"):
		return sentiment.Score{Compound: -0.6, Negative: 0.5, Neutral: 0.5}, nil
	}
	return sentiment.Score{Neutral: 1}, nil
})

func ExampleMean() {
	var mood sentiment.Mean
	for _, text := range []string{"I love it", "I hate the new lids", "I hate queues", "it's a café"} {
		s, _ := toy.Score(context.Background(), text)
		mood.Add(s)
	}
	neg, neu, pos := mood.Shares()
	fmt.Printf("%d posts: %.0f%% negative, %.0f%% neutral, %.0f%% positive, mean %+.2f\n",
		mood.N(), 100*neg, 100*neu, 100*pos, mood.Score().Compound)
	// Output:
	// 4 posts: 50% negative, 25% neutral, 25% positive, mean -0.15
}

func ExampleScoreLang() {
	english := englishOnly{toy}
	_, err := sentiment.ScoreLang(context.Background(), english, "Ich liebe es", "de")
	fmt.Println(errors.Is(err, sentiment.ErrUnsupportedLanguage), err)
	s, _ := sentiment.ScoreLang(context.Background(), english, "I love it", "en-GB")
	fmt.Println(s.Polarity())
	// Output:
	// true sentiment: language "de" is not supported
	// positive
}

// englishOnly reports that it scores only English, as vader.Scorer does.
type englishOnly struct{ sentiment.Scorer }

func (englishOnly) Supports(lang string) bool { return sentiment.IsEnglish(lang) }

func ExampleCached() {
	calls := 0
	counting := sentiment.ScorerFunc(func(ctx context.Context, text string) (sentiment.Score, error) {
		calls++
		return toy.Score(ctx, text)
	})
	s := sentiment.Cached(counting, 100)
	for range 5 {
		s.Score(context.Background(), "I love it") // a post and four reposts
	}
	// A text is kept from its second sighting on, so a text seen once
	// costs the cache no room.
	fmt.Println("scored", calls, "time(s)")
	// Output:
	// scored 2 time(s)
}
