package listen

import (
	"fmt"
	"strings"
)

// Query is a compiled search expression that decides which posts to keep.
// Compile it once with [Compile] and share it: it is immutable and safe for
// concurrent use, and matching does not allocate.
//
// # Syntax
//
//	acme                 the word acme (also as #acme or @acme); never inside "affordable"
//	"price hike"         the words in this order, as a phrase
//	acme coffee          both (AND is implicit; the keyword AND is also accepted)
//	acme OR larkspur     either one (OR binds looser than AND)
//	(a OR b) c           grouping
//	-refund  NOT refund  exclusion
//	#acmefail            the hashtag only (in the text or in Post.Tags)
//	@acme                the mention only (in the text or in Post.Mentions)
//	lang:en              posts whose language is en (en-GB too); lang:en-gb for the region
//
// Matching is case- and accent-insensitive ("Café" matches cafe) and works
// on whole words: words are runs of letters, digits and '_', and every
// other character separates them, so "wi-fi" is the phrase "wi fi". An
// emoji or other symbol is a word of its own, so a query can ask for 🔥.
// A query consisting only of exclusions matches every post without them.
//
// # Speed
//
// Most posts mention none of a query's words. Before tokenizing a text,
// Match runs a prefilter: a bitmap of the rarest four-character sequence
// of each word, checked with a few operations per byte and no branch that
// depends on the text. Only texts that pass are tokenized. Queries with a
// one-letter word, words that do not fold to ASCII (日本, emoji) or more
// than 64 atoms have no prefilter, and queries of very common words pass
// most texts to the tokenizer; both then cost about twice as much (see
// BENCHMARKS.md).
type Query struct {
	src   string
	root  *qnode
	atoms []atom
	table []slot     // open-addressed by the hash of each atom's last token
	mask  uint64     // len(table)-1
	refs  []int32    // atom indexes, grouped per slot
	span  int        // longest phrase, in tokens
	bloom [4]uint64  // a bit per atom's last token hash, to skip most table probes
	pre   *prefilter // nil when the query's words do not allow one
	// langAtoms are the indexes of the lang: atoms.
	langAtoms []int32
	// fieldAtoms is true when the query has tags or mentions, which are
	// also looked for in Post.Tags and Post.Mentions.
	fieldAtoms bool
	// monotone is true when the query has no exclusion, so matching can
	// stop as soon as it is satisfied.
	monotone bool
}

// Limits on one query (see [Compile]). They keep a query from a user or a
// configuration file from costing more than its size.
const (
	maxAtoms      = 256      // words, phrases, tags, mentions and language tests
	maxQueryBytes = 64 << 10 // the length of a query's text
	maxDepth      = 64       // how deeply parentheses nest
)

// maxPhrase bounds the words in one phrase.
const maxPhrase = 16

type atomKind uint8

const (
	atomWords   atomKind = iota // a word or phrase
	atomTag                     // #tag
	atomMention                 // @handle
	atomLang                    // lang:xx
)

type atom struct {
	kind   atomKind
	hashes []uint64 // token hashes of the word or phrase; one for tags and mentions
	folded []string // the words folded to ASCII, for the prefilter; nil if they are not
	lang   string   // lower-cased, for atomLang
}

type slot struct {
	hash       uint64
	start, end int32 // range in refs
}

type opKind uint8

const (
	opAtom opKind = iota
	opAnd
	opOr
	opNot
)

type qnode struct {
	op   opKind
	atom int // for opAtom
	kids []*qnode
}

// QueryError reports a syntax error in a query, with the byte offset where
// it was found.
type QueryError struct {
	Query string
	Pos   int // byte offset in Query
	Msg   string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("listen: query: position %d: %s", e.Pos+1, e.Msg)
}

// MustCompile is like [Compile] but panics on error. Use it for queries
// fixed in the program's source.
func MustCompile(q string) *Query {
	c, err := Compile(q)
	if err != nil {
		panic(err)
	}
	return c
}

// Compile parses a query. A syntax error is a [*QueryError] naming the
// position: unbalanced quotes or parentheses, an operator with nothing to
// work on, an empty query, a query over one of the limits: 64 KiB of
// text, 256 words, phrases, tags, mentions and language tests, and
// parentheses 64 deep. Compile refuses such a query before doing much
// work, and Compile and Match take time linear in the query's length.
// Repeated exclusions cancel out in pairs: "NOT NOT acme" is acme.
func Compile(q string) (*Query, error) {
	if len(q) > maxQueryBytes {
		return nil, &QueryError{Query: q, Pos: maxQueryBytes, Msg: fmt.Sprintf("query longer than %d bytes", maxQueryBytes)}
	}
	p := &qparser{src: q}
	if err := p.checkUTF8(); err != nil {
		return nil, err
	}
	if _, ok := p.peek(); !ok && p.err == nil {
		return nil, &QueryError{Query: q, Pos: 0, Msg: "empty query"}
	}
	root, err := p.parseOr()
	if t, ok := p.peek(); err == nil && ok {
		if t.kind == tkRParen {
			err = p.errf(t.pos, "unbalanced ')'")
		} else {
			err = p.errf(t.pos, "unexpected %s", t.describe())
		}
	}
	if p.err != nil { // a lexing error comes first: the parser saw the query end there
		return nil, p.err
	}
	if err != nil {
		return nil, err
	}
	c := &Query{src: q, root: root, atoms: p.atoms, monotone: !hasNot(root)}
	c.buildTable()
	return c, nil
}

// String returns the query as it was written.
func (q *Query) String() string { return q.src }

func hasNot(n *qnode) bool {
	if n.op == opNot {
		return true
	}
	for _, k := range n.kids {
		if hasNot(k) {
			return true
		}
	}
	return false
}

func (q *Query) buildTable() {
	// Group the token atoms by the hash of their last token.
	groups := map[uint64][]int32{}
	var order []uint64
	for i, a := range q.atoms {
		if a.kind == atomLang {
			q.langAtoms = append(q.langAtoms, int32(i))
			continue
		}
		if a.kind == atomTag || a.kind == atomMention {
			q.fieldAtoms = true
		}
		h := a.hashes[len(a.hashes)-1]
		q.bloom[h>>62] |= 1 << ((h >> 56) & 63)
		if _, ok := groups[h]; !ok {
			order = append(order, h)
		}
		groups[h] = append(groups[h], int32(i))
		if len(a.hashes) > q.span {
			q.span = len(a.hashes)
		}
	}
	var words [][]string
	for _, a := range q.atoms {
		if a.kind == atomLang {
			continue
		}
		if a.folded == nil {
			words = nil
			break
		}
		words = append(words, a.folded)
	}
	q.pre = newPrefilter(words)
	size := 8
	for size < 2*len(order) {
		size *= 2
	}
	q.table = make([]slot, size)
	q.mask = uint64(size - 1)
	for _, h := range order {
		i := h & q.mask
		for q.table[i].hash != 0 {
			i = (i + 1) & q.mask
		}
		start := int32(len(q.refs))
		q.refs = append(q.refs, groups[h]...)
		q.table[i] = slot{hash: h, start: start, end: int32(len(q.refs))}
	}
}

// atomSet records which atoms occur in a post.
type atomSet [maxAtoms / 64]uint64

func (s *atomSet) add(i int32)    { s[i>>6] |= 1 << (i & 63) }
func (s *atomSet) has(i int) bool { return s[i>>6]&(1<<(i&63)) != 0 }
func (n *qnode) eval(s *atomSet) bool {
	switch n.op {
	case opAtom:
		return s.has(n.atom)
	case opNot:
		return !n.kids[0].eval(s)
	case opAnd:
		for _, k := range n.kids {
			if !k.eval(s) {
				return false
			}
		}
		return true
	default:
		for _, k := range n.kids {
			if k.eval(s) {
				return true
			}
		}
		return false
	}
}

// Match reports whether the post matches the query. Besides the text, it
// looks at p.Lang, p.Tags and p.Mentions. It does not allocate.
func (q *Query) Match(p *Post) bool {
	var set atomSet
	for _, i := range q.langAtoms {
		if langMatch(p.Lang, q.atoms[i].lang) {
			set.add(i)
		}
	}
	if q.fieldAtoms {
		for _, t := range p.Tags {
			q.markField(&set, atomTag, tokenHash(t))
		}
		for _, m := range p.Mentions {
			if at := strings.IndexByte(m, '@'); at > 0 {
				m = m[:at] // user@host counts as user
			}
			q.markField(&set, atomMention, tokenHash(m))
		}
	}
	return q.matchText(p.Text, &set)
}

// Keep is Match for a post value, with the signature [Filter] takes:
// listen.Filter(src, q.Keep).
func (q *Query) Keep(p Post) bool { return q.Match(&p) }

// markField records the atoms of kind k whose token is h.
func (q *Query) markField(set *atomSet, k atomKind, h uint64) {
	for i := range q.atoms {
		if a := &q.atoms[i]; a.kind == k && a.hashes[0] == h {
			set.add(int32(i))
		}
	}
}

// MatchText reports whether text, with no language, tags or mentions
// besides those written in it, matches the query.
func (q *Query) MatchText(text string) bool {
	var set atomSet
	return q.matchText(text, &set)
}

func (q *Query) matchText(text string, set *atomSet) bool {
	// A query without exclusions is false while no atom is found.
	empty := *set == atomSet{}
	if q.monotone && !empty && q.root.eval(set) {
		return true
	}
	if len(q.table) > 0 && (q.pre == nil || q.pre.mayMatch(text)) {
		sc := scanner{q: q, set: set, bloom: &q.bloom}
		sc.scan(text)
		if sc.done {
			return true
		}
	} else if q.monotone && empty {
		return false
	}
	return q.root.eval(set)
}

// hit looks a token up in the table, records the atoms it completes and
// reports whether the query is already satisfied.
func (sc *scanner) hit(h uint64, flags uint8) bool {
	q := sc.q
	for i := h & q.mask; ; i = (i + 1) & q.mask {
		s := &q.table[i]
		if s.hash == 0 {
			return false
		}
		if s.hash != h {
			continue
		}
		found := false
		for _, ai := range q.refs[s.start:s.end] {
			if sc.completes(&q.atoms[ai], flags) {
				sc.set.add(ai)
				found = true
			}
		}
		if found && q.monotone && q.root.eval(sc.set) {
			sc.done = true
			return true
		}
		return false
	}
}

// completes reports whether the token just scanned completes atom a.
func (sc *scanner) completes(a *atom, flags uint8) bool {
	switch a.kind {
	case atomTag:
		return flags&flagHash != 0
	case atomMention:
		return flags&flagMention != 0
	}
	k := len(a.hashes)
	if uint(k) > sc.n {
		return false
	}
	for j := 2; j <= k; j++ { // the last token matched already
		if sc.ring[(sc.n-uint(j))%maxPhrase] != a.hashes[k-j] {
			return false
		}
	}
	return true
}

// foldWords returns the ASCII-folded words of text for the prefilter, or
// nil unless every word folds to ASCII and the split agrees with the
// tokenizer's hashes.
func foldWords(text string, hashes []uint64) []string {
	words := splitWords(text)
	if len(words) != len(hashes) {
		return nil
	}
	folded := make([]string, len(words))
	for i, w := range words {
		f, ok := foldedASCII(w)
		if !ok || tokenHash(f) != hashes[i] || tokenHash(w) != hashes[i] {
			return nil
		}
		folded[i] = f
	}
	return folded
}

// tokenHash returns the hash of s's first token, for tags and mentions
// given as fields.
func tokenHash(s string) uint64 {
	sc := scanner{firstOnly: true, bloom: &allOnes}
	sc.scan(s)
	return sc.first
}

func langMatch(lang, want string) bool {
	if len(lang) < len(want) {
		return false
	}
	for i := 0; i < len(want); i++ {
		c := lang[i]
		if c == '_' {
			c = '-'
		}
		if c|0x20 != want[i]|0x20 && !(c == '-' && want[i] == '-') {
			return false
		}
	}
	return len(lang) == len(want) || lang[len(want)] == '-' || lang[len(want)] == '_'
}
