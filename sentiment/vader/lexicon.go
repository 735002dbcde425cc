package vader

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync"

	"github.com/earshot-dev/earshot/sentiment/internal/vaderdata"
	"github.com/earshot-dev/earshot/sentiment/internal/wordtab"
)

// Lexicon maps tokens (lower case, as VADER looks them up) to their mean
// valence, on VADER's scale of about -4 to +4. A Lexicon is immutable once
// built and safe for concurrent use; share it between scorers.
type Lexicon struct {
	// tab holds the entries; only those flagged fLex belong to the
	// lexicon (the default lexicon shares its table with the scorer's
	// rule words).
	tab *table
	n   int // entries flagged fLex
}

// Valence returns the valence of a lower-case token and whether the
// lexicon has it.
func (l *Lexicon) Valence(token string) (float64, bool) {
	e := l.tab.get([]byte(token))
	return e.val, e.flags&fLex != 0
}

// Len returns the number of entries.
func (l *Lexicon) Len() int { return l.n }

// All yields every entry, in the order they were first read.
func (l *Lexicon) All() iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		l.tab.all(func(k string, e entry) bool { return e.flags&fLex == 0 || yield(k, e.val) })
	}
}

func (l *Lexicon) set(tok string, v float64) {
	if l.tab.get([]byte(tok)).flags&fLex == 0 {
		l.n++
	}
	l.tab.set(tok, entry{val: v, flags: fLex})
}

// ErrLexicon is the sentinel every [*LexiconError] unwraps to.
var ErrLexicon = errors.New("vader: invalid lexicon")

// LexiconError reports a malformed line of a lexicon read by
// [ReadLexicon]. It unwraps to [ErrLexicon].
type LexiconError struct {
	Line   int    // 1-based line number
	Reason string // what is wrong with it
}

func (e *LexiconError) Error() string {
	return fmt.Sprintf("vader: lexicon line %d: %s", e.Line, e.Reason)
}

func (e *LexiconError) Unwrap() error { return ErrLexicon }

// maxLexiconLine bounds one line of a lexicon file.
const maxLexiconLine = 1 << 20

// ReadLexicon reads a lexicon in VADER's text format: one entry per line,
// "token<TAB>mean valence", optionally followed by more tab-separated
// columns (the standard deviation and raw ratings of vader_lexicon.txt),
// which are ignored. As in the reference, each line is trimmed of
// surrounding white space first, blank lines are skipped and a repeated
// token keeps its last valence. A line without a valence, with a valence
// that is not a finite number, or longer than 1 MiB is reported as a
// [*LexiconError] that names the line; read errors are returned wrapped.
func ReadLexicon(r io.Reader) (*Lexicon, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLexiconLine)
	lex := &Lexicon{tab: newTable(1024)}
	line := 0
	for sc.Scan() {
		line++
		tok, val, err := vaderdata.ParseLexiconLine(sc.Text())
		if err != "" {
			return nil, &LexiconError{Line: line, Reason: err}
		}
		if tok == "" && val == 0 {
			continue // blank line
		}
		lex.set(strings.Clone(tok), val)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &LexiconError{Line: line + 1, Reason: "line longer than 1 MiB"}
		}
		return nil, fmt.Errorf("vader: read lexicon: %w", err)
	}
	return lex, nil
}

// base holds the default lexicon and emoji descriptions, decoded once per
// process from the embedded data (package vaderdata) and never modified
// afterwards.
type base struct {
	lex     *Lexicon
	entries *table // lex plus the words the rules name

	// The emoji descriptions are decoded on first use (the first text
	// with a non-ASCII character), so that building a scorer does not pay
	// for them.
	emojiOnce sync.Once
	emoji     map[rune]string // single-code-point emoji -> description
}

var (
	baseOnce sync.Once
	baseData *base
)

// defaultBase returns the shared default lexicon, decoding it on first use.
func defaultBase() *base {
	baseOnce.Do(func() { baseData = loadBase() })
	return baseData
}

// loadBase returns the default lexicon and rule words in the table
// generated from them (table_gen.go): static data the process maps from
// its binary, touched only where a text looks, instead of a table built
// from the embedded text at the first New (2 ms of CPU, most of it
// writing 512 KiB of slots at random). TestFrozenTable checks that it
// is what buildBase builds.
func loadBase() *base {
	tab := &table{*wordtab.Frozen(frozenSlots[:], &frozenFilter, frozenKeys, frozenLong())}
	return &base{lex: &Lexicon{tab: tab, n: frozenLexLen}, entries: tab}
}

// buildBase decodes the embedded lexicon and builds its table, with the
// rule words. Keys are substrings of the embedded file, so the load
// makes few allocations.
//
//go:generate go test -run TestFrozenTable -update .
func buildBase() *base {
	lex := &Lexicon{tab: newTable(7600)}
	for tok, v := range vaderdata.Lexicon() {
		lex.set(tok, v)
	}
	// The default lexicon is never changed, so the scorer's table can be
	// the lexicon's own, with the rule words added.
	addRuleWords(lex.tab)
	return &base{lex: lex, entries: lex.tab}
}

// emojiMap returns the emoji descriptions, decoding them on first use.
func (b *base) emojiMap() map[rune]string {
	b.emojiOnce.Do(func() { b.emoji = loadEmoji() })
	return b.emoji
}

func loadEmoji() map[rune]string {
	emoji := make(map[rune]string, 1300)
	for r, desc := range vaderdata.SingleEmoji() {
		emoji[r] = desc
	}
	return emoji
}

// DefaultLexicon returns vaderSentiment 3.3.2's word lexicon. It is
// shared and immutable.
func DefaultLexicon() *Lexicon { return defaultBase().lex }
