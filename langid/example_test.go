package langid_test

import (
	"fmt"

	"github.com/earshot-dev/earshot/langid"
)

func Example() {
	d := langid.New() // build once, share: safe for concurrent use
	for _, text := range []string{
		"The new update broke my phone again",
		"La nueva actualización me rompió el teléfono otra vez",
		"Das neue Update hat mein Handy schon wieder kaputt gemacht",
		"naya update aane ke baad phone phir se kharab ho gaya yaar",
		"التحديث الجديد عطل هاتفي مرة أخرى",
		"🙄🙄",
	} {
		fmt.Printf("%q\n", d.Detect(text))
	}
	// Output:
	// "en"
	// "es"
	// "de"
	// "hi"
	// "ar"
	// ""
}
