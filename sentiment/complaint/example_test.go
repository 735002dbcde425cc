package complaint_test

import (
	"fmt"

	"github.com/earshot-dev/earshot/sentiment/complaint"
)

func Example() {
	for _, text := range []string{
		"@acme my parcel still hasn't arrived and nobody answers",
		"@acme thanks, the new jacket fits perfectly",
	} {
		fmt.Println(complaint.Is(text))
	}
	// Output:
	// true
	// false
}
