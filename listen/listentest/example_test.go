package listentest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func ExampleFailing() {
	src := listentest.Failing(errors.New("listen: test: boom"),
		listen.Post{Platform: "test", ID: "1"})
	for p, err := range src.Posts(context.Background()) {
		if err != nil {
			fmt.Println("final error:", err)
			break
		}
		fmt.Println("post", p.Key())
	}
	// Output:
	// post test:1
	// final error: listen: test: boom
}
