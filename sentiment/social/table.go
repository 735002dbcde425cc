package social

import "github.com/earshot-dev/earshot/sentiment/internal/wordtab"

// table maps lower-case words to entries: the table the VADER scorer uses
// (package wordtab), so words of up to 15 bytes are found by two 64-bit
// words without hashing a string or allocating. It is built once and
// then only read.
type table struct{ wordtab.Table[wentry] }

// newTable builds a table from m.
func newTable(m map[string]wentry) *table {
	t := &table{*wordtab.New[wentry](len(m))}
	for k, e := range m {
		t.Set(k, e)
	}
	return t
}

// get returns the entry of w and whether there is one.
func (t *table) get(w []byte) (wentry, bool) { return t.Get(w) }

// getPadded is get for the n (1..16) first bytes of p, which has 16.
func (t *table) getPadded(p []byte, n int) (wentry, bool) {
	if n > wordtab.MaxShort {
		return t.Get(p[:n])
	}
	k0, k1 := wordtab.MaskKey(p, n)
	return t.Lookup(k0, k1, n)
}
