package emotion_test

import (
	"fmt"

	"github.com/earshot-dev/earshot/sentiment/emotion"
)

func Example() {
	m := emotion.Model()
	fmt.Println(m.Labels())
	for _, text := range []string{
		"I can't stop smiling, best day ever!",
		"Furious. Third cancelled train this week and not a word from them",
		"Missing my grandma so much today",
	} {
		fmt.Println(m.Label(text))
	}
	// Output:
	// [anger joy optimism sadness]
	// joy
	// anger
	// sadness
}
