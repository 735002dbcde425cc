// Package jsonscan is a small pull decoder for JSON, shared by the
// adapters whose hot paths decode a few fields out of large objects
// (Mastodon statuses, Jetstream frames). A reflection-based decoder
// spends most of its time allocating; a [Scanner] reads the input in
// place, and every string value that needs no unescaping is a substring
// of the input, so decoding costs a handful of allocations.
//
// The caller walks the document: [Scanner.Object] and [Scanner.NextKey]
// for objects, [Scanner.Array] and [Scanner.NextElem] for arrays,
// [Scanner.Str], [Scanner.Int] and [Scanner.Skip] for values. Errors are
// sticky: after the first one every call returns a zero value, and
// [Scanner.Err] or [Scanner.Finish] report it.
//
// # Fidelity
//
// On input encoding/json accepts, a Scanner gives encoding/json's result
// (keys are matched by the caller, exactly; null means "absent"; lone
// surrogate escapes become U+FFFD), with two exceptions unless
// [Scanner.Strict] is set: raw control characters and invalid UTF-8
// inside strings are passed through instead of being rejected or
// repaired. Numbers, literals and nesting are always checked as
// encoding/json checks them, except that nesting deeper than [MaxDepth]
// is an error. The differential fuzz test holds it to this.
//
// A Scanner is a value type with no goroutines; it is not safe for
// concurrent use. Its zero value scans empty input.
package jsonscan

import (
	"errors"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// ErrSyntax is the error of a Scanner that met invalid JSON, a value of
// another type than asked for, or (with Strict) a string it refuses.
var ErrSyntax = errors.New("jsonscan: invalid JSON")

// MaxDepth bounds the nesting [Scanner.Skip] follows.
const MaxDepth = 1000

// Scanner reads one JSON document held in a string.
type Scanner struct {
	s     string
	i     int
	err   error
	depth int
	copy  bool // s is a view of a []byte: values returned must be copies

	// Strict rejects strings holding raw control characters or invalid
	// UTF-8 (encoding/json rejects the first and repairs the second), so
	// that whatever a strict Scanner accepts decodes exactly as with
	// encoding/json.
	Strict bool
}

// Reset makes sc scan data from the start, keeping Strict. String values
// that need no unescaping are substrings of data (no copy; they keep data
// alive).
func (sc *Scanner) Reset(data string) {
	*sc = Scanner{s: data, Strict: sc.Strict}
}

// ResetBytes makes sc scan data in place from the start, keeping Strict.
// data must not change until the scan is done. Values returned are
// copies, except the keys of [Scanner.NextKey] and the values of
// [Scanner.StrView], which are valid only while data is unchanged.
func (sc *Scanner) ResetBytes(data []byte) {
	*sc = Scanner{s: unsafe.String(unsafe.SliceData(data), len(data)), Strict: sc.Strict, copy: true}
}

// Err returns the first error met, or nil.
func (sc *Scanner) Err() error { return sc.err }

// Fail records ErrSyntax (unless an error is already recorded) and stops
// the scan. Callers use it for values of the right type but a wrong form.
func (sc *Scanner) Fail() {
	if sc.err == nil {
		sc.err = ErrSyntax
	}
	sc.i = len(sc.s)
}

// Finish checks that only white space follows and returns [Scanner.Err].
func (sc *Scanner) Finish() error {
	if sc.ws(); sc.err == nil && sc.i < len(sc.s) {
		sc.Fail()
	}
	return sc.err
}

func (sc *Scanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// Peek returns the next byte that is not white space, or 0 at the end.
func (sc *Scanner) Peek() byte {
	sc.ws()
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

func (sc *Scanner) expect(c byte) bool {
	if sc.Peek() != c {
		sc.Fail()
		return false
	}
	sc.i++
	return true
}

func (sc *Scanner) lit(word string) bool {
	if strings.HasPrefix(sc.s[sc.i:], word) {
		sc.i += len(word)
		return true
	}
	sc.Fail()
	return false
}

// Null consumes a null literal if one comes next and reports whether it
// did.
func (sc *Scanner) Null() bool {
	return sc.Peek() == 'n' && sc.lit("null")
}

// Bool decodes true or false; anything else fails the scan.
func (sc *Scanner) Bool() bool {
	if sc.Peek() == 't' {
		return sc.lit("true")
	}
	sc.lit("false")
	return false
}

// Object consumes the '{' of an object. It returns false for null
// (consumed, no error) and on error.
func (sc *Scanner) Object() bool {
	if sc.Null() {
		return false
	}
	return sc.expect('{')
}

// NextKey returns the next key of the object opened by [Scanner.Object],
// leaving the scanner at its value, which the caller must consume. It
// returns false at the closing brace or on error. Start with first=true.
func (sc *Scanner) NextKey(first *bool) (string, bool) {
	if !sc.keyNext(first) {
		return "", false
	}
	k, _ := sc.str()
	if !sc.expect(':') {
		return "", false
	}
	return k, true
}

// keyNext consumes what comes before the next key of an object and
// reports whether a key follows.
func (sc *Scanner) keyNext(first *bool) bool {
	if !sc.next(first, '}') {
		return false
	}
	if sc.Peek() != '"' {
		sc.Fail()
		return false
	}
	return true
}

// next consumes what comes before the next member of an object or array
// (nothing when first, else a comma) and reports whether one follows; at
// the closing byte it consumes it and returns false.
func (sc *Scanner) next(first *bool, closing byte) bool {
	c := sc.Peek()
	switch {
	case c == closing:
		sc.i++
		return false
	case *first:
		*first = false
		return sc.err == nil
	case c == ',':
		sc.i++
		return true
	}
	sc.Fail()
	return false
}

// Array consumes the '[' of an array. It returns false for null
// (consumed, no error) and on error.
func (sc *Scanner) Array() bool {
	if sc.Null() {
		return false
	}
	return sc.expect('[')
}

// NextElem reports whether another element of the array opened by
// [Scanner.Array] follows; the caller must then consume it. It returns
// false at the closing bracket or on error. Start with first=true.
func (sc *Scanner) NextElem(first *bool) bool { return sc.next(first, ']') }

// Str reads a string value; null reads as "". Any other type is an error.
func (sc *Scanner) Str() string {
	v, view := sc.str()
	if view && sc.copy {
		return strings.Clone(v)
	}
	return v
}

// StrView is Str without the copy of [Scanner.ResetBytes]: the value may
// be a substring of the data being scanned, valid only while it is
// unchanged (for values that are parsed at once, such as times).
func (sc *Scanner) StrView() string {
	v, _ := sc.str()
	return v
}

// str is Str without the copy; view reports that v is a substring of the
// input rather than a fresh string (decoded escapes).
func (sc *Scanner) str() (v string, view bool) {
	if sc.Peek() != '"' {
		if !sc.Null() {
			sc.Fail()
		}
		return "", false
	}
	sc.i++
	start := sc.i
	if !sc.Strict {
		return sc.strLenient(start)
	}
	q := -1
	end, fl := sc.stop(start, &q, true)
	switch {
	case end == len(sc.s):
		sc.Fail()
		return "", false
	case sc.s[end] == '\\':
		sc.i = end
		return sc.unescape(start, q), false
	case fl&ctl != 0 || (fl&nonASCII != 0 && !utf8.ValidString(sc.s[start:end])):
		sc.Fail()
		return "", false
	}
	sc.i = end + 1
	return sc.s[start:end], true
}

// strLenient is str without Strict: only the quote and the backslash
// matter, so the loop is the shortest.
func (sc *Scanner) strLenient(start int) (string, bool) {
	s := sc.s
	// Short strings (keys, most values): a plain loop.
	i, end := start, min(len(s), start+24)
	for ; i < end; i++ {
		switch s[i] {
		case '"':
			sc.i = i + 1
			return s[start:i], true
		case '\\':
			sc.i = i
			return sc.unescape(start, -1), false
		}
	}
	// Long strings: IndexByte.
	j := strings.IndexByte(s[i:], '"')
	if j < 0 {
		sc.Fail()
		return "", false
	}
	if k := strings.IndexByte(s[i:i+j], '\\'); k >= 0 {
		sc.i = i + k
		return sc.unescape(start, i+j), false
	}
	sc.i = i + j + 1
	return s[start : i+j], true
}

// Flags of string bytes, for [Scanner.stop].
const (
	end      = 1 // '"' or '\\': ends a run of plain bytes
	ctl      = 2 // a control character, forbidden raw in JSON strings
	nonASCII = 4
)

var class = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = ctl
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = nonASCII
	}
	t['"'], t['\\'] = end, end
	return t
}()

// stop returns the position of the first '"' or '\\' at or after i
// (len(sc.s) if there is none) and the flags (ctl, nonASCII) of the
// bytes before it (of a long run only when all is set). *q caches the
// position of the next quote, so that scanning a long string with many
// escapes stays linear.
func (sc *Scanner) stop(i int, q *int, all bool) (int, uint8) {
	s := sc.s
	var fl uint8
	// Runs up to 64 bytes (keys, most values, the text between two
	// escapes): eight bytes at a time.
	for e := min(len(s)-8, i+64); i <= e; i += 8 {
		x := load64(s, i)
		stops, ctls, high := swar(x)
		if stops != 0 {
			before := stops&-stops - 1 // the bits of the bytes before the first stop
			return i + bits.TrailingZeros64(stops)/8, fl | flags(ctls&before, high&before)
		}
		fl |= flags(ctls, high)
	}
	if len(s)-i < 8 {
		for ; i < len(s); i++ {
			if f := class[s[i]]; f != 0 {
				if f == end {
					return i, fl
				}
				fl |= f
			}
		}
		return i, fl
	}
	// Long runs: IndexByte.
	if *q < i {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			*q = len(s)
		} else {
			*q = i + j
		}
	}
	span := s[i:*q]
	if k := strings.IndexByte(span, '\\'); k >= 0 {
		span = span[:k]
	}
	for j := 0; all && j < len(span); j++ {
		fl |= class[span[j]]
	}
	return i + len(span), fl
}

// swar looks at the eight bytes in x (the first in the low bits) at once:
// it returns the high bit of each byte that is '"' or '\\' (stops), of each
// below 0x20 that is not (ctls), and of each of 0x80 or more (high).
func swar(x uint64) (stops, ctls, high uint64) {
	const ones, lows, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	high = x & highs
	low7 := x & lows
	// A byte of low7^c is 0 exactly when its high bit stays clear after
	// adding 0x7f (no carry crosses bytes).
	q, b := low7^'"'*ones, low7^'\\'*ones
	stops = ^((q + lows) & (b + lows)) &^ x & highs
	ctls = ^(low7 + (0x80-0x20)*ones) &^ x & highs
	return stops, ctls, high
}

// flags returns the class flags of bytes marked in ctls and high.
func flags(ctls, high uint64) uint8 {
	var fl uint8
	if ctls != 0 {
		fl |= ctl
	}
	if high != 0 {
		fl |= nonASCII
	}
	return fl
}

// load64 returns the eight bytes of s from i, the first in the low bits.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// hasCtl reports whether s holds a control character (JSON forbids them
// raw in strings).
func hasCtl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return true
		}
	}
	return false
}

// unescape finishes a string with escapes; start is its first byte, sc.i
// the first backslash and q the cached quote position of [Scanner.stop].
// Raw control characters are rejected here even without Strict (this is
// not the hot path).
func (sc *Scanner) unescape(start, q int) string {
	s := sc.s
	i := sc.i
	if hasCtl(s[start:i]) {
		sc.Fail()
		return ""
	}
	// The decoded string is no longer than the quoted one (no escape
	// decodes to more bytes than it takes), so one allocation holds it.
	b := make([]byte, 0, closingQuote(s, i)-start)
	b = append(b, s[start:i]...)
	for {
		e, fl := sc.stop(i, &q, true)
		if fl&ctl != 0 || e == len(s) {
			sc.Fail()
			return ""
		}
		b = append(b, s[i:e]...)
		i = e
		if s[i] == '"' {
			sc.i = i + 1
			if sc.Strict && !utf8.Valid(b) {
				sc.Fail()
				return ""
			}
			return unsafe.String(unsafe.SliceData(b), len(b)) // b is not written again
		}
		if i+1 >= len(s) {
			sc.Fail()
			return ""
		}
		esc := s[i+1]
		i += 2
		switch esc {
		case '"', '\\', '/':
			b = append(b, esc)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(s[i:])
			if !ok {
				sc.Fail()
				return ""
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// As encoding/json: a valid pair is one rune; anything
				// else is U+FFFD, and a following \u escape stands alone.
				r2, ok := rune(0), false
				if strings.HasPrefix(s[i:], `\u`) {
					r2, ok = hex4(s[i+2:])
				}
				if d := utf16.DecodeRune(r, r2); ok && d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			sc.Fail()
			return ""
		}
	}
}

// closingQuote returns the position of the quote that ends the string
// whose escape at i (a backslash) is being read: the first '"' after i
// that follows an even run of backslashes; len(s) if there is none.
func closingQuote(s string, i int) int {
	for {
		k := strings.IndexByte(s[i:], '"')
		if k < 0 {
			return len(s)
		}
		q := i + k
		n := 0
		for n < q-i && s[q-1-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			return q
		}
		i = q + 1
	}
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// num consumes a JSON number and returns its text.
func (sc *Scanner) num() string {
	sc.ws()
	start := sc.i
	if sc.i < len(sc.s) && sc.s[sc.i] == '-' {
		sc.i++
	}
	if sc.i < len(sc.s) && sc.s[sc.i] == '0' {
		sc.i++
	} else if sc.digits() == 0 {
		sc.Fail()
		return ""
	}
	if sc.i < len(sc.s) && sc.s[sc.i] == '.' {
		sc.i++
		if sc.digits() == 0 {
			sc.Fail()
			return ""
		}
	}
	if sc.i < len(sc.s) && (sc.s[sc.i] == 'e' || sc.s[sc.i] == 'E') {
		sc.i++
		if sc.i < len(sc.s) && (sc.s[sc.i] == '+' || sc.s[sc.i] == '-') {
			sc.i++
		}
		if sc.digits() == 0 {
			sc.Fail()
			return ""
		}
	}
	return sc.s[start:sc.i]
}

func (sc *Scanner) digits() int {
	n := 0
	for sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
		sc.i++
		n++
	}
	return n
}

// Int reads an integer value that fits an int64; null reads as 0. A
// fraction, an exponent or an overflow is an error, as when encoding/json
// decodes into an int64.
func (sc *Scanner) Int() int64 {
	if sc.Null() {
		return 0
	}
	// Fast path: up to 18 digits, no leading zero, nothing after.
	s, i := sc.s, sc.i
	neg := i < len(s) && s[i] == '-'
	if neg {
		i++
	}
	var n int64
	j := i
	for ; j < len(s) && j-i < 18 && s[j]-'0' < 10; j++ {
		n = n*10 + int64(s[j]-'0')
	}
	if j > i && (s[i] != '0' || j == i+1) && (j == len(s) || (s[j]-'0' >= 10 && s[j] != '.' && s[j]|0x20 != 'e')) {
		sc.i = j
		if neg {
			return -n
		}
		return n
	}
	t := sc.num()
	if sc.err != nil {
		return 0
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		sc.Fail()
		return 0
	}
	return n
}

// Skip consumes one value of any type, checking its syntax.
func (sc *Scanner) Skip() {
	switch c := sc.Peek(); c {
	case '"':
		sc.skipStr()
	case '{', '[':
		if sc.depth++; sc.depth > MaxDepth {
			sc.Fail()
			return
		}
		sc.i++
		first := true
		if c == '[' {
			for sc.NextElem(&first) {
				sc.Skip()
			}
		} else {
			for sc.keyNext(&first) {
				sc.skipStr() // the key, checked but not unescaped
				if !sc.expect(':') {
					break
				}
				sc.Skip()
			}
		}
		sc.depth--
	case 't':
		sc.lit("true")
	case 'f':
		sc.lit("false")
	case 'n':
		sc.lit("null")
	default:
		sc.num()
	}
}

// skipStr consumes a string without building its value. Its UTF-8 is
// not checked: encoding/json ignores what it skips.
func (sc *Scanner) skipStr() {
	s := sc.s
	i := sc.i + 1 // after the opening quote
	q := -1
	for {
		e, fl := sc.stop(i, &q, sc.Strict)
		if e == len(s) || (fl&ctl != 0 && sc.Strict) {
			sc.Fail()
			return
		}
		i = e
		if s[i] == '"' {
			sc.i = i + 1
			return
		}
		if i+1 >= len(s) {
			sc.Fail()
			return
		}
		switch s[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			if _, ok := hex4(s[i+2:]); !ok {
				sc.Fail()
				return
			}
			i += 6
		default:
			sc.Fail()
			return
		}
	}
}

// Raw consumes one value of any type and returns its text.
func (sc *Scanner) Raw() string {
	sc.ws()
	start := sc.i
	sc.Skip()
	if sc.err != nil {
		return ""
	}
	if sc.copy {
		return strings.Clone(sc.s[start:sc.i])
	}
	return sc.s[start:sc.i]
}
