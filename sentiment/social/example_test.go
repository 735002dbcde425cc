package social_test

import (
	"context"
	"fmt"

	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

func Example() {
	s, v := social.New(), vader.New()
	for _, text := range []string{
		"#NotHappy with the update",
		"No problem, happy to help!",
		"soooo gooood 😍😍",
		"I don't know. Great show though",
		"@happy opens at https://example.com/love",
	} {
		sc, _ := s.Score(context.Background(), text)
		vc, _ := v.Score(context.Background(), text)
		fmt.Printf("social %-8s vader %-8s %s\n", sc.Polarity(), vc.Polarity(), text)
	}
	// Output:
	// social negative vader neutral  #NotHappy with the update
	// social positive vader positive No problem, happy to help!
	// social positive vader positive soooo gooood 😍😍
	// social positive vader negative I don't know. Great show though
	// social neutral  vader positive @happy opens at https://example.com/love
}

// A brand's own slang, and phrases that matter to it.
func ExampleWithTerms() {
	s := social.New(social.WithTerms(map[string]float64{
		"bussin":     2.5,
		"price hike": -2.1,
	}))
	for _, text := range []string{"the new menu is bussiiin", "another price hike smh"} {
		sc, _ := s.Score(context.Background(), text)
		fmt.Println(sc.Polarity(), text)
	}
	// Output:
	// positive the new menu is bussiiin
	// negative another price hike smh
}
