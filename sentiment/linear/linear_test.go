package linear

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toy is a small, clearly separable training set.
func toy() []Example {
	pos := []string{"I love this, it is great", "what a wonderful day :)", "awesome service, thanks!", "so happy with it", "best purchase ever, love it", "great job, brilliant work", "amazing and lovely", "thank you, this is excellent"}
	neg := []string{"I hate this, it is awful", "what a terrible day :(", "worst service ever", "so sad and angry", "this is broken and useless", "horrible job, bad work", "disgusting and nasty", "never again, a total disaster"}
	neu := []string{"the meeting is at 3pm", "the store opens on monday", "he posted a photo of the bridge", "tickets go on sale tomorrow", "the train leaves from platform 4", "new episode out on friday", "the report covers the third quarter", "she moved to the city in may"}
	var out []Example
	for i := range pos {
		out = append(out, Example{pos[i], sentiment.Positive}, Example{neg[i], sentiment.Negative}, Example{neu[i], sentiment.Neutral})
	}
	return out
}

func small() Config { return Config{Features: Features{Bits: 12}, Seed: 7, Lang: "en"} }

func TestTrainRejectsBadData(t *testing.T) {
	_, err := Train(nil, Config{})
	require.ErrorIs(t, err, ErrNoExamples)
	assert.Contains(t, err.Error(), "no training examples")

	one := []Example{{"good", sentiment.Positive}, {"great", sentiment.Positive}}
	_, err = Train(one, Config{})
	require.ErrorIs(t, err, ErrOneClass)
	assert.Contains(t, err.Error(), "only one class")

	bad := append(toy(), Example{"odd", 2})
	_, err = Train(bad, Config{})
	require.ErrorIs(t, err, ErrMislabelled)
	var le *LabelError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, len(bad)-1, le.Index)
	assert.Equal(t, sentiment.Polarity(2), le.Label)
	assert.Contains(t, err.Error(), "mislabelled")

	for _, cfg := range []Config{
		{Features: Features{Bits: 30}}, {Features: Features{Words: 4}}, {Features: Features{CharMin: 4, CharMax: 2}},
		{Epochs: -1}, {Rate: math.NaN()}, {L2: 2},
	} {
		_, err := Train(toy(), cfg)
		assert.Error(t, err, "%+v", cfg)
	}
}

func TestTrainLearnsAndIsDeterministic(t *testing.T) {
	m, err := Train(toy(), small())
	require.NoError(t, err)
	for _, tc := range []struct {
		text string
		want sentiment.Polarity
	}{
		{"I love it, great and wonderful", sentiment.Positive},
		{"awful, I hate it, terrible", sentiment.Negative},
		{"the bus leaves on monday", sentiment.Neutral},
	} {
		assert.Equal(t, tc.want, m.Predict(tc.text), tc.text)
	}
	a, err := m.MarshalBinary()
	require.NoError(t, err)
	m2, err := Train(toy(), small())
	require.NoError(t, err)
	b, err := m2.MarshalBinary()
	require.NoError(t, err)
	assert.True(t, bytes.Equal(a, b), "same data and seed must give the same model")
	cfg := small()
	cfg.Seed++
	m3, err := Train(toy(), cfg)
	require.NoError(t, err)
	c, err := m3.MarshalBinary()
	require.NoError(t, err)
	assert.False(t, bytes.Equal(a, c), "another seed shuffles differently")
}

func TestProbabilitiesAndScore(t *testing.T) {
	m, err := Train(toy(), small())
	require.NoError(t, err)
	for _, text := range []string{"", "love", "hate hate hate", "the train", "😀😀😀", "NOT GOOD!!!", "\xff\xfe broken utf8"} {
		p := m.Probabilities(text)
		assert.InDelta(t, 1, p.Negative+p.Neutral+p.Positive, 1e-9, text)
		s, err := m.Score(context.Background(), text)
		require.NoError(t, err)
		assert.Equal(t, p.Label(), s.Polarity(), "Score.Polarity must agree with the most probable class for %q", text)
		assert.InDelta(t, p.Positive, s.Positive, 0)
		assert.GreaterOrEqual(t, s.Compound, -1.0)
		assert.LessOrEqual(t, s.Compound, 1.0)
	}
	// The mapping itself, over random probabilities.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		a, b, c := rng.Float64(), rng.Float64(), rng.Float64()
		p := Probabilities{a / (a + b + c), b / (a + b + c), c / (a + b + c)}
		s := p.Score()
		require.Equal(t, p.Label(), s.Polarity(), "%+v -> %+v", p, s)
		if p.Label() == sentiment.Neutral {
			require.InDelta(t, 0.049*(p.Positive-p.Negative), s.Compound, 1e-12)
		} else {
			require.InDelta(t, p.Positive-p.Negative, s.Compound, 0.05)
		}
	}
	var zero Model
	p := zero.Probabilities("anything")
	assert.InDelta(t, 1.0/3, p.Neutral, 1e-12)
}

func TestLanguage(t *testing.T) {
	m, err := Train(toy(), small())
	require.NoError(t, err)
	assert.Equal(t, "en", m.Lang())
	assert.True(t, m.Supports("en"))
	assert.True(t, m.Supports("EN-gb"))
	assert.True(t, m.Supports(""))
	assert.False(t, m.Supports("de"))
	_, err = sentiment.ScoreLang(context.Background(), m, "Das ist gut", "de")
	assert.ErrorIs(t, err, sentiment.ErrUnsupportedLanguage)
	var _ sentiment.LanguageReporter = m

	cfg := small()
	cfg.Lang = ""
	any, err := Train(toy(), cfg)
	require.NoError(t, err)
	assert.True(t, any.Supports("de"))
}

func TestMarshalRoundTrip(t *testing.T) {
	m, err := Train(toy(), small())
	require.NoError(t, err)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	got, err := Load(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, m.Features(), got.Features())
	assert.Equal(t, "en", got.Lang())
	for _, ex := range toy() {
		assert.Equal(t, m.Probabilities(ex.Text), got.Probabilities(ex.Text), ex.Text)
	}
	b2, err := got.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, b, b2, "re-encoding a loaded model gives the same bytes")

	_, err = (&Model{}).MarshalBinary()
	assert.Error(t, err)

	_, err = LoadFeatures(bytes.NewReader(b), Features{Bits: 12})
	assert.NoError(t, err, "defaults are filled in before comparing")
	_, err = LoadFeatures(bytes.NewReader(b), Features{Bits: 12, NoChars: true})
	require.ErrorIs(t, err, ErrIncompatible)
	assert.Contains(t, err.Error(), "trained with features")
	_, err = LoadFeatures(bytes.NewReader(b), Features{})
	assert.ErrorIs(t, err, ErrIncompatible, "Bits 18 != 12")
}

// reseal recomputes the trailing checksum after a deliberate edit.
func reseal(b []byte) []byte {
	n := len(b) - 4
	binary.LittleEndian.PutUint32(b[n:], crc32.ChecksumIEEE(b[:n]))
	return b
}

func TestUnmarshalRejects(t *testing.T) {
	m, err := Train(toy(), small())
	require.NoError(t, err)
	good, err := m.MarshalBinary()
	require.NoError(t, err)
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }

	cases := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"empty", nil, ErrNotModel, "not a model"},
		{"foreign", []byte("\x89PNG\r\n\x1a\n0000000000000000000000000000000000"), ErrNotModel, "magic"},
		{"json", []byte(`{"weights":[1,2,3]}`), ErrNotModel, "magic"},
		{"header only", good[:12], ErrCorrupt, "truncated"},
		{"truncated", good[:len(good)/2], ErrCorrupt, "checksum"},
		{"one byte short", good[:len(good)-1], ErrCorrupt, "checksum"},
		{"flipped bit", edit(func(b []byte) []byte { b[len(b)/2] ^= 0x10; return b }), ErrCorrupt, "checksum"},
		{"newer format", edit(func(b []byte) []byte { b[8] = 9; return reseal(b) }), ErrIncompatible, "format version 9"},
		{"other feature extractor", edit(func(b []byte) []byte { b[10] = 77; return reseal(b) }), ErrIncompatible, "feature extractor version 77"},
		{"other lexicon", edit(func(b []byte) []byte { b[17] ^= 0xff; return reseal(b) }), ErrIncompatible, "another lexicon"},
		{"bad bits", edit(func(b []byte) []byte { b[12] = 40; return reseal(b) }), ErrCorrupt, "feature settings"},
		{"unknown flag", edit(func(b []byte) []byte { b[16] |= 4; return reseal(b) }), ErrIncompatible, "flags"},
		{"rule-based scorer changed", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[22:], math.Float32bits(9))
			return reseal(b)
		}), ErrIncompatible, "rule-based scorer"},
		{"probe count", edit(func(b []byte) []byte { b[21]--; return reseal(b) }), ErrCorrupt, ""},
		{"body length", edit(func(b []byte) []byte { b[len(b)-5] ^= 1; b = append(b[:len(b)-4], 0, 0, 0, 0, 0); return reseal(b) }), ErrCorrupt, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := &Model{}
			err := got.UnmarshalBinary(tc.data)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), "linear: ")
			assert.Nil(t, got.w, "a failed load leaves the model unchanged")
		})
	}
	// Other settings round-trip and are reported by Features.
	for _, f := range []Features{{Bits: 12, NoChars: true}, {Bits: 12, CharMin: 3, CharMax: 5}, {Bits: 11, NoRules: true}, {Bits: 10, NoLexicon: true, NoRules: true, Words: 3}} {
		cfg := small()
		cfg.Features = f
		other, err := Train(toy(), cfg)
		require.NoError(t, err)
		assert.NotEqual(t, m.Features(), other.Features())
		b, err := other.MarshalBinary()
		require.NoError(t, err)
		back, err := Load(bytes.NewReader(b))
		require.NoError(t, err, "%+v", f)
		assert.Equal(t, other.Features(), back.Features())
		for _, ex := range toy() {
			assert.Equal(t, other.Probabilities(ex.Text), back.Probabilities(ex.Text))
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	m, err := Train(toy(), Config{Features: Features{Bits: 10}})
	require.NoError(f, err)
	good, err := m.MarshalBinary()
	require.NoError(f, err)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Model
		if err := m.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrNotModel) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrIncompatible) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		p := m.Probabilities("a fine test :)")
		if math.Abs(p.Negative+p.Neutral+p.Positive-1) > 1e-6 {
			t.Fatalf("probabilities do not sum to 1: %+v", p)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var m2 Model
		if err := m2.UnmarshalBinary(b); err != nil {
			t.Fatalf("re-encoded model does not load: %v", err)
		}
	})
}

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

func TestNaiveBayesScales(t *testing.T) {
	m, err := newModel(Features{Bits: 12}, "")
	require.NoError(t, err)
	ex := []Example{
		{"good day", sentiment.Positive}, {"good film", sentiment.Positive},
		{"bad day", sentiment.Negative}, {"bad film", sentiment.Negative},
		{"the day", sentiment.Neutral}, {"the film", sentiment.Neutral},
	}
	d := m.extractAll(ex)
	rows := []int{0, 1, 2, 3, 4, 5}
	sc := nbScales(d, rows, m.dim, 1)
	bucket := func(w string) int { return nDense + int(mix(fnv(nsWord, []byte(w)))&(1<<12-1)) }
	good, day := bucket("good"), bucket("day")
	pos := int(sentiment.Positive) + 1
	assert.Greater(t, sc[good*nClass+pos], sc[day*nClass+pos]+0.5, "a word seen only in positive texts tells more than one seen in all")
	assert.Less(t, sc[day*nClass+pos], 0.15, "a word equally common in every class tells little (only smoothing)")
	for i := 0; i < nDense*nClass; i++ {
		require.Equal(t, 1.0, sc[i], "dense features are not scaled")
	}
	for _, v := range nbScales(d, rows, m.dim, 0) {
		require.Equal(t, 1.0, v, "alpha 0 turns scaling off")
	}

	// The scaling changes the model, deterministically, and stays off
	// with a negative NaiveBayes.
	on, err := Train(toy(), small())
	require.NoError(t, err)
	again, err := Train(toy(), small())
	require.NoError(t, err)
	assert.Equal(t, on.w, again.w)
	cfg := small()
	cfg.NaiveBayes = -1
	off, err := Train(toy(), cfg)
	require.NoError(t, err)
	assert.NotEqual(t, on.w, off.w)
	for _, ex := range toy() {
		assert.Equal(t, ex.Label, off.Predict(ex.Text), ex.Text)
	}
	_, err = Train(toy(), Config{NaiveBayes: math.NaN()})
	assert.ErrorContains(t, err, "NaiveBayes")
}

// FuzzProbabilities feeds arbitrary text to the tokenizer and model: no
// panic, probabilities that sum to 1, and the same answer twice.
func FuzzProbabilities(f *testing.F) {
	for _, s := range []string{"#NotHappy", "#a", "#", "@", "http", "&amp;", "don’t", "soooo gooood!!!", "😀‍😡", "\xff#\xfe", "#Ab#Cd"} {
		f.Add(s)
	}
	m, err := Train(toy(), Config{Features: Features{Bits: 10, CharMax: 3}})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, text string) {
		p := m.Probabilities(text)
		if math.Abs(p.Negative+p.Neutral+p.Positive-1) > 1e-9 {
			t.Fatalf("%q: %+v", text, p)
		}
		if q := m.Probabilities(text); q != p {
			t.Fatalf("%q: %+v then %+v", text, p, q)
		}
	})
}
