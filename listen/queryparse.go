package listen

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file parses query text into the tree and atoms Compile builds on.

type tokKind uint8

const (
	tkWord tokKind = iota
	tkPhrase
	tkOr
	tkAnd
	tkNot // '-' prefix or NOT
	tkLParen
	tkRParen
)

type qtok struct {
	kind tokKind
	pos  int
	text string
}

func (t qtok) describe() string {
	switch t.kind {
	case tkOr:
		return "OR"
	case tkAnd:
		return "AND"
	case tkNot:
		return "exclusion"
	case tkLParen:
		return "'('"
	case tkRParen:
		return "')'"
	}
	return fmt.Sprintf("%q", t.text)
}

// qparser is a recursive-descent parser over a lexer that reads one token
// ahead, so that memory is bounded by the atoms, not by the query's length.
type qparser struct {
	src   string
	next  int  // byte offset of the next token to lex
	tok   qtok // the current token, if have
	have  bool
	err   error // the lexing error that ended the tokens
	depth int   // parentheses open at the current token
	atoms []atom
}

func (p *qparser) errf(pos int, format string, args ...any) error {
	return &QueryError{Query: p.src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *qparser) checkUTF8() error {
	s := p.src
	if utf8.ValidString(s) {
		return nil
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return p.errf(i, "invalid UTF-8")
		}
		i += n
	}
	return nil
}

// peek returns the current token; false at the end of the query or after
// a lexing error (in p.err).
func (p *qparser) peek() (qtok, bool) {
	if !p.have && p.err == nil {
		p.have = p.lex()
	}
	return p.tok, p.have
}

// advance moves past the current token.
func (p *qparser) advance() { p.have = false }

// lex reads the token at p.next into p.tok and reports whether there was one.
func (p *qparser) lex() bool {
	s := p.src
	for i := p.next; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		t := qtok{pos: i}
		switch {
		case unicode.IsSpace(r):
			i += n
			continue
		case r == '(':
			t.kind = tkLParen
			i++
		case r == ')':
			t.kind = tkRParen
			i++
		case r == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				p.err = p.errf(i, "unbalanced '\"'")
				return false
			}
			t.kind, t.text = tkPhrase, s[i+1:i+1+end]
			i += end + 2
		case r == '-' && i+1 < len(s) && !isQuerySpace(s[i+1:]) && (i == 0 || isBoundary(s[i-1])):
			t.kind = tkNot
			i++
		default:
			j := i
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
					break
				}
				j += n
			}
			switch w := s[i:j]; w {
			case "OR", "|":
				t.kind = tkOr
			case "AND":
				t.kind = tkAnd
			case "NOT":
				t.kind = tkNot
			default:
				t.kind, t.text = tkWord, w
			}
			i = j
		}
		p.tok, p.next = t, i
		return true
	}
	p.next = len(s)
	return false
}

func isQuerySpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r) || r == ')'
}

func isBoundary(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' }

func (p *qparser) parseOr() (*qnode, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	n := left
	for {
		t, ok := p.peek()
		if !ok || t.kind != tkOr {
			return n, nil
		}
		p.advance()
		if nt, ok := p.peek(); !ok || nt.kind == tkRParen || nt.kind == tkOr || nt.kind == tkAnd {
			return nil, p.errf(t.pos, "OR needs something on its right")
		}
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if n.op != opOr {
			n = &qnode{op: opOr, kids: []*qnode{n}}
		}
		n.kids = append(n.kids, right)
	}
}

func (p *qparser) parseAnd() (*qnode, error) {
	var kids []*qnode
	for {
		t, ok := p.peek()
		if !ok || t.kind == tkOr || t.kind == tkRParen {
			break
		}
		if t.kind == tkAnd {
			if len(kids) == 0 {
				return nil, p.errf(t.pos, "AND needs something on its left")
			}
			p.advance()
			if nt, ok := p.peek(); !ok || nt.kind == tkRParen || nt.kind == tkOr || nt.kind == tkAnd {
				return nil, p.errf(t.pos, "AND needs something on its right")
			}
			continue
		}
		k, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	switch len(kids) {
	case 0:
		if t, ok := p.peek(); ok && t.kind == tkOr {
			return nil, p.errf(t.pos, "OR needs something on its left")
		}
		pos := len(p.src)
		if t, ok := p.peek(); ok {
			pos = t.pos
		}
		return nil, p.errf(pos, "expected a term")
	case 1:
		return kids[0], nil
	}
	return &qnode{op: opAnd, kids: kids}, nil
}

func (p *qparser) parseUnary() (*qnode, error) {
	t, _ := p.peek()
	switch t.kind {
	case tkNot:
		// A run of exclusions is read in a loop, not by recursion, and
		// folded: an even number cancels out.
		odd := false
		for ; t.kind == tkNot; odd = !odd {
			p.advance()
			nt, ok := p.peek()
			if !ok || nt.kind == tkRParen || nt.kind == tkOr || nt.kind == tkAnd {
				return nil, p.errf(t.pos, "exclusion needs a term")
			}
			t = nt
		}
		k, err := p.parseUnary()
		if err != nil || !odd {
			return k, err
		}
		if k.op == opNot { // -(-a) is a
			return k.kids[0], nil
		}
		return &qnode{op: opNot, kids: []*qnode{k}}, nil
	case tkLParen:
		if p.depth == maxDepth {
			return nil, p.errf(t.pos, "parentheses nested deeper than %d", maxDepth)
		}
		p.advance()
		p.depth++
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if ct, ok := p.peek(); !ok || ct.kind != tkRParen {
			return nil, p.errf(t.pos, "unbalanced '('")
		}
		p.advance()
		p.depth--
		return n, nil
	case tkWord, tkPhrase:
		p.advance()
		return p.leaf(t)
	}
	return nil, p.errf(t.pos, "unexpected %s", t.describe())
}

func (p *qparser) leaf(t qtok) (*qnode, error) {
	a := atom{kind: atomWords}
	text := t.text
	if t.kind == tkWord {
		switch {
		case strings.HasPrefix(strings.ToLower(text), "lang:"):
			lang := strings.ToLower(text[5:])
			if lang == "" || strings.ContainsAny(lang, " _") {
				return nil, p.errf(t.pos, "lang: needs a language tag such as lang:en")
			}
			a = atom{kind: atomLang, lang: lang}
		case strings.HasPrefix(text, "#"), strings.HasPrefix(text, "@"):
			a.kind = atomTag
			if text[0] == '@' {
				a.kind = atomMention
				if at := strings.IndexByte(text[1:], '@'); at > 0 {
					text = text[:at+1] // @user@host is @user
				}
			}
			text = text[1:]
		}
	}
	if a.kind != atomLang {
		// Scanning stops after one word too many, so a long phrase is
		// refused without storing its words.
		for _, k := range tokens(text, maxPhrase+1) {
			a.hashes = append(a.hashes, k.hash)
		}
		switch {
		case len(a.hashes) == 0:
			return nil, p.errf(t.pos, "%q has no words to match", t.text)
		case len(a.hashes) > maxPhrase:
			return nil, p.errf(t.pos, "phrase longer than %d words", maxPhrase)
		case a.kind != atomWords && len(a.hashes) > 1:
			// "#wi-fi" is not one hashtag; match the words as a phrase.
			a.kind = atomWords
		}
		a.folded = foldWords(text, a.hashes)
	}
	if len(p.atoms) == maxAtoms {
		return nil, p.errf(t.pos, "more than %d terms", maxAtoms)
	}
	p.atoms = append(p.atoms, a)
	return &qnode{op: opAtom, atom: len(p.atoms) - 1}, nil
}
