package social_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

var (
	_ sentiment.Scorer           = (*social.Scorer)(nil)
	_ sentiment.LanguageReporter = (*social.Scorer)(nil)
)

// TestComplaints checks each fix against VADER's known behaviour on the
// same text.
func TestComplaints(t *testing.T) {
	s, v := social.New(), vader.New()
	c := func(text string) float64 { return scoreOf(s, text).Compound }
	vc := func(text string) float64 { return scoreOf(v, text).Compound }

	t.Run("hashtags are segmented", func(t *testing.T) {
		assert.Equal(t, 0.0, vc("#NotHappy"))
		assert.Less(t, c("#NotHappy"), -0.3)
		assert.Less(t, c("new update #fail"), -0.3)
		assert.Less(t, c("new update #epicfail"), -0.3, "one-case tags are split with a dictionary")
		assert.Greater(t, c("so #blessed"), 0.3)
		assert.Equal(t, 0.0, c("#MondayMorning #tbt"), "tags without sentiment words stay neutral")
	})
	t.Run("emoji runs", func(t *testing.T) {
		assert.Equal(t, 0.0, vc("😡😡😡"), "VADER reads 'pouting face'")
		assert.Less(t, c("😡😡😡"), -0.5)
		assert.Less(t, c("service😡"), -0.3, "no space needed")
		one, three, ten := c("new phone 😍"), c("new phone 😍😍😍"), c("new phone "+strings.Repeat("😍", 10))
		assert.Greater(t, three, one, "a run emphasises")
		assert.Equal(t, three+0, math.Min(three, ten), "the emphasis is bounded")
		assert.Greater(t, c("this is 🔥🔥"), 0.3, "🔥 is praise, not a fire")
		assert.Less(t, c("my 💔"), -0.3, "VADER's description 'broken heart' scores positive at the start of a text")
		assert.Greater(t, c("👍🏽 thanks"), 0.3, "skin tones are ignored")
	})
	t.Run("negation scope and idioms", func(t *testing.T) {
		assert.Greater(t, c("not bad at all"), 0.3)
		assert.Greater(t, c("No problem, happy to help"), 0.5)
		assert.Greater(t, c("no worries!"), 0.3)
		assert.Greater(t, c("can't wait for the weekend"), 0.3)
		assert.Less(t, c("the food was not good"), -0.3)
		assert.Less(t, c("not happy with the service"), -0.3)
		// The negation stops at the end of its clause.
		assert.Less(t, vc("I don't know. Great show"), 0.0, "VADER negates across the full stop")
		assert.Greater(t, c("I don't know. Great show"), 0.3)
		// "never so/this" compares rather than negates.
		assert.Greater(t, c("never been so happy"), 0.5)
		assert.Greater(t, c("haven't been this happy in years"), 0.5)
	})
	t.Run("elongation", func(t *testing.T) {
		assert.Equal(t, 0.0, vc("gooood"))
		assert.Greater(t, c("gooood"), c("good"), "elongation emphasises")
		assert.Greater(t, c("soooo gooood"), c("so good"))
		assert.Less(t, c("baaaad"), -0.3)
	})
	t.Run("HTML entities and escapes", func(t *testing.T) {
		assert.Greater(t, c("I &lt;3 it"), 0.3)
		assert.Equal(t, c("don't like it"), c(`don\u2019t like it`))
		assert.Equal(t, c("don't like it"), c("don’t like it"))
	})
	t.Run("URLs and mentions are ignored", func(t *testing.T) {
		assert.Greater(t, vc("@happy check https://great.example/love"), 0.0)
		assert.Equal(t, sentiment.Score{}, scoreOf(s, "@happy https://great.example/love www.win.example"))
		assert.Equal(t, c("great phone"), c("@bestbuy great phone http://t.co/xyz"))
	})
	t.Run("discourse markers and like", func(t *testing.T) {
		assert.Equal(t, 0.0, c("Ok. Where is the shuttle?"))
		assert.Equal(t, 0.0, c("No, I had not contacted her."))
		assert.Equal(t, 0.0, c("it looks like a storm"))
		assert.Greater(t, c("I like it"), 0.3)
	})
	t.Run("names are not opinions", func(t *testing.T) {
		assert.Less(t, vc("watching Star Wars tonight"), -0.3)
		assert.Equal(t, 0.0, c("watching Star Wars tonight"))
		assert.Equal(t, 0.0, c("Pretty Little Liars is back on Tuesday"))
		assert.Less(t, c("this war is awful"), -0.3)
		assert.Greater(t, c("Love This Song So Much"), 0.3, "Title Case posts keep their words")
	})
	t.Run("length-aware compound", func(t *testing.T) {
		long := strings.Repeat("The staff was nice. ", 12)
		assert.Greater(t, vc(long), 0.98)
		assert.Less(t, c(long), vc(long)-0.02)
		assert.Greater(t, c(long), c("The staff was nice."), "more evidence still counts")
	})
	t.Run("weak leanings are neutral", func(t *testing.T) {
		assert.Equal(t, sentiment.Neutral, scoreOf(s, "I'm sorry.").Polarity())
		assert.Equal(t, sentiment.Negative, scoreOf(v, "I'm sorry.").Polarity())
	})
}

func TestWithTerms(t *testing.T) {
	base := social.New()
	s := social.New(social.WithTerms(map[string]float64{"bussin": 2.5, "Price Hike": -2.1, "x": math.Inf(1)}))
	assert.Equal(t, 0.0, scoreOf(base, "the new menu is bussin").Compound)
	assert.Greater(t, scoreOf(s, "the new menu is bussin").Compound, 0.3)
	assert.Greater(t, scoreOf(s, "bussiiiin").Compound, 0.3, "elongated slang too")
	assert.Less(t, scoreOf(s, "another price hike").Compound, -0.3)
	assert.Greater(t, scoreOf(s, "no price hike this year").Compound, 0.3)
	assert.Equal(t, 0.0, scoreOf(s, "x").Compound, "non-finite values are ignored")
	assert.Equal(t, 0.0, scoreOf(social.New(), "bussin").Compound, "the shared tables are unchanged")
}

func TestNeutralBand(t *testing.T) {
	text := "I'm sorry."
	assert.Equal(t, sentiment.Neutral, scoreOf(social.New(), text).Polarity())
	assert.Equal(t, sentiment.Negative, scoreOf(social.New(social.WithNeutralBand(0)), text).Polarity())
	assert.Equal(t, sentiment.Neutral, scoreOf(social.New(social.WithNeutralBand(10)), "great!").Polarity())
	assert.Equal(t, scoreOf(social.New(social.WithNeutralBand(0)), text), scoreOf(social.New(social.WithNeutralBand(-1)), text))
}

func TestSupports(t *testing.T) {
	s := social.New()
	assert.True(t, s.Supports("en"))
	assert.False(t, s.Supports("fr"))
	_, err := sentiment.ScoreLang(context.Background(), s, "C'est nul", "fr")
	assert.True(t, errors.Is(err, sentiment.ErrUnsupportedLanguage))
}

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
	s := social.New()
	for _, tc := range []struct{ name, text string }{
		{"empty", ""},
		{"white space", " \t\n\u3000 "},
		{"only emoji", "😀😍🥰"},
		{"invalid UTF-8", "good \xff\xfe\xc3 \xe2\x82 great #\xff"},
		{"ZWJ", "👨\u200d👩\u200d👧\u200d👦 love"},
		{"combining marks", "goo\u0301d cafe\u0301"},
		{"a million !", strings.Repeat("!", 1_000_000)},
		{"1 MB of text", strings.Repeat("good but bad, #NotHappy soooo great 😍😍 @x http://y ", 1<<20/56)},
		{"1 MB word", strings.Repeat("o", 1<<20)},
		{"1 MB hashtag", "#" + strings.Repeat("notgood", 1<<17)},
		{"entities", "&#0; &#xD800; &#99999999; &amp &; \\u12 \\uZZZZ \\u0000"},
		{"lone punctuation", "# @ ' - _ :"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkScore(t, scoreOf(s, tc.text))
		})
	}
	assert.Equal(t, sentiment.Score{}, scoreOf(s, ""))
	assert.Equal(t, sentiment.Score{}, scoreOf(s, "   "))
	assert.Greater(t, scoreOf(s, "😀😍🥰").Compound, 0.5)
}

func TestConcurrent(t *testing.T) {
	s := social.New()
	texts := []string{"#NotHappy", "soooo gooood 😍😍", "not bad at all", strings.Repeat("great but bad ", 300)}
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
				if got, _ := s.Score(context.Background(), texts[k]); got != want[k] {
					t.Errorf("goroutine %d: %+v want %+v", g, got, want[k])
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func FuzzScore(f *testing.F) {
	for _, seed := range []string{"", "#NotHappy", "soooo gooood", "😍😍😍", "not bad at all", "@x http://y",
		"&lt;3 &#128512;", `don\u2019t`, "kind of good", "the hell out of", "\xff#\xfe", "Ok. No, like a boss"} {
		f.Add(seed)
	}
	s := social.New()
	custom := social.New(social.WithTerms(map[string]float64{"price hike": -2, "no no": 1}), social.WithNeutralBand(0))
	f.Fuzz(func(t *testing.T, text string) {
		for _, sc := range []*social.Scorer{s, custom} {
			a := scoreOf(sc, text)
			checkScore(t, a)
			if b := scoreOf(sc, text); a != b {
				t.Fatalf("not deterministic: %+v then %+v", a, b)
			}
		}
		if utf8.ValidString(text) && strings.TrimSpace(text) == "" {
			require.Equal(t, sentiment.Score{}, scoreOf(s, text))
		}
	})
}
