package vader

import "github.com/earshot-dev/earshot/sentiment/internal/wordtab"

// table is the lookup table from lower-case tokens to entries, shared in
// design (and code) with the social scorer: keys of up to 15 bytes are
// found by two 64-bit words, without hashing a string or allocating.
type table struct{ wordtab.Table[entry] }

func newTable(n int) *table { return &table{*wordtab.New[entry](n)} }

// get returns the entry of key (the zero entry if absent).
func (t *table) get(key []byte) entry {
	e, _ := t.Get(key)
	return e
}

func (t *table) set(key string, e entry)            { t.Set(key, e) }
func (t *table) update(key string, f func(*entry))  { t.Update(key, f) }
func (t *table) clone() *table                      { return &table{*t.Clone()} }
func (t *table) len() int                           { return t.Len() }
func (t *table) all(yield func(string, entry) bool) { t.All(yield) }
