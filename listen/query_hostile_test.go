package listen

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Regression tests for issue 19, item 1: queries from end users or
// configuration files must not crash the process or cost more than their
// size.

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func requireQueryError(t *testing.T, query string, err error, msg string) {
	t.Helper()
	require.Error(t, err)
	var qe *QueryError
	require.True(t, errors.As(err, &qe), "want *QueryError, got %T", err)
	assert.Contains(t, qe.Msg, msg)
	assert.True(t, qe.Pos >= 0 && qe.Pos <= len(query), "position %d outside the query", qe.Pos)
}

func nested(depth int) string {
	return strings.Repeat("(", depth) + "acme" + strings.Repeat(")", depth)
}

// Two million nested parentheses overflowed the stack (a fatal error, not
// a panic), one million took 11.5 s and 1 GB, and a chain of a million
// NOTs made every Match take 0.46 s; now each query is refused before it
// is parsed.
func TestQueryHugeInputs(t *testing.T) {
	for name, q := range map[string]string{
		"2,000,000 nested parentheses": nested(2_000_000),
		"1,000,000 nested parentheses": nested(1_000_000),
		"1,000,000 NOTs":               strings.Repeat("NOT ", 1_000_000) + "acme",
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = Compile(q) })
			requireQueryError(t, q, err, "longer than")
			assert.Less(t, n, uint64(64<<10), "bytes allocated to refuse it")
		})
	}
}

func TestQueryNestingLimit(t *testing.T) {
	q, err := Compile(nested(maxDepth))
	require.NoError(t, err)
	assert.True(t, q.MatchText("ACME!"))

	deep := nested(maxDepth + 1)
	_, err = Compile(deep)
	requireQueryError(t, deep, err, "nested deeper than 64")
	assert.Contains(t, err.Error(), "position 65:")

	// Deep nesting inside the size limit is refused as quickly.
	deep = nested(maxQueryBytes/2 - 4)
	_, err = Compile(deep)
	requireQueryError(t, deep, err, "nested deeper")
}

// A 1 MB phrase allocated 120 MB before it was refused.
func TestQueryLongPhrase(t *testing.T) {
	huge := `"` + strings.Repeat("a ", 500_000) + `"`
	var err error
	n := allocated(func() { _, err = Compile(huge) })
	requireQueryError(t, huge, err, "longer than")
	assert.Less(t, n, uint64(64<<10), "bytes allocated to refuse a 1 MB phrase")

	// The longest phrase within the size limit is refused after its 17th word.
	long := `"` + strings.Repeat("a ", maxQueryBytes/2-1) + `"`
	n = allocated(func() { _, err = Compile(long) })
	requireQueryError(t, long, err, "phrase longer than 16 words")
	assert.Less(t, n, uint64(64<<10), "bytes allocated to refuse a 64 KiB phrase")
}

func TestQueryFoldsExclusions(t *testing.T) {
	cases := []struct {
		query string
		want  string // the compiled tree, atoms named by their order
	}{
		{"NOT NOT acme", "a0"},
		{"NOT NOT NOT acme", "-a0"},
		{"--acme", "-a0"}, // the second '-' starts a word; "-acme" is the word acme
		{"-(-acme)", "a0"},
		{"NOT (NOT (NOT acme))", "-a0"},
		{"NOT -(NOT acme) coffee", "(-a0 a1)"},
		{"-(-acme OR -tea)", "-(-a0 OR -a1)"},
		{"-(-(acme tea) OR NOT NOT tea)", "-(-(a0 a1) OR a2)"},
		{strings.Repeat("NOT ", 16_000) + "acme", "a0"},
		{strings.Repeat("NOT ", 16_001) + "acme", "-a0"},
		{strings.Repeat("-(", 10) + "acme" + strings.Repeat(")", 10), "a0"},
	}
	for _, tc := range cases {
		name := tc.query
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			q, err := Compile(tc.query)
			require.NoError(t, err)
			assert.Equal(t, tc.want, q.root.describe())
		})
	}
	// A chain of exclusions costs Match no more than one.
	q := MustCompile(strings.Repeat("NOT ", 16_000) + "acme")
	assert.True(t, q.monotone, "an even chain is no exclusion")
	assert.False(t, q.MatchText("coffee"))
	assert.True(t, q.MatchText("acme coffee"))
}

// describe prints a compiled tree, naming each atom by its index.
func (n *qnode) describe() string {
	switch n.op {
	case opAtom:
		return "a" + strconv.Itoa(n.atom)
	case opNot:
		return "-" + n.kids[0].describe()
	}
	sep := " "
	if n.op == opOr {
		sep = " OR "
	}
	var parts []string
	for _, k := range n.kids {
		parts = append(parts, k.describe())
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// Compiling any query of up to maxQueryBytes allocates a bounded multiple
// of its size, however it is shaped.
func TestQueryCompileCostIsLinear(t *testing.T) {
	fill := func(unit string) string {
		return strings.Repeat(unit, maxQueryBytes/len(unit))
	}
	shapes := map[string]string{
		"parentheses":   fill("("),
		"closing":       fill(")"),
		"balanced":      fill("(a)"),
		"exclusions":    fill("- ") + "a",
		"NOT words":     fill("NOT ") + "a",
		"ORs":           "a" + fill(" OR a")[5:],
		"words":         fill("a "),
		"phrases":       fill(`"a b" `),
		"quotes":        fill(`"`),
		"one long word": fill("a"),
		"tags":          fill("#a "),
		"lang":          fill("lang:en "),
		"emoji":         fill("🔥 "),
		"accents":       fill("é"),
		"dashes":        fill("-"),
	}
	for name, q := range shapes {
		t.Run(name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = Compile(q) })
			if err != nil {
				requireQueryError(t, q, err, "")
			}
			assert.Less(t, n, uint64(64*len(q)), "bytes allocated for %d query bytes", len(q))
		})
	}
}

// FuzzCompileRepeated compiles deep and long queries grown from small
// seeds: a prefix, a unit repeated up to 70,000 times (past maxQueryBytes
// for units of one byte) and a suffix. Compile returns a query or a
// *QueryError, never crashes, and a compiled query matches its own text.
func FuzzCompileRepeated(f *testing.F) {
	seeds := []struct {
		prefix, unit, suffix string
		n                    uint16
	}{
		{"", "(", "a", 2000},
		{"a ", "NOT ", "b", 5000},
		{"", "-(", "a", 100},
		{`"`, "a ", `"`, 40},
		{"", "a OR ", "b", 300},
		{"", "é", "", 40000},
		{"(a ", "(b OR -c) ", ")", 50},
		{"", `"`, "", 3},
	}
	for _, s := range seeds {
		f.Add(s.prefix, s.unit, s.suffix, s.n)
	}
	f.Fuzz(func(t *testing.T, prefix, unit, suffix string, n uint16) {
		if len(unit) > 64 || len(prefix) > 256 || len(suffix) > 256 {
			return
		}
		query := prefix + strings.Repeat(unit, int(n)) + suffix
		q, err := Compile(query)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) || qe.Pos < 0 || qe.Pos > len(query) {
				t.Fatalf("error %v (%T) is not a *QueryError inside the query", err, err)
			}
			return
		}
		if q.root.size() > 8*maxAtoms {
			t.Fatalf("compiled tree of %d nodes for %d atoms", q.root.size(), len(q.atoms))
		}
		p := Post{Text: query, Lang: "en"}
		if first := q.Match(&p); q.Match(&p) != first {
			t.Fatal("Match is not deterministic")
		}
	})
}

func (n *qnode) size() int {
	s := 1
	for _, k := range n.kids {
		s += k.size()
	}
	return s
}
