package linear

import (
	"bufio"
	"bytes"
	"hash/crc32"
	"strconv"
	"strings"
	"sync"

	"github.com/jonreiter/govader/data"
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
	lexErr  error
)

// loadLexicon parses the VADER lexicon shipped by govader once; later calls
// return the same read-only value.
func loadLexicon() (*lexicon, error) {
	lexOnce.Do(func() { lex, lexErr = parseLexicon() })
	return lex, lexErr
}

func parseLexicon() (*lexicon, error) {
	words, err := data.Asset("rawdata/vaderLexicon.txt")
	if err != nil {
		return nil, err
	}
	emoji, err := data.Asset("rawdata/emojiUTF8Lexicon.txt")
	if err != nil {
		return nil, err
	}
	l := &lexicon{words: make(map[string]float32, 7600), emoji: make(map[string]float32, 3600)}
	h := crc32.NewIEEE()
	h.Write(words)
	h.Write(emoji)
	l.sum = h.Sum32()
	sc := bufio.NewScanner(bytes.NewReader(words))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 32)
		if err != nil {
			continue
		}
		l.words[f[0]] = float32(v)
	}
	sc = bufio.NewScanner(bytes.NewReader(emoji))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 2 {
			continue
		}
		var v float32
		for _, w := range strings.Fields(f[1]) {
			v += l.words[w]
		}
		if v != 0 {
			l.emoji[f[0]] = v
		}
	}
	return l, nil
}
