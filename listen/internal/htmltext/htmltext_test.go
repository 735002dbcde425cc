package htmltext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestConvert(t *testing.T) {
	tests := []struct {
		name, in, want string
		links          []string
	}{
		{"hn paragraphs", "First<p>Second<p>Third", "First\n\nSecond\n\nThird", nil}, // <p> without </p>
		{"pre", "<pre><code>  x := 1\n</code></pre>", "x := 1", nil},
		{"hn entities", "<i>it</i> &#x2F; &#x27;q&#x27;", "it / 'q'", nil},
		{"empty", "", "", nil},
		{"plain", "hello", "hello", nil},
		{"plain lines", "plain  text\n here\n\n", "plain text\nhere", nil},
		{"plain entities", "Caf&eacute; &lt;b&gt;", "Café <b>", nil},
		{"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo", nil},
		{"br", "<p>a<br>b<br/>c<br />d</p>", "a\nb\nc\nd", nil},
		{"two br", "<p>a<br><br>b</p>", "a\n\nb", nil},
		{"br in paragraphs", "<p>One</p><p>Two<br>Three</p>", "One\n\nTwo\nThree", nil},
		{"entities", "<p>&lt;b&gt; &amp; &quot;q&quot; &#39;s&#39; &#x1F600; caf&eacute;</p>", `<b> & "q" 's' 😀 café`, nil},
		{"mention", `<p><span class="h-card"><a href="https://x/@bob" class="u-url mention">@<span>bob</span></a></span> hi</p>`, "@bob hi", nil},
		{"hashtag", `<a href="https://m/tags/go" class="mention hashtag" rel="tag">#<span>go</span></a>`, "#go", nil},
		{"invisible link parts", `<a href="https://example.com/a/long/path" rel="nofollow"><span class="invisible">https://</span><span class="ellipsis">example.com/a/</span><span class="invisible">long/path</span></a>`, "https://example.com/a/long/path", []string{"https://example.com/a/long/path"}},
		{"script dropped", "<p>a<script>alert(1)</script>b</p>", "ab", nil},
		{"head dropped", "<html><head><title>T</title></head><body>x</body></html>", "x", nil},
		{"unterminated", "<p>a <b", "a <b", nil},
		{"gt in attr", `<a href="https://x/?a>b">link</a>`, "link", []string{"https://x/?a>b"}},
		{"upper", "<P>a</P><P>b</P>", "a\n\nb", nil},
		{"feed markup", "<p>Go&nbsp;1.26 &amp; <a href=\"https://go.dev/x\">notes</a></p>\n  <script>bad()</script>", "Go 1.26 & notes", []string{"https://go.dev/x"}},
		{"list", `<ul><li>a</li><li>b</li></ul>`, "a\nb", nil},
		{"img alt", `<img alt="a cat"> sits`, "a cat sits", nil},
		{"relative links", `<a href="/relative">rel</a> <a href="javascript:x">js</a> <a href="mailto:x@y">m</a>`, "rel js m", nil},
		{"indented html", "<div>\n    <p>\n      spaced   out\n    </p>\n</div>", "spaced out", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, links := Convert(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.links, links)
		})
	}
	_, links := Convert(`<a href="https:&#x2F;&#x2F;a.example&#x2F;x" rel="nofollow">https:&#x2F;&#x2F;a.example&#x2F;x</a> <a href="https://a.example/x">again</a>`)
	assert.Equal(t, []string{"https://a.example/x"}, links, "unescaped, once")
}

// FuzzConvert checks properties, not outputs: valid UTF-8 in gives valid
// UTF-8 out, links are http(s), the text has no runs of spaces or
// surrounding (ASCII) white space, and converting the text again (once no
// markup or entity is left) changes nothing.
func FuzzConvert(f *testing.F) {
	for _, s := range []string{`<p>a<br>b</p><p>c &amp; d</p>`, `<a href="https://x/?a>b" class="u-url mention">@<span>bob</span></a>`,
		`<script>x</script><p`, `<span class="invisible">https://</span>`, "plain  text\n here", `<img alt="x &amp; y">`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, links := Convert(in)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from valid input %q", in)
		}
		for _, l := range links {
			if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
				t.Fatalf("non-http link %q", l)
			}
		}
		if out != strings.Trim(out, " \t\n\r\f\v") || strings.Contains(out, "  ") { // HTML's white space is ASCII
			t.Fatalf("white space not collapsed: %q -> %q", in, out)
		}
		if !strings.ContainsAny(out, "<&") && utf8.ValidString(out) {
			if again, _ := Convert(out); again != out {
				t.Fatalf("not idempotent: %q -> %q", out, again)
			}
		}
	})
}
