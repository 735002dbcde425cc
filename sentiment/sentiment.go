package sentiment

import (
	"context"
	"errors"
	"fmt"
)

// Score is a text's sentiment in VADER's four figures, so users moving from
// Python keep their numbers. Compound is in [-1, 1]; Positive, Neutral and
// Negative are proportions that sum to about 1 (all zero for empty text).
type Score struct {
	Compound float64 `json:"compound"`
	Positive float64 `json:"pos"`
	Neutral  float64 `json:"neu"`
	Negative float64 `json:"neg"`
}

// Polarity is a three-way label.
type Polarity int8

const (
	Negative Polarity = -1
	Neutral  Polarity = 0
	Positive Polarity = 1
)

func (p Polarity) String() string {
	switch p {
	case Negative:
		return "negative"
	case Positive:
		return "positive"
	}
	return "neutral"
}

// Polarity labels the score with VADER's customary thresholds: compound
// >= 0.05 is positive, <= -0.05 negative, neutral in between.
func (s Score) Polarity() Polarity {
	switch {
	case s.Compound >= 0.05:
		return Positive
	case s.Compound <= -0.05:
		return Negative
	}
	return Neutral
}

// Scorer scores the sentiment of a text. Implementations are safe for
// concurrent use. ctx is there because some scorers are remote; local
// scorers ignore it. Batching, where a scorer offers it, is an optional
// ScoreBatch method found by type assertion.
type Scorer interface {
	Score(ctx context.Context, text string) (Score, error)
}

// ScorerFunc adapts a function to a [Scorer].
type ScorerFunc func(ctx context.Context, text string) (Score, error)

// Score calls f(ctx, text).
func (f ScorerFunc) Score(ctx context.Context, text string) (Score, error) { return f(ctx, text) }

// ErrUnsupportedLanguage is returned (wrapped in a [LanguageError]) by a
// scorer asked to score text in a language it does not support, instead of
// a confident neutral score.
var ErrUnsupportedLanguage = errors.New("sentiment: unsupported language")

// LanguageError names the language a scorer does not support. It unwraps to
// [ErrUnsupportedLanguage].
type LanguageError struct {
	Lang string // the BCP 47 tag that was asked for
}

func (e *LanguageError) Error() string {
	return fmt.Sprintf("sentiment: language %q is not supported", e.Lang)
}

func (e *LanguageError) Unwrap() error { return ErrUnsupportedLanguage }

// Mean accumulates scores and reports their average. The zero value is an
// empty mean; it is not safe for concurrent use.
type Mean struct {
	n   int
	sum Score
	neg int
	pos int
}

// Add adds one score.
func (m *Mean) Add(s Score) {
	m.n++
	m.sum.Compound += s.Compound
	m.sum.Positive += s.Positive
	m.sum.Neutral += s.Neutral
	m.sum.Negative += s.Negative
	switch s.Polarity() {
	case Negative:
		m.neg++
	case Positive:
		m.pos++
	}
}

// N returns how many scores were added.
func (m *Mean) N() int { return m.n }

// Score returns the mean of the scores added, or the zero Score if none.
func (m *Mean) Score() Score {
	if m.n == 0 {
		return Score{}
	}
	n := float64(m.n)
	return Score{m.sum.Compound / n, m.sum.Positive / n, m.sum.Neutral / n, m.sum.Negative / n}
}

// Shares returns the fractions of scores that were negative, neutral and
// positive by [Score.Polarity].
func (m *Mean) Shares() (neg, neu, pos float64) {
	if m.n == 0 {
		return 0, 0, 0
	}
	n := float64(m.n)
	return float64(m.neg) / n, float64(m.n-m.neg-m.pos) / n, float64(m.pos) / n
}

// LanguageReporter is implemented by scorers that support only some
// languages. Supports reports whether text tagged lang (a BCP 47 tag, such
// as a post's Lang) can be scored; "" means unknown and is always allowed.
type LanguageReporter interface {
	Supports(lang string) bool
}

// LanguageScorer is implemented by scorers that choose how to score by
// language, such as one model per language. ScoreLang scores text tagged
// lang (an ISO 639-1 code or a BCP 47 tag; "" means unknown) and returns
// an error wrapping [ErrUnsupportedLanguage] for a language it cannot
// score.
type LanguageScorer interface {
	ScoreLang(ctx context.Context, text, lang string) (Score, error)
}

// ScoreLang scores text tagged with language lang. If s implements
// [LanguageScorer], s chooses (for example the model for that language).
// Otherwise, if s implements [LanguageReporter] and does not support lang,
// it returns a [*LanguageError] instead of a score that would look
// confidently neutral.
func ScoreLang(ctx context.Context, s Scorer, text, lang string) (Score, error) {
	if ls, ok := s.(LanguageScorer); ok {
		return ls.ScoreLang(ctx, text, lang)
	}
	if lr, ok := s.(LanguageReporter); ok && lang != "" && !lr.Supports(lang) {
		return Score{}, &LanguageError{Lang: lang}
	}
	return s.Score(ctx, text)
}

// IsEnglish reports whether the BCP 47 tag lang is English or unknown ("").
// English-only scorers use it to implement [LanguageReporter].
func IsEnglish(lang string) bool {
	if lang == "" {
		return true
	}
	if len(lang) >= 2 && (lang[0]|0x20) == 'e' && (lang[1]|0x20) == 'n' {
		return len(lang) == 2 || lang[2] == '-' || lang[2] == '_'
	}
	return false
}
