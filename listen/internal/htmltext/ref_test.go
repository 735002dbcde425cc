package htmltext

import (
	"html"
	"testing"
)

// refTagEnd is tagEnd as first written, byte by byte: the definition the
// faster one must keep.
func refTagEnd(s string, i int) int {
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return -1
}

func FuzzTagEnd(f *testing.F) {
	for _, s := range []string{`<a href="x>y" class='m'>t</a>`, `<a b='"'>`, `<a b="'>`, `<p>`, `<a "`, `>`, `<img alt='a>b' src="c">`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i <= len(s); i++ {
			if got, want := tagEnd(s, i), refTagEnd(s, i); got != want {
				t.Fatalf("tagEnd(%q, %d) = %d, want %d", s, i, got, want)
			}
		}
	})
}

// FuzzTextEntities checks that writing a segment entity by entity gives
// what unescaping it whole first gave, from any state of the writer.
func FuzzTextEntities(f *testing.F) {
	for _, s := range []string{"a &amp; b", "&lt;3&gt;", "&amp", "&ampx; &#39;&#x27;", "x&quot;y &apos; &nbsp;z", "&#32;&amp;&#10;", "&", "&&amp;;"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, state uint8) {
		var got, want writer
		for _, w := range []*writer{&got, &want} {
			if state&1 != 0 {
				w.b.WriteString("x")
			}
			w.space, w.lines = state&2 != 0, int(state>>2)%3
		}
		got.text(s)
		want.plain(html.UnescapeString(s))
		if got.b.String() != want.b.String() || got.space != want.space || got.lines != want.lines {
			t.Fatalf("text(%q) = %q %v %d, want %q %v %d", s, got.b.String(), got.space, got.lines, want.b.String(), want.space, want.lines)
		}
	})
}
