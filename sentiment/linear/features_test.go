package linear

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTokenize(t *testing.T) {
	var e extractor
	toks := func(s string) []string {
		e.tokenize(s)
		var out []string
		for _, tk := range e.toks {
			w := string(e.text(tk))
			switch {
			case tk.kind == kBreak:
				w = "|"
			case tk.neg:
				w = "NOT_" + w
			case tk.hashtag:
				w = "#" + w
			}
			out = append(out, w)
		}
		return out
	}
	assert.Equal(t, []string{"soo", "good", "!!"}, toks("Soooo GOOOOD!!!!"))
	assert.Equal(t, []string{"i", "don't", "NOT_like", "NOT_it", "|", "ok"}, toks("I don’t like it. Ok"))
	assert.Equal(t, []string{"<user>", "#fail", "<url>"}, toks("@acme #fail https://t.co/x?y=1"))
	assert.Equal(t, []string{"fish", "chips", "don't"}, toks("fish &amp; chips don&#39;t"))
	assert.Equal(t, []string{"no", "NOT_problem", "😀", "😡"}, toks("no problem 😀😡"))
	assert.Equal(t, []string{"café", "naïve"}, toks("CAFÉ naïve"))
	assert.Equal(t, []string{"#not", "NOT_happy", "|", "#fail", "#iphone"}, toks("#NotHappy. #FAIL #iphone"))
	assert.Empty(t, toks("  ... "))
	// Emoticons are tokens, written without a nose; a face ending in a
	// letter does not eat the start of a word.
	assert.Equal(t, []string{"great", ":)", ":)", "<3", "<3", ":D", "ok", ":("}, toks("great :) :-))) <3 &lt;3 :D ok:("))
	assert.Equal(t, []string{"re", "|", "post", "<url>", ":p", "|"}, toks("re:Post http://x.co/:p :p."))
}

func TestEscapes(t *testing.T) {
	var e extractor
	e.tokenize(`yes\u002c I can\u2019t wait \ud83d\ude00 \u00e9t\u00e9 \uzzzz \ud83d`)
	var out []string
	for _, tk := range e.toks {
		out = append(out, string(e.text(tk)))
	}
	assert.Equal(t, []string{"yes", "", "i", "can't", "wait", "😀", "été", "uzz"}, out)
}
