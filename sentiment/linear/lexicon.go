package linear

import (
	"hash/crc32"
	"strings"
	"sync"

	"github.com/earshot-dev/earshot/sentiment/internal/vaderdata"
)

// lexicon holds the VADER word valences (-4..+4) and, for emoji, the summed
// valence of their VADER descriptions. It is read-only once built.
type lexicon struct {
	words map[string]float32
	emoji map[string]float32
	sum   uint32 // CRC-32 of the lexicon files, recorded in models
}

var (
	lexOnce sync.Once
	lex     *lexicon
)

// loadLexicon parses the embedded VADER lexicon once; later calls return
// the same read-only value.
func loadLexicon() (*lexicon, error) {
	lexOnce.Do(func() { lex = parseLexicon() })
	return lex, nil
}

// missing are the entries the shipped models were trained without: they
// were trained on a copy of the lexicon (govader's) that lacks these two
// of vaderSentiment 3.3.2's entries. Leaving them out keeps every feature,
// and the checksum the models record, as trained; the next retraining
// should drop this list, which changes the checksum.
var missing = [...]string{"heart\t", "hearts\t"}

func parseLexicon() *lexicon {
	l := &lexicon{words: make(map[string]float32, 7600), emoji: make(map[string]float32, 3600)}
	words := vaderdata.LexiconFile()
	h := crc32.NewIEEE()
	for line, rest := "", words; rest != ""; {
		line, rest, _ = strings.Cut(rest, "\n")
		if !isMissing(line) {
			h.Write([]byte(line + "\n"))
		}
	}
	h.Write([]byte(vaderdata.EmojiFile()))
	l.sum = h.Sum32()
	for w, v := range vaderdata.Lexicon() {
		if !isMissing(w + "\t") {
			l.words[w] = float32(v)
		}
	}
	for e, desc := range vaderdata.Emoji() {
		var v float32
		for _, w := range strings.Fields(desc) {
			v += l.words[w]
		}
		if v != 0 {
			l.emoji[e] = v
		}
	}
	return l
}

func isMissing(line string) bool {
	for _, m := range missing {
		if strings.HasPrefix(line, m) {
			return true
		}
	}
	return false
}
