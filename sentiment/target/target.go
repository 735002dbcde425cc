package target

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/sentiment"
)

// ErrAbsent is returned when a text does not mention the target at all, so
// that "not about us" is never mistaken for "neutral about us".
var ErrAbsent = errors.New("target: target not mentioned")

// defaultWindow is the number of words taken on each side of a mention
// when Scorer.Window is zero.
const defaultWindow = 6

// Scorer scores the sentiment of texts towards one target: a brand,
// product or account, known by a name and aliases.
//
// For each mention it takes the clause around it (clauses end at sentence
// punctuation, ";", line breaks and contrast words such as "but" and
// "however"), keeps at most Window words on each side of the mention,
// removes the mention itself, and scores what is left with the wrapped
// scorer. Several mentions are averaged. A text without a mention gives
// [ErrAbsent].
//
// Names match case-insensitively, on word boundaries, with an optional
// "@" or "#" in front and an optional possessive "'s" after, so "acme"
// matches "Acme", "@acme", "#ACME" and "Acme's" but not "acmestore".
// Names of several words match with any spacing ("acme  corp").
//
// A Scorer is safe for concurrent use if its fields are not changed after
// first use. The zero value has no target and reports every text absent.
type Scorer struct {
	Scorer sentiment.Scorer // scores each snippet; required
	Names  []string         // the target's name and aliases; "@" and "#" prefixes are ignored
	Window int              // words on each side of a mention; 0 means 6
}

// New returns a Scorer for the target called name (and aliases) that
// delegates to s. It panics if s is nil.
func New(s sentiment.Scorer, name string, aliases ...string) *Scorer {
	if s == nil {
		panic("target: New with nil scorer")
	}
	return &Scorer{Scorer: s, Names: append([]string{name}, aliases...)}
}

// Mention is one occurrence of the target in a text.
type Mention struct {
	Start, End int    // byte offsets of the mention, prefix and "'s" included
	Context    string // the text scored for this mention (mention removed)
}

// Score implements [sentiment.Scorer]: the mean score of the snippets
// around the target's mentions, or [ErrAbsent] (with the zero Score) if
// the target is not mentioned. Errors of the wrapped scorer are returned
// as they are.
func (t *Scorer) Score(ctx context.Context, text string) (sentiment.Score, error) {
	ms := t.Mentions(text)
	if len(ms) == 0 {
		return sentiment.Score{}, ErrAbsent
	}
	var mean sentiment.Mean
	seen := make(map[string]bool, len(ms))
	for _, m := range ms {
		if seen[m.Context] {
			continue // several mentions in one snippet count once
		}
		seen[m.Context] = true
		s, err := t.Scorer.Score(ctx, m.Context)
		if err != nil {
			return sentiment.Score{}, err
		}
		mean.Add(s)
	}
	return mean.Score(), nil
}

// Supports implements [sentiment.LanguageReporter] by asking the wrapped
// scorer, if it reports languages.
func (t *Scorer) Supports(lang string) bool {
	if lr, ok := t.Scorer.(sentiment.LanguageReporter); ok {
		return lr.Supports(lang)
	}
	return true
}

// Mentions returns the target's mentions in text, in order, each with the
// snippet that [Scorer.Score] would score.
func (t *Scorer) Mentions(text string) []Mention {
	spans := t.find(text)
	if len(spans) == 0 {
		return nil
	}
	window := t.Window
	if window <= 0 {
		window = defaultWindow
	}
	out := make([]Mention, 0, len(spans))
	for _, sp := range spans {
		cs, ce := clause(text, sp[0], sp[1])
		before := lastWords(text[cs:sp[0]], window)
		after := firstWords(text[sp[1]:ce], window)
		ctx := strings.Join(strings.Fields(before+" "+after), " ")
		out = append(out, Mention{Start: sp[0], End: sp[1], Context: ctx})
	}
	return out
}

// Mentioned reports whether text mentions the target.
func (t *Scorer) Mentioned(text string) bool { return len(t.find(text)) > 0 }

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// find returns the byte spans of the target's mentions, not overlapping.
func (t *Scorer) find(text string) [][2]int {
	var spans [][2]int
	// Longer names first, so "acme corp" wins over "acme" where both match.
	names := slices.Clone(t.Names)
	slices.SortStableFunc(names, func(a, b string) int { return len(b) - len(a) })
	for _, name := range names {
		words := strings.Fields(strings.TrimLeft(strings.TrimSpace(name), "@#"))
		if len(words) == 0 {
			continue
		}
		for i := 0; i < len(text); {
			end, ok := matchAt(text, i, words)
			if !ok {
				_, n := utf8.DecodeRuneInString(text[i:])
				i += n
				continue
			}
			start := i
			if start > 0 && (text[start-1] == '@' || text[start-1] == '#') {
				start--
			}
			spans = addSpan(spans, [2]int{start, end})
			i = end
		}
	}
	return spans
}

// matchAt reports whether the words match text at i on word boundaries,
// returning the end of the match, with a possessive "'s" taken in.
func matchAt(text string, i int, words []string) (int, bool) {
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		if isWordRune(r) {
			return 0, false
		}
	}
	j := i
	for k, w := range words {
		if k > 0 {
			s := j
			for j < len(text) && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '-') {
				j++
			}
			if j == s {
				return 0, false
			}
		}
		if len(text)-j < len(w) || !strings.EqualFold(text[j:j+len(w)], w) {
			// EqualFold on equal byte lengths covers ASCII and most
			// scripts; names whose case forms differ in length are rare.
			return 0, false
		}
		j += len(w)
	}
	if j < len(text) {
		r, _ := utf8.DecodeRuneInString(text[j:])
		if isWordRune(r) {
			return 0, false
		}
		for _, p := range []string{"'s", "’s", "'", "’"} {
			if strings.HasPrefix(text[j:], p) {
				k := j + len(p)
				if k == len(text) {
					return k, true
				}
				if r, _ := utf8.DecodeRuneInString(text[k:]); !isWordRune(r) {
					return k, true
				}
			}
		}
	}
	return j, true
}

func addSpan(spans [][2]int, s [2]int) [][2]int {
	for _, o := range spans {
		if s[0] < o[1] && o[0] < s[1] {
			return spans // overlaps an earlier (longer or first) name
		}
	}
	// keep spans sorted by start
	i := len(spans)
	for i > 0 && spans[i-1][0] > s[0] {
		i--
	}
	spans = append(spans, [2]int{})
	copy(spans[i+1:], spans[i:])
	spans[i] = s
	return spans
}

// contrast words start a new clause: what follows them is about something
// else, or overrides what came before.
var contrast = map[string]bool{
	"but": true, "however": true, "although": true, "though": true, "whereas": true,
	"yet": true, "except": true, "while": true, "unlike": true, "meanwhile": true,
	"otherwise": true, "nevertheless": true, "nonetheless": true, "tho": true,
}

// subordinators open a clause that a comma closes: "although X, Y".
var subordinators = map[string]bool{
	"although": true, "though": true, "while": true, "whereas": true, "unlike": true, "tho": true,
}

// clause returns the bounds of the clause holding text[start:end].
func clause(text string, start, end int) (int, int) {
	cs, opener := 0, ""
	for i := start - 1; i >= 0; i-- {
		if b, n := boundaryBefore(text, i); b {
			cs = i + n
			opener = strings.ToLower(text[i : i+n])
			break
		}
	}
	ce := len(text)
	for i := end; i < len(text); i++ {
		if b, _ := boundaryBefore(text, i); b {
			ce = i
			break
		}
	}
	if subordinators[opener] {
		// "although Beta is awful, Acme is great": a comma between the
		// opener and the mention ends the subordinate clause; otherwise
		// the mention is inside it, and the next comma ends it.
		if c := strings.LastIndexByte(text[cs:start], ','); c >= 0 {
			cs += c + 1
		} else if c := strings.IndexByte(text[end:ce], ','); c >= 0 {
			ce = end + c
		}
	}
	return cs, ce
}

// boundaryBefore reports whether a clause boundary starts at text[i], and
// its length: sentence punctuation followed by a space or the end, ";",
// a line break, or a contrast word.
func boundaryBefore(text string, i int) (bool, int) {
	switch c := text[i]; c {
	case ';', '\n', '|':
		return true, 1
	case '.', '!', '?':
		if i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n' || text[i+1] == '.' || text[i+1] == '!' || text[i+1] == '?' || text[i+1] == '"' {
			return true, 1
		}
	}
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(text[:i]); isWordRune(r) {
			return false, 0
		}
	}
	j := i
	for j < len(text) && j-i < 13 && (text[j]|0x20 >= 'a' && text[j]|0x20 <= 'z') {
		j++
	}
	if j == i || j-i > 12 {
		return false, 0
	}
	if j < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[j:]); isWordRune(r) {
			return false, 0
		}
	}
	if contrast[strings.ToLower(text[i:j])] {
		return true, j - i
	}
	return false, 0
}

func lastWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[len(f)-n:]
	}
	return strings.Join(f, " ")
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}
