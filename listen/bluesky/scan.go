package bluesky

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a small JSON decoder for Jetstream frames. The frame is
// copied into one string and every string field that needs no unescaping
// is a substring of it, so decoding a post costs a handful of
// allocations instead of dozens (a reflection-based decoder spends most
// of its time allocating). It reads the fields the adapter maps and skips
// everything else; like encoding/json it ignores unknown fields, takes
// null as "absent", keeps the last of duplicate keys and fails on a value
// of the wrong type. Unlike encoding/json it matches keys exactly
// (Jetstream's keys are fixed) and passes invalid UTF-8 through (posts
// are repaired after mapping).

var errSyntax = errors.New("invalid JSON")

type scanner struct {
	s   string
	i   int
	err error
}

func (sc *scanner) fail() {
	if sc.err == nil {
		sc.err = errSyntax
	}
	sc.i = len(sc.s)
}

func (sc *scanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (sc *scanner) peek() byte {
	sc.ws()
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

func (sc *scanner) expect(c byte) bool {
	if sc.peek() != c {
		sc.fail()
		return false
	}
	sc.i++
	return true
}

// null consumes a null literal if one comes next.
func (sc *scanner) null() bool {
	if sc.peek() == 'n' {
		if len(sc.s)-sc.i >= 4 && sc.s[sc.i:sc.i+4] == "null" {
			sc.i += 4
			return true
		}
		sc.fail()
	}
	return false
}

// object iterates over the keys of an object: call it with first=true
// after the '{' was consumed... it handles both: it returns the next key,
// or false at the closing brace or on error.
func (sc *scanner) next(first *bool) (string, bool) {
	c := sc.peek()
	if *first {
		*first = false
		if c == '}' {
			sc.i++
			return "", false
		}
	} else {
		switch c {
		case '}':
			sc.i++
			return "", false
		case ',':
			sc.i++
		default:
			sc.fail()
			return "", false
		}
	}
	if sc.peek() != '"' {
		sc.fail()
		return "", false
	}
	k := sc.str()
	if !sc.expect(':') {
		return "", false
	}
	return k, sc.err == nil
}

// openObject consumes '{'; it returns false (without error) for null.
func (sc *scanner) openObject() bool {
	if sc.null() {
		return false
	}
	return sc.expect('{')
}

// elems iterates over an array's elements; call after '[' with first=true.
func (sc *scanner) elem(first *bool) bool {
	c := sc.peek()
	if *first {
		*first = false
		if c == ']' {
			sc.i++
			return false
		}
		return sc.err == nil
	}
	switch c {
	case ']':
		sc.i++
		return false
	case ',':
		sc.i++
		return sc.err == nil
	}
	sc.fail()
	return false
}

// openArray consumes '['; it returns false (without error) for null.
func (sc *scanner) openArray() bool {
	if sc.null() {
		return false
	}
	return sc.expect('[')
}

// str reads a string value ("" for null).
func (sc *scanner) str() string {
	c := sc.peek()
	if c != '"' {
		if !sc.null() {
			sc.fail()
		}
		return ""
	}
	sc.i++
	start := sc.i
	// Short strings (keys, most values): a plain loop. Without a
	// backslash the value is a substring of the frame. (Raw control
	// characters, which JSON forbids in strings, are let through.)
	i, end := start, min(len(sc.s), start+24)
	for ; i < end; i++ {
		switch sc.s[i] {
		case '"':
			sc.i = i + 1
			return sc.s[start:i]
		case '\\':
			return sc.unescape(start)
		}
	}
	// Long strings: find the closing quote with IndexByte.
	j := strings.IndexByte(sc.s[i:], '"')
	if j < 0 {
		sc.fail()
		return ""
	}
	if strings.IndexByte(sc.s[i:i+j], '\\') < 0 {
		sc.i = i + j + 1
		return sc.s[start : i+j]
	}
	return sc.unescape(start)
}

// unescape finishes a string with escapes, starting at start.
func (sc *scanner) unescape(start int) string {
	b := make([]byte, 0, sc.i-start+16)
	b = append(b, sc.s[start:sc.i]...)
	for sc.i < len(sc.s) {
		c := sc.s[sc.i]
		switch {
		case c == '"':
			sc.i++
			return string(b)
		case c < 0x20:
			sc.fail()
			return ""
		case c != '\\':
			b = append(b, c)
			sc.i++
			continue
		}
		if sc.i+1 >= len(sc.s) {
			break
		}
		e := sc.s[sc.i+1]
		sc.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
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
			r, ok := sc.hex4()
			if !ok {
				return ""
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if sc.i+1 < len(sc.s) && sc.s[sc.i] == '\\' && sc.s[sc.i+1] == 'u' {
					save := sc.i
					sc.i += 2
					if r2, ok = sc.hex4(); !ok {
						return ""
					}
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r, r2 = d, -1
					} else {
						sc.i = save // not a pair: the second escape stands alone
						r2 = -1
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			sc.fail()
			return ""
		}
	}
	sc.fail()
	return ""
}

func (sc *scanner) hex4() (rune, bool) {
	if len(sc.s)-sc.i < 4 {
		sc.fail()
		return 0, false
	}
	n, err := strconv.ParseUint(sc.s[sc.i:sc.i+4], 16, 32)
	if err != nil {
		sc.fail()
		return 0, false
	}
	sc.i += 4
	return rune(n), true
}

// int reads an integer value (0 for null). Fractions and exponents are
// errors, as when encoding/json decodes into an int64.
func (sc *scanner) int() int64 {
	sc.ws()
	if sc.null() {
		return 0
	}
	start := sc.i
	if sc.i < len(sc.s) && sc.s[sc.i] == '-' {
		sc.i++
	}
	for sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
		sc.i++
	}
	n, err := strconv.ParseInt(sc.s[start:sc.i], 10, 64)
	if err != nil || (sc.i < len(sc.s) && (sc.s[sc.i] == '.' || sc.s[sc.i] == 'e' || sc.s[sc.i] == 'E')) {
		sc.fail()
		return 0
	}
	if len(sc.s[start:sc.i]) > 1 && sc.s[start] == '0' || len(sc.s[start:sc.i]) > 2 && sc.s[start:start+2] == "-0" {
		sc.fail() // leading zeros are not JSON
		return 0
	}
	return n
}

// skip skips one value of any type, checking its syntax.
func (sc *scanner) skip() {
	switch c := sc.peek(); {
	case c == '"':
		sc.str()
	case c == '{':
		sc.i++
		first := true
		for {
			if _, ok := sc.next(&first); !ok {
				return
			}
			sc.skip()
		}
	case c == '[':
		sc.i++
		first := true
		for sc.elem(&first) {
			sc.skip()
		}
	case c == 't' && len(sc.s)-sc.i >= 4 && sc.s[sc.i:sc.i+4] == "true":
		sc.i += 4
	case c == 'f' && len(sc.s)-sc.i >= 5 && sc.s[sc.i:sc.i+5] == "false":
		sc.i += 5
	case c == 'n':
		sc.null()
	case c == '-' || c >= '0' && c <= '9':
		start := sc.i
		for sc.i < len(sc.s) {
			switch sc.s[sc.i] {
			case '-', '+', '.', 'e', 'E', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				sc.i++
				continue
			}
			break
		}
		if _, err := strconv.ParseFloat(sc.s[start:sc.i], 64); err != nil {
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
				sc.fail()
			}
		}
	default:
		sc.fail()
	}
}

// decodeFrame decodes a Jetstream frame into ev.
func decodeFrame(b []byte, ev *event) error {
	*ev = event{}
	sc := scanner{s: string(b)}
	if !sc.expect('{') {
		return sc.err
	}
	first := true
	for {
		k, ok := sc.next(&first)
		if !ok {
			break
		}
		switch k {
		case "did":
			ev.DID = sc.str()
		case "time_us":
			ev.TimeUS = sc.int()
		case "cursor":
			if sc.peek() == 'n' {
				sc.null()
				ev.Seq = nil
			} else {
				ev.seq = sc.int()
				ev.Seq = &ev.seq
			}
		case "kind":
			ev.Kind = sc.str()
		case "identity":
			ev.Identity = nil
			if sc.openObject() {
				ev.Identity = &ev.identity
				ev.identity = identity{}
				f := true
				for {
					k, ok := sc.next(&f)
					if !ok {
						break
					}
					switch k {
					case "did":
						ev.identity.DID = sc.str()
					case "handle":
						ev.identity.Handle = sc.str()
					default:
						sc.skip()
					}
				}
			}
		case "commit":
			ev.Commit = nil
			if sc.openObject() {
				ev.Commit = &ev.commit
				ev.commit = commit{}
				sc.commit(&ev.commit)
			}
		default:
			sc.skip()
		}
	}
	if sc.err == nil && sc.peek() != 0 {
		sc.fail() // trailing data
	}
	return sc.err
}

func (sc *scanner) commit(c *commit) {
	first := true
	for {
		k, ok := sc.next(&first)
		if !ok {
			return
		}
		switch k {
		case "rev":
			c.Rev = sc.str()
		case "operation":
			c.Operation = sc.str()
		case "collection":
			c.Collection = sc.str()
		case "rkey":
			c.RKey = sc.str()
		case "record":
			c.Record = nil
			if sc.openObject() {
				c.Record = &record{}
				sc.record(c.Record)
			}
		default:
			sc.skip()
		}
	}
}

func (sc *scanner) strings(dst []string) []string {
	dst = dst[:0]
	if !sc.openArray() {
		return nil
	}
	first := true
	for sc.elem(&first) {
		dst = append(dst, sc.str())
	}
	return dst
}

func (sc *scanner) ref(r *strongRef) {
	if !sc.openObject() {
		return
	}
	first := true
	for {
		k, ok := sc.next(&first)
		if !ok {
			return
		}
		if k == "uri" {
			r.URI = sc.str()
		} else {
			sc.skip()
		}
	}
}

func (sc *scanner) record(r *record) {
	first := true
	for {
		k, ok := sc.next(&first)
		if !ok {
			return
		}
		switch k {
		case "text":
			r.Text = sc.str()
		case "createdAt":
			r.CreatedAt = sc.str()
		case "langs":
			r.Langs = sc.strings(nil)
		case "tags":
			r.Tags = sc.strings(nil)
		case "reply":
			r.Reply = nil
			if sc.peek() == 'n' {
				sc.null()
				continue
			}
			r.Reply = &replyRef{}
			if !sc.openObject() {
				continue
			}
			f := true
			for {
				k, ok := sc.next(&f)
				if !ok {
					break
				}
				switch k {
				case "root":
					r.Reply.Root = strongRef{}
					sc.ref(&r.Reply.Root)
				case "parent":
					r.Reply.Parent = strongRef{}
					sc.ref(&r.Reply.Parent)
				default:
					sc.skip()
				}
			}
		case "subject":
			start := sc.i
			sc.skip()
			r.Subject = []byte(sc.s[start:sc.i])
		case "facets":
			r.Facets = nil
			if !sc.openArray() {
				continue
			}
			f := true
			for sc.elem(&f) {
				var fc facet
				sc.facet(&fc)
				r.Facets = append(r.Facets, fc)
			}
		default:
			sc.skip()
		}
	}
}

func (sc *scanner) facet(fc *facet) {
	if !sc.openObject() {
		return
	}
	first := true
	for {
		k, ok := sc.next(&first)
		if !ok {
			return
		}
		switch k {
		case "index":
			if !sc.openObject() {
				continue
			}
			f := true
			for {
				k, ok := sc.next(&f)
				if !ok {
					break
				}
				switch k {
				case "byteStart":
					fc.Index.ByteStart = int(sc.int())
				case "byteEnd":
					fc.Index.ByteEnd = int(sc.int())
				default:
					sc.skip()
				}
			}
		case "features":
			fc.Features = nil
			if !sc.openArray() {
				continue
			}
			f := true
			for sc.elem(&f) {
				var ft feature
				if sc.openObject() {
					g := true
					for {
						k, ok := sc.next(&g)
						if !ok {
							break
						}
						switch k {
						case "$type":
							ft.Type = sc.str()
						case "uri":
							ft.URI = sc.str()
						case "did":
							ft.DID = sc.str()
						case "tag":
							ft.Tag = sc.str()
						default:
							sc.skip()
						}
					}
				}
				fc.Features = append(fc.Features, ft)
			}
		default:
			sc.skip()
		}
	}
}
