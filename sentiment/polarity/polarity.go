package polarity

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/earshot-dev/earshot/sentiment/linear"
)

//go:generate go run ../linear/internal/pretrain -o en.model polarity-en

//go:embed en.model
var enModel []byte

var english = sync.OnceValue(func() *linear.Model { return mustLoad("en.model", enModel) })

// English returns the pretrained English polarity model: labels
// "negative", "neutral" and "positive", trained on the 47,387 tweets of
// SemEval-2017 Task 4A 2013-2016. It is decoded on first use (a few
// milliseconds) and shared; like every [*linear.Model] it is safe for
// concurrent use, and it is a [sentiment.Scorer].
func English() *linear.Model { return english() }

func mustLoad(name string, b []byte) *linear.Model {
	m, err := linear.Load(bytes.NewReader(b))
	if err != nil {
		panic(fmt.Sprintf("polarity: embedded model %s: %v", name, err)) // a build problem
	}
	return m
}

// For returns the pretrained polarity model for the language lang, an ISO
// 639-1 code or a BCP 47 tag ("de", "pt-BR"), and whether there is one.
// An empty lang means English.
func For(lang string) (*linear.Model, bool) {
	switch primary(lang) {
	case "", "en":
		return English(), true
	}
	return nil, false
}

// Languages lists the ISO 639-1 codes of the languages with a pretrained
// model, sorted.
func Languages() []string { return []string{"en"} }

func primary(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}
