package listen_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/langid"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// fakeDetect calls every text with "hola" Spanish and knows nothing else.
func fakeDetect(text string) string {
	if strings.Contains(text, "hola") {
		return "es"
	}
	return ""
}

func TestDetectLang(t *testing.T) {
	src := listen.DetectLang(listentest.Static(
		listen.Post{Platform: "x", ID: "1", Text: "hola amigos"},
		listen.Post{Platform: "x", ID: "2", Text: "hola", Lang: "pt-BR"},
		listen.Post{Platform: "x", ID: "3", Text: "??"},
		listen.Post{Platform: "x", ID: "4", Kind: listen.KindDelete},
	), fakeDetect)
	var got []string
	for p, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		got = append(got, fmt.Sprintf("%s %q %v", p.ID, p.Lang, p.LangDetected))
	}
	assert.Equal(t, []string{
		`1 "es" true`,     // detected
		`2 "pt-BR" false`, // the platform's tag is kept
		`3 "" false`,      // the detector could not tell
		`4 "" false`,      // no text
	}, got)
}

func TestDetectLangPassesErrorsAndStops(t *testing.T) {
	boom := errors.New("boom")
	src := listen.SourceFunc(func(context.Context) iter.Seq2[listen.Post, error] {
		return func(yield func(listen.Post, error) bool) {
			if !yield(listen.Post{ID: "1", Text: "hola"}, nil) {
				return
			}
			yield(listen.Post{}, boom)
		}
	})
	var errs []error
	for _, err := range listen.DetectLang(src, fakeDetect).Posts(context.Background()) {
		errs = append(errs, err)
	}
	assert.Equal(t, []error{nil, boom}, errs)

	n := 0
	for range listen.DetectLang(src, fakeDetect).Posts(context.Background()) {
		n++
		break
	}
	assert.Equal(t, 1, n)
	assert.Panics(t, func() { listen.DetectLang(nil, fakeDetect) })
	assert.Panics(t, func() { listen.DetectLang(src, nil) })
}

func TestDetectLangConformance(t *testing.T) {
	listentest.Run(t, func(*testing.T) listen.Source {
		return listen.DetectLang(listentest.Static(
			listen.Post{Platform: "x", ID: "1", Text: "hola"},
			listen.Post{Platform: "x", ID: "2", Text: "hello"},
			listen.Post{Platform: "x", ID: "3", Text: "hola", Lang: "es-MX"},
		), fakeDetect)
	})
}

func ExampleDetectLang() {
	src := listentest.Static(
		listen.Post{Platform: "reddit", ID: "1", Text: "Der Kundendienst antwortet einfach nicht"},
		listen.Post{Platform: "mastodon", ID: "2", Text: "Customer service never answers", Lang: "en"},
		listen.Post{Platform: "hackernews", ID: "3", Text: "El servicio al cliente nunca contesta"},
	)
	d := langid.New()
	for p, err := range listen.DetectLang(src, d.Detect).Posts(context.Background()) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(p.Key(), p.Lang, p.LangDetected)
	}
	// Output:
	// reddit:1 de true
	// mastodon:2 en false
	// hackernews:3 es true
}
