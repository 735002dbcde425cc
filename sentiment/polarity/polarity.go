package polarity

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

//go:generate go run ../linear/internal/pretrain -o en.model polarity-en
//go:generate go run ../linear/internal/pretrain -o ar.model polarity-ar
//go:generate go run ../linear/internal/pretrain -o de.model polarity-de
//go:generate go run ../linear/internal/pretrain -o es.model polarity-es
//go:generate go run ../linear/internal/pretrain -o fr.model polarity-fr
//go:generate go run ../linear/internal/pretrain -o hi.model polarity-hi
//go:generate go run ../linear/internal/pretrain -o it.model polarity-it
//go:generate go run ../linear/internal/pretrain -o pt.model polarity-pt
//go:generate go run ../linear/internal/pretrain -o multi.model polarity-multi

//go:embed *.model
var files embed.FS

// lazy decodes one embedded model on first use.
type lazy struct {
	file string
	once sync.Once
	m    *linear.Model
}

func (l *lazy) model() *linear.Model {
	l.once.Do(func() {
		b, err := files.ReadFile(l.file)
		if err == nil {
			l.m, err = linear.Load(bytes.NewReader(b))
		}
		if err != nil {
			panic(fmt.Sprintf("polarity: embedded model %s: %v", l.file, err)) // a build problem
		}
	})
	return l.m
}

// models are the language models by ISO 639-1 code; read-only.
var models = map[string]*lazy{
	"ar": {file: "ar.model"}, "de": {file: "de.model"}, "en": {file: "en.model"}, "es": {file: "es.model"},
	"fr": {file: "fr.model"}, "hi": {file: "hi.model"}, "it": {file: "it.model"}, "pt": {file: "pt.model"},
}

var multi = &lazy{file: "multi.model"}

// English returns the pretrained English polarity model, trained on the
// 47,387 tweets of SemEval-2017 Task 4A 2013-2016. It is decoded on first
// use (a few milliseconds) and shared; like every [*linear.Model] it is
// safe for concurrent use, and it is a [sentiment.Scorer].
func English() *linear.Model { return models["en"].model() }

// For returns the pretrained polarity model for the language lang, an ISO
// 639-1 code or a BCP 47 tag ("de", "pt-BR"), and whether there is one.
// An empty lang means English.
func For(lang string) (*linear.Model, bool) {
	p := primary(lang)
	if p == "" {
		p = "en"
	}
	l, ok := models[p]
	if !ok {
		return nil, false
	}
	return l.model(), true
}

// Multilingual returns the model trained on the tweets of all the
// languages with a model together. [Scorer] falls back on it for other
// languages: it knows emoji, emoticons, names and words that languages
// share, and nothing of the language itself.
func Multilingual() *linear.Model { return multi.model() }

// Languages lists the ISO 639-1 codes of the languages with a pretrained
// model, sorted.
func Languages() []string {
	out := make([]string, 0, len(models))
	for code := range models {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

func primary(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}

// Scorer scores polarity with the pretrained model of each text's
// language. It implements [sentiment.Scorer] (for text of unknown
// language, scored as English), [sentiment.LanguageScorer] (so
// [sentiment.ScoreLang] routes by language) and
// [sentiment.LanguageReporter].
//
// The zero value is ready to use and safe for concurrent use; models are
// decoded the first time a language is scored.
type Scorer struct {
	// Strict makes ScoreLang fail with a [*sentiment.LanguageError] for a
	// language without a model of its own, instead of scoring with the
	// [Multilingual] model.
	Strict bool
}

// New returns a Scorer that falls back on the [Multilingual] model.
func New() *Scorer { return &Scorer{} }

// Score scores text as English.
func (s *Scorer) Score(ctx context.Context, text string) (sentiment.Score, error) {
	return English().Score(ctx, text)
}

// ScoreLang scores text with the model for lang: the language's own
// (English for ""), else the [Multilingual] model, or with Strict an error
// wrapping [sentiment.ErrUnsupportedLanguage].
func (s *Scorer) ScoreLang(ctx context.Context, text, lang string) (sentiment.Score, error) {
	if m, ok := For(lang); ok {
		return m.Score(ctx, text)
	}
	if s.Strict {
		return sentiment.Score{}, &sentiment.LanguageError{Lang: lang}
	}
	return Multilingual().Score(ctx, text)
}

// Supports reports whether lang has a model of its own (measured on that
// language's tweets), or is "" (unknown, scored as English). It is false
// for languages that ScoreLang scores with the fallback model.
func (s *Scorer) Supports(lang string) bool {
	_, ok := models[primary(lang)]
	return ok || lang == ""
}
