package polarity_test

import (
	"context"
	"fmt"

	"github.com/earshot-dev/earshot/sentiment/polarity"
)

func Example() {
	ctx := context.Background()
	m := polarity.English()
	for _, text := range []string{
		"Love the new update, everything feels faster!",
		"This is the worst service ever, I hate it",
		"The store opens at nine on Saturdays",
	} {
		sc, err := m.Score(ctx, text)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(sc.Polarity(), m.Label(text))
	}
	// Output:
	// positive positive
	// negative negative
	// neutral neutral
}
