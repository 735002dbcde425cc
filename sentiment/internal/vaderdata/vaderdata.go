// Package vaderdata holds the data files of vaderSentiment 3.3.2 (C.J.
// Hutto, MIT licence, see LICENSE beside this file), embedded byte for
// byte, and the one loader that reads them for sentiment/vader,
// sentiment/social and sentiment/linear:
//
//   - vader_lexicon.txt: 7,520 lines "token<TAB>mean<TAB>std<TAB>[ratings]";
//   - emoji_utf8_lexicon.txt: 3,570 lines "emoji<TAB>description".
//
// Both come from github.com/cjhutto/vaderSentiment at commit 0b8040f
// (2020-05-22, the data of release 3.3.2, which added "heart" and
// "hearts"); the tests compare them with the copies in the project's
// shared evaluation data.
package vaderdata

import (
	_ "embed" // the data files
	"fmt"
	"iter"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

var (
	//go:embed vader_lexicon.txt
	lexiconFile string
	//go:embed emoji_utf8_lexicon.txt
	emojiFile string
)

// LexiconFile returns vader_lexicon.txt as embedded.
func LexiconFile() string { return lexiconFile }

// EmojiFile returns emoji_utf8_lexicon.txt as embedded.
func EmojiFile() string { return emojiFile }

// Lexicon yields the entries of vader_lexicon.txt in file order: each
// token with its mean valence. Some tokens occur twice; as in the
// reference, a caller that stores them in order keeps the last valence.
// Tokens are substrings of the embedded file: yielding allocates nothing.
func Lexicon() iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		for line, rest := "", lexiconFile; rest != ""; {
			line, rest = cutLine(rest)
			tok, v, reason := ParseLexiconLine(line)
			if reason != "" {
				// TestEmbedded parses every line: a build problem.
				panic(fmt.Sprintf("vaderdata: embedded lexicon: %s", reason))
			}
			if tok != "" && !yield(tok, v) {
				return
			}
		}
	}
}

// Emoji yields the entries of emoji_utf8_lexicon.txt in file order: each
// emoji (one code point or a sequence) with its English description.
// Both are substrings of the embedded file.
func Emoji() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for line, rest := "", emojiFile; rest != ""; {
			line, rest = cutLine(rest)
			key, desc, ok := strings.Cut(strings.TrimSpace(line), "\t")
			if !ok {
				continue // TestEmbedded checks that no line lacks a tab
			}
			if tab := strings.IndexByte(desc, '\t'); tab >= 0 {
				desc = desc[:tab]
			}
			if !yield(key, desc) {
				return
			}
		}
	}
}

// SingleEmoji yields the entries of [Emoji] whose emoji is one non-ASCII
// code point: the reference replaces text code point by code point, so
// only these can ever match.
func SingleEmoji() iter.Seq2[rune, string] {
	return func(yield func(rune, string) bool) {
		for key, desc := range Emoji() {
			r, size := utf8.DecodeRuneInString(key)
			if size == len(key) && r >= utf8.RuneSelf && !yield(r, desc) {
				return
			}
		}
	}
}

// ParseLexiconLine parses one line of VADER's lexicon format,
// "token<TAB>mean valence", optionally followed by more tab-separated
// columns, which are ignored. As in the reference, the line is trimmed of
// surrounding white space first (so the token is never empty). A blank
// line yields ("", 0, ""); a malformed line yields a reason. The token is
// a substring of line.
func ParseLexiconLine(line string) (tok string, val float64, reason string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", 0, ""
	}
	tab := strings.IndexByte(line, '\t')
	if tab < 0 {
		return "", 0, "want token<TAB>valence, found no tab"
	}
	tok, rest := line[:tab], line[tab+1:]
	if tab := strings.IndexByte(rest, '\t'); tab >= 0 {
		rest = rest[:tab]
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		if len(rest) > 40 {
			rest = rest[:40] + "..."
		}
		return "", 0, fmt.Sprintf("valence %q is not a finite number", rest)
	}
	return tok, v, ""
}

func cutLine(s string) (line, rest string) {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}
