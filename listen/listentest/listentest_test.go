package listentest_test

import (
	"testing"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// The suite accepts the sources it ships.
func TestRunOnStatic(t *testing.T) {
	listentest.Run(t, func(t *testing.T) listen.Source {
		return listentest.Static(
			listen.Post{Platform: "t", ID: "1"}, listen.Post{Platform: "t", ID: "2"},
			listen.Post{Platform: "t", ID: "3"}, listen.Post{Platform: "t", ID: "4"})
	})
}
