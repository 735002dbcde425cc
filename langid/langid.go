package langid

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"unicode"
	"unicode/utf8"
)

//go:generate go test -run TestModelFile -update .

//go:embed model.bin
var modelFile []byte

// Detector identifies the language of short texts. Build it once with
// [New] and share it: it is immutable and safe for concurrent use, and
// Detect does not allocate. The zero value has no model: it decides by
// script alone and returns "" for Latin-script text.
type Detector struct {
	langs []string // the model's classes, one byte lane each in table
	table []uint64 // per n-gram bucket, one cost per class, a byte each
	bits  uint     // log2 of len(table)
	// reject is the mean cost per n-gram, in 1/256 nat, above which a
	// text fits none of the classes; 0 for no limit.
	reject uint32
}

// New returns a Detector using the model embedded in the package.
func New() *Detector {
	d, err := parseModel(modelFile)
	if err != nil {
		panic("langid: embedded model: " + err.Error()) // a build defect, caught by the tests
	}
	return d
}

// Languages returns the ISO 639-1 codes Detect can return: those the
// model tells apart in Latin script, then those a script alone decides.
func (d *Detector) Languages() []string {
	out := append([]string(nil), d.langs...)
	for _, l := range scriptLang {
		if l != "" && !contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// Detect returns the ISO 639-1 code of text's language, or "" when it
// cannot tell: no letters, a script that several languages share and the
// model does not cover (Cyrillic), or Latin-script text that fits none of
// the model's languages. URLs, @mentions and a leading "RT" are ignored;
// hashtags count as words.
func (d *Detector) Detect(text string) string {
	lang, cost, grams := d.detect(text)
	if d.reject > 0 && uint64(cost)*16 > uint64(d.reject)*uint64(grams) {
		return "" // cost/grams (in 1/16 nat) over the limit (in 1/256 nat)
	}
	return lang
}

// detect returns the language of text and, when the model chose it, the
// summed cost of its n-grams (in 1/16 nat) and their number.
func (d *Detector) detect(text string) (lang string, cost uint32, grams int) {
	var s state
	s.table = d.table
	s.shift = 64 - d.bits
	if d.table == nil {
		s.train = func(uint64, int) {} // no model: count scripts only
	}
	scan(text, &s)
	sc, lang := dominant(&s.scripts)
	if sc != scriptLatin || d.table == nil {
		return lang, 0, 0
	}
	s.flush()
	best := 0
	for i := 1; i < len(d.langs); i++ {
		if s.costs[i] < s.costs[best] {
			best = i
		}
	}
	return d.langs[best], s.costs[best], s.grams
}

// lanes is the mask of the even byte lanes of a table word; the odd lanes
// are added after a shift, so each class sums in a 16-bit lane.
const lanes = 0x00FF00FF00FF00FF

// state accumulates one text's n-gram costs per class and its letters
// per script.
type state struct {
	table   []uint64
	shift   uint
	even    uint64 // 16-bit sums of classes 0, 2, 4, 6
	odd     uint64 // of classes 1, 3, 5, 7
	pending int    // additions since the last flush; at most 255 fit a lane
	grams   int    // n-grams added
	costs   [8]uint32
	scripts [numScripts]int

	// train, when set, receives each n-gram's bucket and length instead.
	train func(bucket uint64, n int)
}

func (s *state) flush() {
	for i := range 4 {
		s.costs[2*i] += uint32(s.even >> (16 * i) & 0xFFFF)
		s.costs[2*i+1] += uint32(s.odd >> (16 * i) & 0xFFFF)
	}
	s.even, s.odd, s.pending = 0, 0, 0
}

// maxN is the longest character n-gram. Words are padded with a space at
// each end, so " a" and "z " are bigrams.
const maxN = 5

// word holds the last runes of the current word, newest last.
type word struct {
	r [maxN]rune
	n int // runes seen, including the leading pad
}

func (w *word) push(r rune) {
	copy(w.r[:], w.r[1:])
	w.r[maxN-1] = r
	w.n++
}

// emit adds the n-grams that end at the newest rune, from length from up.
func (s *state) emit(w *word, from int) {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for n := 1; n <= maxN && n <= w.n; n++ {
		h ^= uint64(w.r[maxN-n])
		h *= prime
		if n < from {
			continue
		}
		b := (h ^ uint64(n)) * 0x9E3779B97F4A7C15 >> s.shift
		if s.train != nil {
			s.train(b, n)
			continue
		}
		v := s.table[b]
		s.even += v & lanes
		s.odd += v >> 8 & lanes
		s.grams++
		if s.pending++; s.pending == 255 {
			s.flush()
		}
	}
}

// scan cuts text into words of letters, lower-cased, and adds their
// n-grams. Fields (runs of non-space bytes) that are URLs or mentions are
// skipped.
func scan(text string, s *state) {
	var w word
	inWord := false
	end := func() {
		if inWord {
			w.push(' ')
			s.emit(&w, 2) // the unigram " " says nothing
			inWord = false
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
			end()
			i++
			continue
		}
		if i == 0 || isSpace(text[i-1]) {
			if skip := skipField(text[i:]); skip > 0 {
				end()
				i += skip
				continue
			}
		}
		var r rune
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z':
				r = rune(c)
			case 'A' <= c && c <= 'Z':
				r = rune(c + 'a' - 'A')
			default:
				end()
				continue
			}
			s.scripts[scriptLatin]++
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(text[i:])
			i += size
			switch {
			case unicode.IsLetter(r):
				s.scripts[scriptOf(r)]++
				r = unicode.ToLower(r)
			case unicode.Is(unicode.Mn, r) && inWord: // combining accents stay in the word
			default:
				end()
				continue
			}
		}
		if !inWord {
			w = word{}
			w.push(' ')
			inWord = true
		}
		w.push(r)
		s.emit(&w, 1)
	}
	end()
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// skipField returns the length of the field at the start of s if it is to
// be skipped (a URL, an @mention, the retweet marker RT), else 0.
func skipField(s string) int {
	n := 0
	for n < len(s) && !isSpace(s[n]) {
		n++
	}
	f := s[:n]
	switch {
	case f[0] == '@', hasPrefixFold(f, "http"), hasPrefixFold(f, "www."),
		f == "RT", f == "rt", f == "RT:":
		return n
	}
	return 0
}

func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i]|0x20 != prefix[i] {
			return false
		}
	}
	return true
}

// The model file: "ELID", a version byte, the bits of the table size, the
// number of classes and their two-letter codes, the rejection limit
// (uint32), the table (words, one byte per class), and the CRC-32 (IEEE)
// of all before it; numbers are little-endian.
const (
	magic   = "ELID"
	version = 1
)

var errCorrupt = errors.New("corrupt model")

func parseModel(b []byte) (*Detector, error) {
	if len(b) < 11 || string(b[:4]) != magic {
		return nil, errors.New("not a language model")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errCorrupt
	}
	if body[4] != version {
		return nil, fmt.Errorf("model format %d, want %d", body[4], version)
	}
	bits, k := uint(body[5]), int(body[6])
	if bits < 8 || bits > 24 || k < 2 || k > 8 {
		return nil, errCorrupt
	}
	rest := body[7:]
	if len(rest) != 2*k+4+8<<bits {
		return nil, errCorrupt
	}
	d := &Detector{bits: bits, table: make([]uint64, 1<<bits)}
	for i := range k {
		d.langs = append(d.langs, string(rest[2*i:2*i+2]))
	}
	d.reject = binary.LittleEndian.Uint32(rest[2*k:])
	rest = rest[2*k+4:]
	for i := range d.table {
		d.table[i] = binary.LittleEndian.Uint64(rest[8*i:])
	}
	return d, nil
}

func (d *Detector) marshal() []byte {
	b := append([]byte(magic), version, byte(d.bits), byte(len(d.langs)))
	for _, l := range d.langs {
		b = append(b, l...)
	}
	b = binary.LittleEndian.AppendUint32(b, d.reject)
	for _, v := range d.table {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}
