package htmltext

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestConvert(t *testing.T) {
	tests := []struct{ in, want string }{
		{"First<p>Second<p>Third", "First\n\nSecond\n\nThird"}, // HN: <p> without </p>
		{"<pre><code>  x := 1\n</code></pre>", "x := 1"},
		{"<i>it</i> &#x2F; &#x27;q&#x27;", "it / 'q'"},
		{"", ""},
	}
	for _, tc := range tests {
		got, _ := Convert(tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	_, links := Convert(`<a href="https:&#x2F;&#x2F;a.example&#x2F;x" rel="nofollow">https:&#x2F;&#x2F;a.example&#x2F;x</a>`)
	assert.Equal(t, []string{"https://a.example/x"}, links)
}
