package vader_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

var (
	_ sentiment.Scorer           = (*vader.Scorer)(nil)
	_ sentiment.LanguageReporter = (*vader.Scorer)(nil)
)

// TestReadme checks the examples published in vaderSentiment's README
// (version 3.3.2), which were produced by the reference.
func TestReadme(t *testing.T) {
	s := vader.New()
	for _, tc := range []struct {
		text               string
		compound, pos, neu float64
		neg                float64
	}{
		{"VADER is smart, handsome, and funny.", 0.8316, 0.746, 0.254, 0},
		{"VADER is smart, handsome, and funny!", 0.8439, 0.752, 0.248, 0},
		{"VADER is very smart, handsome, and funny.", 0.8545, 0.701, 0.299, 0},
		{"VADER is VERY SMART, handsome, and FUNNY.", 0.9227, 0.754, 0.246, 0},
		{"VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342, 0.767, 0.233, 0},
		{"VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.9469, 0.706, 0.294, 0},
		{"VADER is not smart, handsome, nor funny.", -0.7424, 0, 0.354, 0.646},
		{"The book was good.", 0.4404, 0.492, 0.508, 0},
		{"The book was only kind of good.", 0.3832, 0.303, 0.697, 0},
		{"The plot was good, but the characters are uncompelling and the dialog is not great.", -0.7042, 0.094, 0.579, 0.327},
		{"Today SUX!", -0.5461, 0, 0.221, 0.779},
		{"Today only kinda sux! But I'll get by, lol", 0.5249, 0.317, 0.556, 0.127},
		{"Make sure you :) or :D today!", 0.8633, 0.706, 0.294, 0},
		{"Catch utf-8 emoji such as 💘 and 💋 and 😁", 0.875, 0.417, 0.583, 0},
		{"Not bad at all", 0.431, 0.487, 0.513, 0},
	} {
		t.Run(tc.text, func(t *testing.T) {
			got := scoreOf(s, tc.text)
			assert.Equal(t, sentiment.Score{Compound: tc.compound, Positive: tc.pos, Neutral: tc.neu, Negative: tc.neg}, got)
		})
	}
}

// norm is the reference's normalize, rounded as compound is.
func norm(sum float64) float64 { return vaderrules.Round(sum/math.Sqrt(sum*sum+15), 4) }

func lex(t *testing.T, w string) float64 {
	t.Helper()
	v, ok := vader.DefaultLexicon().Valence(w)
	require.True(t, ok, "%q not in lexicon", w)
	return v
}

// TestQuirks checks each reproduced quirk against the value the
// reference's rules give, computed from the lexicon.
func TestQuirks(t *testing.T) {
	s := vader.New()
	compound := func(text string) float64 { return scoreOf(s, text).Compound }

	t.Run("so/this precedence slip", func(t *testing.T) {
		// "good" right after "so", with a non-lexicon word three back: the
		// third-word negation check multiplies by 1.25.
		assert.Equal(t, norm((lex(t, "good")+0.293)*1.25), compound("it is so good"))
		// Without three preceding words the slip cannot fire.
		assert.Equal(t, norm(lex(t, "good")+0.293), compound("so good"))
	})
	t.Run("but uses the first matching value", func(t *testing.T) {
		// love=3.2 is halved to 1.6; accept=1.6 then finds index 0 first
		// and halves love again instead of scaling itself by 1.5.
		got := scoreOf(s, "love but accept")
		assert.Equal(t, norm(3.2/4+1.6), got.Compound)
		assert.Equal(t, vaderrules.Round(4.4/5.4, 3), got.Positive)
		assert.Equal(t, 1.6, lex(t, "accept"))
		// Distinct values behave as documented: before x0.5, after x1.5.
		assert.Equal(t, norm(lex(t, "good")*0.5+lex(t, "bad")*1.5), compound("good but bad"))
	})
	t.Run("any white space splits", func(t *testing.T) {
		want := scoreOf(s, "good bad")
		for _, sep := range []string{"\t", "\n", "\u00a0", "\u3000", "\u2003", "\x1c", "\u0085"} {
			assert.Equal(t, want, scoreOf(s, "good"+sep+"bad"), "%q", sep)
		}
		// Zero-width space and joiner do not split.
		assert.Equal(t, 0.0, compound("good\u200bbad"))
		assert.Equal(t, 0.0, compound("good\u200dbad"))
	})
	t.Run("short tokens keep punctuation", func(t *testing.T) {
		assert.Equal(t, 0.0, compound("ok!"), `"ok" is stripped to 2 letters, so "ok!" stays`)
		assert.Equal(t, norm(lex(t, "ok")), compound("ok"))
		assert.Equal(t, compound("good"), compound("(good)"))
	})
	t.Run("emoji descriptions", func(t *testing.T) {
		assert.Equal(t, scoreOf(s, "beaming face with smiling eyes"), scoreOf(s, "😁"))
		// A space before the description, none after.
		assert.Equal(t, scoreOf(s, "good beaming face with smiling eyesgood"), scoreOf(s, "good😁good"))
		// The variation selector sticks to "heart".
		assert.Equal(t, scoreOf(s, "red heart\ufe0f"), scoreOf(s, "❤️"))
		assert.Equal(t, norm(lex(t, "heart")), compound("❤"))
		// "ON! arrow" brings an exclamation mark: "good 🔛" has more
		// emphasis than "good on arrow".
		assert.Equal(t, norm(lex(t, "good")+0.292), compound("good 🔛"))
	})
	t.Run("idioms need three words before", func(t *testing.T) {
		// Both words take the idiom's value: "broken" through the
		// following-word check, "heart" through the preceding one.
		assert.Equal(t, norm(-2.9-2.9), compound("i have a broken heart"))
		assert.Equal(t, norm(lex(t, "broken")+lex(t, "heart")), compound("broken heart"))
	})
	t.Run("kind of", func(t *testing.T) {
		assert.Equal(t, 0.0, compound("kind of"))
		assert.Equal(t, norm(lex(t, "kind")), compound("kind"))
	})
	t.Run("no", func(t *testing.T) {
		// "no" before a lexicon word scores 0 and negates it.
		assert.Equal(t, norm(lex(t, "good")*-0.74), compound("no good"))
		assert.Equal(t, norm(lex(t, "no")), compound("no"))
	})
	t.Run("caps push zero valence down", func(t *testing.T) {
		// "NO" is zeroed (next word is in the lexicon) and then gets -0.733
		// for ALL CAPS, since not every token is in capitals.
		got := compound("NO good thing")
		assert.Equal(t, norm(-0.733+lex(t, "good")*-0.74), got)
	})
	t.Run("compound is rounded to 4 places", func(t *testing.T) {
		c := compound("The book was good.")
		assert.InDelta(t, math.Round(c*1e4), c*1e4, 1e-9)
	})
}

func TestSupports(t *testing.T) {
	s := vader.New()
	assert.True(t, s.Supports(""))
	assert.True(t, s.Supports("en-GB"))
	assert.False(t, s.Supports("de"))
	_, err := sentiment.ScoreLang(context.Background(), s, "Das ist gut", "de")
	assert.True(t, errors.Is(err, sentiment.ErrUnsupportedLanguage))
}

func TestWithTerms(t *testing.T) {
	base := vader.New()
	s := vader.New(vader.WithTerms(map[string]float64{
		"price hike": -2.1,
		"Fire":       2.0, // keys are lower-cased
		"":           3,   // ignored
		"blorft":     math.NaN(),
	}), vader.WithTerms(map[string]float64{"mid": -1}))
	compound := func(sc *vader.Scorer, text string) float64 { return scoreOf(sc, text).Compound }

	assert.Equal(t, 0.0, compound(base, "another price hike"))
	assert.Equal(t, norm(-2.1), compound(s, "another price hike"))
	// Capitals emphasise the phrase as they would a word.
	assert.Equal(t, norm(-2.1-0.733), compound(s, "another PRICE HIKE"))
	// The phrase is one lexicon item: negation and boosters apply.
	assert.Equal(t, norm(-2.1*-0.74), compound(s, "not a price hike"))
	assert.Equal(t, norm(-2.1-0.293), compound(s, "very price hike"))
	// Partial phrases do not match.
	assert.Equal(t, 0.0, compound(s, "the price is right"))
	// Overrides and additions.
	assert.Equal(t, norm(lex(t, "fire")), compound(base, "fire"))
	assert.Equal(t, norm(2.0), compound(s, "fire"))
	assert.Equal(t, norm(-1), compound(s, "mid"))
	assert.Equal(t, 0.0, compound(s, "blorft"), "NaN valences are ignored")
	// The base scorer is unchanged: the shared lexicon was not modified.
	assert.Equal(t, norm(lex(t, "fire")), compound(vader.New(), "fire"))
}

func TestWithHTMLEntities(t *testing.T) {
	text := "I &lt;3 this &amp; that &#128512; &bogus; &#xZZ;"
	off := scoreOf(vader.New(), text)
	on := scoreOf(vader.New(vader.WithHTMLEntities(true)), text)
	assert.Equal(t, scoreOf(vader.New(), "I this that"), off)
	assert.Equal(t, scoreOf(vader.New(), "I <3 this & that 😀 &bogus; &#xZZ;"), on)
	assert.Greater(t, on.Compound, 0.5)
}

func TestReadLexicon(t *testing.T) {
	lx, err := vader.ReadLexicon(strings.NewReader("great\t3.1\t0.7\t[3, 3]\n\n  meh\t-0.5  \nmeh\t-0.6\nnew word\t1\n"))
	require.NoError(t, err)
	assert.Equal(t, 3, lx.Len())
	v, ok := lx.Valence("meh")
	assert.True(t, ok)
	assert.Equal(t, -0.6, v, "last entry wins")
	s := vader.New(vader.WithLexicon(lx))
	assert.Equal(t, norm(3.1), scoreOf(s, "great").Compound)
	assert.Equal(t, 0.0, scoreOf(s, "good").Compound, "the default lexicon is replaced")
	assert.Equal(t, 0.0, scoreOf(s, "new word").Compound, "multi-word lexicon keys never match, as in the reference")

	for _, tc := range []struct {
		in   string
		line int
	}{
		{"good\t1.9\nbad\n", 2},
		{"good\t1.9\n\nbad\tterrible\n", 3},
		{"x\tNaN\n", 1},
		{"x\t+Inf\n", 1},
		{strings.Repeat("a", 2<<20) + "\t1\n", 1},
	} {
		_, err := vader.ReadLexicon(strings.NewReader(tc.in))
		var le *vader.LexiconError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, tc.line, le.Line)
		assert.ErrorIs(t, err, vader.ErrLexicon)
		assert.True(t, strings.HasPrefix(err.Error(), "vader: lexicon line "), err.Error())
	}
	_, err = vader.ReadLexicon(failingReader{})
	assert.ErrorContains(t, err, "vader: read lexicon: ")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk gone") }

// checkScore checks the invariants of any score.
func checkScore(t testing.TB, sc sentiment.Score) {
	t.Helper()
	for _, v := range []float64{sc.Compound, sc.Positive, sc.Neutral, sc.Negative} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite figure in %+v", sc)
		}
	}
	if sc.Compound < -1 || sc.Compound > 1 {
		t.Fatalf("compound out of range: %+v", sc)
	}
	if sum := sc.Positive + sc.Neutral + sc.Negative; sum != 0 && math.Abs(sum-1) > 0.0021 {
		t.Fatalf("proportions sum to %v: %+v", sum, sc)
	}
}

func TestBadInput(t *testing.T) {
	s := vader.New()
	for _, tc := range []struct {
		name string
		text string
		want func(t *testing.T, sc sentiment.Score)
	}{
		{"empty", "", func(t *testing.T, sc sentiment.Score) { assert.Equal(t, sentiment.Score{}, sc) }},
		{"white space", " \t\n\u3000\u00a0 ", func(t *testing.T, sc sentiment.Score) { assert.Equal(t, sentiment.Score{}, sc) }},
		{"only emoji", "😀😍🥰", func(t *testing.T, sc sentiment.Score) { assert.Greater(t, sc.Compound, 0.5) }},
		{"invalid UTF-8", "good \xff\xfe\xc3 \xe2\x82 great", func(t *testing.T, sc sentiment.Score) {
			assert.Equal(t, scoreOf(s, "good x y great").Compound, sc.Compound)
		}},
		{"ZWJ family", "👨\u200d👩\u200d👧 love", func(t *testing.T, sc sentiment.Score) { assert.Greater(t, sc.Compound, 0.0) }},
		{"combining marks", "goo\u0301d cafe\u0301 ba\u0308d", func(t *testing.T, sc sentiment.Score) { assert.Equal(t, 0.0, sc.Compound) }},
		{"a million !", strings.Repeat("!", 1_000_000), func(t *testing.T, sc sentiment.Score) {
			assert.Equal(t, sentiment.Score{Neutral: 1}, sc)
		}},
		{"good and a million !", "good " + strings.Repeat("!", 1_000_000), func(t *testing.T, sc sentiment.Score) {
			assert.Equal(t, norm(lex(t, "good")+4*0.292), sc.Compound)
		}},
		{"1 MB of text with but", strings.Repeat("good but bad, great but awful and fine ", 1<<20/39), func(t *testing.T, sc sentiment.Score) {
			assert.Equal(t, 1.0, sc.Compound, "saturates: the words sum to a large positive")
		}},
		{"1 MB of one word", strings.Repeat("a", 1<<20), func(t *testing.T, sc sentiment.Score) { assert.Equal(t, sentiment.Score{Neutral: 1}, sc) }},
		{"256 KB of emoji", strings.Repeat("😍", 1<<16), func(t *testing.T, sc sentiment.Score) { assert.Equal(t, 1.0, math.Round(sc.Compound)) }},
		{"NUL and controls", "good\x00bad \x01 \x7f", func(t *testing.T, sc sentiment.Score) { assert.Equal(t, 0.0, sc.Compound) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := scoreOf(s, tc.text)
			checkScore(t, sc)
			tc.want(t, sc)
		})
	}
}

func TestConcurrent(t *testing.T) {
	s := vader.New()
	texts := []string{"The book was good.", "Today SUX!", "love but accept", "😍 #fail", strings.Repeat("great but bad ", 100)}
	want := make([]sentiment.Score, len(texts))
	for i, x := range texts {
		want[i] = scoreOf(s, x)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (i + g) % len(texts)
				got, err := s.Score(context.Background(), texts[k])
				if err != nil || got != want[k] {
					t.Errorf("goroutine %d: got %+v, %v want %+v", g, got, err, want[k])
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func FuzzScore(f *testing.F) {
	for _, seed := range []string{"", "The book was good.", "VADER is VERY SMART!!!", "love but accept",
		"😁good", "❤️", "no no good", "not a price hike", "i have a broken heart", "\xff\xfe",
		"&amp;&#128512;", "KIND OF GOOD but never so bad", "at least", "ok!"} {
		f.Add(seed)
	}
	plain := vader.New()
	custom := vader.New(vader.WithHTMLEntities(true), vader.WithTerms(map[string]float64{"price hike": -2, "no no": 1}))
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range []*vader.Scorer{plain, custom} {
			a := scoreOf(s, text)
			checkScore(t, a)
			if b := scoreOf(s, text); a != b {
				t.Fatalf("not deterministic: %+v then %+v", a, b)
			}
		}
		if utf8.ValidString(text) && strings.TrimSpace(text) == "" && scoreOf(plain, text) != (sentiment.Score{}) {
			t.Fatalf("white space scored %+v", scoreOf(plain, text))
		}
	})
}

func FuzzReadLexicon(f *testing.F) {
	f.Add("good\t1.9\t0.9\t[2, 2]\n")
	f.Add("bad\t-2.5\n\n\n")
	f.Add("x\ty\n")
	f.Add("( '}{' )\t1.6\n:-Þ\t1\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		lx, err := vader.ReadLexicon(strings.NewReader(in))
		if err != nil {
			var le *vader.LexiconError
			if !errors.As(err, &le) || le.Line < 1 {
				t.Fatalf("error %v is not a LexiconError with a line", err)
			}
			return
		}
		var sb strings.Builder
		for k, v := range lx.All() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite valence for %q", k)
			}
			got, ok := lx.Valence(k)
			if !ok || got != v {
				t.Fatalf("Valence(%q) = %v, %v; All gave %v", k, got, ok, v)
			}
			if !strings.ContainsAny(k, "\t\n\r") && strings.TrimSpace(k) == k {
				sb.WriteString(k + "\t" + formatFloat(v) + "\n")
			}
		}
		// Entries that survive writing read back the same.
		again, err := vader.ReadLexicon(strings.NewReader(sb.String()))
		if err != nil {
			t.Fatalf("re-reading written lexicon: %v", err)
		}
		for k, v := range again.All() {
			if got, ok := lx.Valence(k); !ok || got != v {
				t.Fatalf("round trip of %q: %v, %v want %v", k, got, ok, v)
			}
		}
		_ = scoreOf(vader.New(vader.WithLexicon(lx)), "good bad x y")
	})
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
