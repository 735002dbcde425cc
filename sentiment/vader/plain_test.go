package vader

import (
	"context"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment"
)

// general is the scorer's path for texts that the plain path does not
// take: replace, tokenize and the rules without their shortcuts.
func general(s *Scorer, text string) sentiment.Score {
	st := s.getState()
	defer s.putState(st)
	s.replace(st, text)
	capDiff := s.tokenize(st)
	if s.phrases != nil {
		s.mergePhrases(st)
	}
	toks := st.toks
	if len(toks) == 0 {
		return sentiment.Score{}
	}
	var sent []float64
	var pos []int32
	for _, i32 := range st.lex {
		i := int(i32)
		t := &toks[i]
		if t.flags&fBooster != 0 || i < len(toks)-1 && t.id == idKind && toks[i+1].id == idOf {
			continue
		}
		// idioms true: the rules' shortcut for texts without idioms is
		// not taken, so every rule runs.
		if v := s.valence(toks, i, capDiff, true); v != 0 {
			sent = append(sent, v)
			pos = append(pos, i32)
		}
	}
	if st.but >= 0 {
		butCheck(sent, pos, st.but)
	}
	return scoreValence(sent, len(toks)-len(sent), st.ep, st.qm)
}

// plainTexts returns random ASCII texts made of the words the rules name,
// lexicon words, punctuation, capitals, control characters and long
// tokens, in the mixes that exercise each branch of the plain path.
func plainTexts(n int) []string {
	words := []string{"good", "bad", "love", "hate", "no", "not", "never", "but", "so", "this", "kind", "of",
		"sort", "just", "enough", "least", "at", "very", "without", "doubt", "or", "nor", "the", "shit", "bomb",
		"ass", "yeah", "right", "kiss", "death", "to", "die", "for", "heart", "broken", "isn't", "don't",
		"kinda", "barely", "extremely", "happy", "sad", "lol", "wtf", ":)", ":(", "<3", "fuck", "great",
		"aren't", "WON'T", "ok", "okay", "xyz", "a", "I", "zzzzzzzzzzzzzzzz", "supercalifragilistic",
		"http://t.co/abcdef", "wouldn't-have-known-it", "INTELLECTUALIZATION!!", "@user", "#happy", "good!!", "!!good", "'good'", "...", "n't", "\x01good", "go\x7fod"}
	punct := []string{"", "", "", "!", "?", ",", ".", "'", "\"", "...", "!?", ")"}
	spaces := []string{" ", " ", " ", "  ", "\t", "\n", "\r\n", "\x1c", "\x1f", "\v"}
	rng := rand.New(rand.NewSource(7))
	out := []string{"", " ", "!!!", strings.Repeat("!", 10000), strings.Repeat("good ", 3000)}
	for len(out) < n {
		var b strings.Builder
		k := 1 + rng.Intn(25)
		for j := 0; j < k; j++ {
			w := words[rng.Intn(len(words))]
			switch rng.Intn(5) {
			case 0:
				w = strings.ToUpper(w)
			case 1:
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(punct[rng.Intn(len(punct))] + w + punct[rng.Intn(len(punct))])
			b.WriteString(spaces[rng.Intn(len(spaces))])
		}
		out = append(out, b.String())
	}
	return out
}

// TestPlainMatchesGeneral checks that the plain path and the rules'
// shortcuts give, bit for bit, what the general path gives.
func TestPlainMatchesGeneral(t *testing.T) {
	s := New()
	require.True(t, s.plain)
	texts := plainTexts(20000)
	rng := rand.New(rand.NewSource(8))
	for _, text := range texts {
		// Another text first, through the plain path: scratch space
		// that one path leaves must not change the other's result.
		scoreOf(s, texts[rng.Intn(len(texts))])
		require.Equal(t, general(s, text), scoreOf(s, text), "%q", text)
	}
	// Options that change tokens turn the plain path off.
	require.False(t, New(WithHTMLEntities(true)).plain)
	require.False(t, New(WithTerms(map[string]float64{"price hike": -2})).plain)
	require.True(t, New(WithTerms(map[string]float64{"meh": -1})).plain)
}

func FuzzPlain(f *testing.F) {
	for _, seed := range plainTexts(40) {
		f.Add(seed)
	}
	f.Add("The book was good.\x00\x01 NOT BAD at all!!")
	s := New()
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := scoreOf(s, text), general(s, text); got != want {
			t.Fatalf("%q: plain path %+v, general %+v", text, got, want)
		}
	})
}

// TestScoreBytes checks that ScoreBytes gives what Score gives, with
// each option that changes the path a text takes, from a buffer that is
// overwritten by the next text (as a line reader reuses its buffer).
func TestScoreBytes(t *testing.T) {
	ctx := context.Background()
	texts := append(plainTexts(3000), "", "Loving it 😍 &amp; more", "caf\xc3\xa9 \xff bad", "the price hike is NOT good")
	for _, s := range []*Scorer{New(), New(WithHTMLEntities(true)), New(WithTerms(map[string]float64{"price hike": -2.1}))} {
		buf := make([]byte, 0, 64)
		for _, text := range texts {
			buf = append(buf[:0], text...)
			got, err := s.ScoreBytes(ctx, buf)
			require.NoError(t, err)
			require.Equal(t, scoreOf(s, text), got, "%q", text)
			clear(buf)
		}
	}
}
