package linear

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toy is a small, clearly separable polarity training set.
func toy() []Example {
	pos := []string{"I love this, it is great", "what a wonderful day :)", "awesome service, thanks!", "so happy with it", "best purchase ever, love it", "great job, brilliant work", "amazing and lovely", "thank you, this is excellent"}
	neg := []string{"I hate this, it is awful", "what a terrible day :(", "worst service ever", "so sad and angry", "this is broken and useless", "horrible job, bad work", "disgusting and nasty", "never again, a total disaster"}
	neu := []string{"the meeting is at 3pm", "the store opens on monday", "he posted a photo of the bridge", "tickets go on sale tomorrow", "the train leaves from platform 4", "new episode out on friday", "the report covers the third quarter", "she moved to the city in may"}
	var out []Example
	for i := range pos {
		out = append(out, Example{pos[i], Positive}, Example{neg[i], Negative}, Example{neu[i], Neutral})
	}
	return out
}

// toyTopics is a 4-class set whose labels are not polarities.
func toyTopics() []Example {
	var out []Example
	for _, t := range []struct{ label, words string }{
		{"sport", "goal match team score league cup"},
		{"food", "pizza pasta bread cheese soup salad"},
		{"tech", "phone laptop app update battery screen"},
		{"weather", "rain snow sunny storm wind cloudy"},
	} {
		w := strings.Fields(t.words)
		for i := range w {
			out = append(out, Example{Text: "today " + w[i] + " and " + w[(i+1)%len(w)], Label: t.label})
		}
	}
	return out
}

func small() Config { return Config{Features: Features{Bits: 12}, Seed: 7, Lang: "en"} }

func TestTrainRejectsBadData(t *testing.T) {
	_, err := Train(nil, Config{})
	require.ErrorIs(t, err, ErrNoExamples)
	assert.Contains(t, err.Error(), "no training examples")

	one := []Example{{"good", Positive}, {"great", Positive}}
	_, err = Train(one, Config{})
	require.ErrorIs(t, err, ErrOneClass)
	assert.Contains(t, err.Error(), "only one class")

	for _, label := range []string{"", " pos", "a\tb", "\xff", strings.Repeat("x", 256)} {
		bad := append(toy(), Example{"odd", label})
		_, err = Train(bad, Config{})
		require.ErrorIs(t, err, ErrMislabelled, "%q", label)
		var le *LabelError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, len(bad)-1, le.Index)
		assert.Equal(t, label, le.Label)
		assert.Contains(t, err.Error(), "mislabelled")
	}
	// With Config.Labels, a label outside the list is an error too.
	_, err = Train(toy(), Config{Labels: []string{Negative, Positive}})
	require.ErrorIs(t, err, ErrMislabelled)
	assert.Contains(t, err.Error(), `"neutral" is not one of`)
	for _, labels := range [][]string{{}, {"a"}, {"a", "a"}, {"a", ""}} {
		_, err = Train(toy(), Config{Labels: labels})
		assert.Error(t, err, "%q", labels)
	}
	many := make([]Example, MaxClasses+1)
	for i := range many {
		many[i] = Example{"x", strconv.Itoa(i)}
	}
	_, err = Train(many, Config{})
	assert.ErrorContains(t, err, "distinct labels")
	_, err = Train(many[:MaxClasses], Config{Features: Features{Bits: 22}})
	assert.ErrorContains(t, err, "weights", "too many weights to hold")

	for _, cfg := range []Config{
		{Features: Features{Bits: 30}}, {Features: Features{Words: 4}}, {Features: Features{CharMin: 4, CharMax: 2}},
		{Epochs: -1}, {Rate: math.NaN()}, {L2: 2}, {Lang: strings.Repeat("x", 256)},
	} {
		_, err := Train(toy(), cfg)
		assert.Error(t, err, "%+v", cfg)
	}
}

func TestTrainLearnsAndIsDeterministic(t *testing.T) {
	m, err := Train(toy(), small())
	require.NoError(t, err)
	assert.Equal(t, []string{Negative, Neutral, Positive}, m.Labels(), "sorted")
	for _, tc := range []struct{ text, want string }{
		{"I love it, great and wonderful", Positive},
		{"awful, I hate it, terrible", Negative},
		{"the bus leaves on monday", Neutral},
	} {
		assert.Equal(t, tc.want, m.Label(tc.text), tc.text)
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

func TestAnyLabels(t *testing.T) {
	cfg := small()
	cfg.Labels = []string{"weather", "tech", "sport", "food", "unused"}
	m, err := Train(toyTopics(), cfg)
	require.NoError(t, err)
	assert.Equal(t, cfg.Labels, m.Labels(), "Config.Labels fixes the order")
	assert.False(t, m.IsPolarity())
	assert.Equal(t, "food", m.Label("cheese and bread"))
	assert.Equal(t, "weather", m.Label("storm, then snow"))
	c, p := m.Predict("my laptop screen")
	assert.Equal(t, 1, c)
	assert.Greater(t, p, 0.4)
	probs := m.AppendProbabilities(nil, "my laptop screen")
	require.Len(t, probs, 5)
	assert.InDelta(t, p, probs[1], 1e-12)
	assert.Less(t, probs[4], 0.1, "a class without examples")
	_, err = m.Score(context.Background(), "x")
	require.ErrorIs(t, err, ErrNotPolarity)
	assert.Contains(t, err.Error(), "weather")

	// Round trip keeps labels.
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	back, err := Load(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, m.Labels(), back.Labels())
	assert.Equal(t, probs, back.AppendProbabilities(nil, "my laptop screen"))

	// Two polarities without neutral still score.
	var bin []Example
	for _, ex := range toy() {
		if ex.Label != Neutral {
			bin = append(bin, ex)
		}
	}
	bm, err := Train(bin, small())
	require.NoError(t, err)
	require.True(t, bm.IsPolarity())
	s, err := bm.Score(context.Background(), "awful and broken")
	require.NoError(t, err)
	assert.Equal(t, sentiment.Negative, s.Polarity())
	assert.Zero(t, s.Neutral)
}

func TestProbabilitiesAndScore(t *testing.T) {
	m, err := Train(toy(), small())
	require.NoError(t, err)
	for _, text := range []string{"", "love", "hate hate hate", "the train", "😀😀😀", "NOT GOOD!!!", "\xff\xfe broken utf8"} {
		p := m.AppendProbabilities(nil, text)
		assert.InDelta(t, 1, p[0]+p[1]+p[2], 1e-9, text)
		s, err := m.Score(context.Background(), text)
		require.NoError(t, err)
		want := []sentiment.Polarity{sentiment.Negative, sentiment.Neutral, sentiment.Positive}[argmax(p)]
		assert.Equal(t, want, s.Polarity(), "Score.Polarity must agree with the most probable class for %q", text)
		assert.InDelta(t, p[2], s.Positive, 0)
		assert.GreaterOrEqual(t, s.Compound, -1.0)
		assert.LessOrEqual(t, s.Compound, 1.0)
	}
	// The mapping itself, over random probabilities.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		a, b, c := rng.Float64(), rng.Float64(), rng.Float64()
		n := a + b + c
		neg, neu, pos := a/n, b/n, c/n
		best := []sentiment.Polarity{sentiment.Negative, sentiment.Neutral, sentiment.Positive}[argmax([]float64{neg, neu, pos})]
		s := polarityScore(neg, neu, pos, best)
		require.Equal(t, best, s.Polarity(), "%v %v %v -> %+v", neg, neu, pos, s)
		if best == sentiment.Neutral {
			require.InDelta(t, 0.049*(pos-neg), s.Compound, 1e-12)
		} else {
			require.InDelta(t, pos-neg, s.Compound, 0.05)
		}
	}
	var zero Model
	assert.Empty(t, zero.AppendProbabilities(nil, "anything"))
	c, _ := zero.Predict("anything")
	assert.Equal(t, -1, c)
	assert.Equal(t, "", zero.Label("x"))
	_, err = zero.Score(context.Background(), "x")
	assert.ErrorIs(t, err, ErrNotPolarity)
}

func TestScoreAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	m, err := Train(toy(), small())
	require.NoError(t, err)
	topics, err := Train(toyTopics(), small())
	require.NoError(t, err)
	ctx := context.Background()
	text := "Soooo happy with @acme's new #BestPhoneEver 😍 https://t.co/x but the battery, not great :("
	dst := make([]float64, 0, 8)
	m.Score(ctx, text) // warm the pool
	assert.Zero(t, testing.AllocsPerRun(100, func() { m.Score(ctx, text) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { topics.Predict(text) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { dst = topics.AppendProbabilities(dst[:0], text) }))
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
		assert.Equal(t, m.AppendProbabilities(nil, ex.Text), got.AppendProbabilities(nil, ex.Text), ex.Text)
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
	// Offsets: magic 0-7, version 8-9, feature version 10-11, settings
	// 12-16, lexicon 17-20, probe count 21, probes 22.., then lang and
	// labels.
	labels := 22 + 4*int(good[21]) + 1 + len("en")

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
		{"version 1", edit(func(b []byte) []byte { b[8] = 1; return reseal(b) }), ErrIncompatible, "format version 1"},
		{"other feature extractor", edit(func(b []byte) []byte { b[10] = 77; return reseal(b) }), ErrIncompatible, "feature extractor version 77"},
		{"other lexicon", edit(func(b []byte) []byte { b[17] ^= 0xff; return reseal(b) }), ErrIncompatible, "another lexicon"},
		{"bad bits", edit(func(b []byte) []byte { b[12] = 40; return reseal(b) }), ErrCorrupt, "feature settings"},
		{"unknown flag", edit(func(b []byte) []byte { b[16] |= 4; return reseal(b) }), ErrIncompatible, "flags"},
		{"rule-based scorer changed", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[22:], math.Float32bits(9))
			return reseal(b)
		}), ErrIncompatible, "rule-based scorer"},
		{"probe count", edit(func(b []byte) []byte { b[21]--; return reseal(b) }), ErrCorrupt, ""},
		{"one label", edit(func(b []byte) []byte { b[labels] = 1; return reseal(b) }), ErrCorrupt, "1 labels"},
		{"duplicate label", edit(func(b []byte) []byte { copy(b[labels+2:], "positive"); return reseal(b) }), ErrCorrupt, "twice"},
		{"label length", edit(func(b []byte) []byte { b[labels+1] = 200; return reseal(b) }), ErrCorrupt, ""},
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
			assert.Equal(t, other.AppendProbabilities(nil, ex.Text), back.AppendProbabilities(nil, ex.Text))
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	for _, ex := range [][]Example{toy(), toyTopics()} {
		m, err := Train(ex, Config{Features: Features{Bits: 10}})
		require.NoError(f, err)
		good, err := m.MarshalBinary()
		require.NoError(f, err)
		f.Add(good)
		f.Add(good[:len(good)/2])
	}
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
		p := m.AppendProbabilities(nil, "a fine test :)")
		var s float64
		for _, v := range p {
			s += v
		}
		if len(p) != len(m.Labels()) || math.Abs(s-1) > 1e-6 {
			t.Fatalf("probabilities %v for labels %q", p, m.Labels())
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

func TestNaiveBayesScales(t *testing.T) {
	ex := []Example{
		{"good day", Positive}, {"good film", Positive},
		{"bad day", Negative}, {"bad film", Negative},
		{"the day", Neutral}, {"the film", Neutral},
	}
	d, m, err := prepare(ex, Config{Features: Features{Bits: 12, CharMin: 2, CharMax: 4, Words: 2}})
	require.NoError(t, err)
	rows := []int{0, 1, 2, 3, 4, 5}
	sc := nbScales(d, rows, m.dim, 3, 1)
	bucket := func(w string) int { return nDense + int(mix(fnv(nsWord, []byte(w)))&(1<<12-1)) }
	good, day := bucket("good"), bucket("day")
	pos := 2
	assert.Greater(t, sc[good*3+pos], sc[day*3+pos]+0.5, "a word seen only in positive texts tells more than one seen in all")
	assert.Less(t, sc[day*3+pos], 0.15, "a word equally common in every class tells little (only smoothing)")
	for i := 0; i < nDense*3; i++ {
		require.Equal(t, 1.0, sc[i], "dense features are not scaled")
	}
	for _, v := range nbScales(d, rows, m.dim, 3, 0) {
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
		assert.Equal(t, ex.Label, off.Label(ex.Text), ex.Text)
	}
	_, err = Train(toy(), Config{NaiveBayes: math.NaN()})
	assert.ErrorContains(t, err, "NaiveBayes")
}

// FuzzProbabilities feeds arbitrary text to the tokenizer and model: no
// panic, probabilities that sum to 1, and the same answer twice.
func FuzzProbabilities(f *testing.F) {
	for _, s := range []string{"#NotHappy", "#a", "#", "@", "http", "&amp;", "don’t", "soooo gooood!!!", "😀‍😡", "\xff#\xfe", "#Ab#Cd", `\u002c\u2019\u`, `\ud83d\ude00`} {
		f.Add(s)
	}
	m, err := Train(toy(), Config{Features: Features{Bits: 10, CharMax: 3}})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, text string) {
		p := m.AppendProbabilities(nil, text)
		if math.Abs(p[0]+p[1]+p[2]-1) > 1e-9 {
			t.Fatalf("%q: %v", text, p)
		}
		if q := m.AppendProbabilities(nil, text); q[0] != p[0] || q[1] != p[1] {
			t.Fatalf("%q: %v then %v", text, p, q)
		}
	})
}
