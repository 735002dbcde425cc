package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/linear"
	"github.com/earshot-dev/earshot/sentiment/social"
)

func runWith(t *testing.T, o options, in string) []string {
	t.Helper()
	p, err := newPrinter(o)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, newFilter(p, &out).run(context.Background(), strings.NewReader(in)))
	return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
}

func TestRun(t *testing.T) {
	in := "The book was good.\r\n\nnot bad at all 😍\n#NotHappy &amp; \xff broken\nno newline at the end"
	texts := []string{"The book was good.", "", "not bad at all 😍", "#NotHappy &amp; \xff broken", "no newline at the end"}
	for _, name := range scorerNames {
		t.Run(name, func(t *testing.T) {
			lines := runWith(t, options{Scorer: name}, in)
			require.Len(t, lines, len(texts))
			for i, l := range lines {
				var got struct {
					Text     string             `json:"text"`
					Label    string             `json:"label"`
					Compound *float64           `json:"compound"`
					Pos      *float64           `json:"pos"`
					Neu      *float64           `json:"neu"`
					Neg      *float64           `json:"neg"`
					Probs    map[string]float64 `json:"probs"`
				}
				require.NoError(t, json.Unmarshal([]byte(l), &got), l)
				assert.Equal(t, strings.ToValidUTF8(texts[i], "\uFFFD"), got.Text)
				require.NotEmpty(t, got.Label, l)
				if name == "emotion" || name == "complaint" {
					require.NotEmpty(t, got.Probs, l)
					best := ""
					for k, v := range got.Probs {
						if best == "" || v > got.Probs[best] {
							best = k
						}
					}
					assert.Equal(t, best, got.Label, l)
					continue
				}
				require.NotNil(t, got.Compound, l)
				require.NotNil(t, got.Pos, l)
				require.NotNil(t, got.Neu, l)
				require.NotNil(t, got.Neg, l)
				p, err := newPrinter(options{Scorer: name})
				require.NoError(t, err)
				want, _ := p.(*scorePrinter).s.Score(context.Background(), texts[i])
				r := func(v float64) float64 { return math.Round(v*1e4)/1e4 + 0 }
				want = sentiment.Score{Compound: r(want.Compound), Positive: r(want.Positive), Neutral: r(want.Neutral), Negative: r(want.Negative)}
				assert.Equal(t, want, sentiment.Score{Compound: *got.Compound, Positive: *got.Pos, Neutral: *got.Neu, Negative: *got.Neg}, l)
				assert.Equal(t, want.Polarity().String(), got.Label)
			}
		})
	}
}

func TestRunLongLine(t *testing.T) {
	long := strings.Repeat("good ", 1<<18) // 1.25 MB on one line
	lines := runWith(t, options{Scorer: "vader"}, long+"\nbad\n")
	require.Len(t, lines, 2)
	assert.True(t, strings.HasPrefix(lines[0], `{"text":"good good `))
	assert.True(t, strings.HasPrefix(lines[1], `{"text":"bad","label":"negative"`))
}

func TestRunErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, err := newPrinter(options{Scorer: "vader"})
	require.NoError(t, err)
	assert.ErrorIs(t, newFilter(p, io.Discard).run(ctx, strings.NewReader("x\n")), context.Canceled)

	failing := &scorePrinter{s: sentiment.ScorerFunc(func(context.Context, string) (sentiment.Score, error) {
		return sentiment.Score{}, errors.New("remote down")
	})}
	assert.ErrorContains(t, newFilter(failing, io.Discard).run(context.Background(), strings.NewReader("x\n")), "sentiment: score: remote down")
	assert.ErrorContains(t, newFilter(p, io.Discard).run(context.Background(), iotestErr{}), "sentiment: read: ")
	assert.ErrorContains(t, newFilter(p, failWriter{}).run(context.Background(), strings.NewReader("x\n")), "sentiment: write: ")
}

// TestRunBytesPath checks that a scorer that takes bytes (vader), scored
// where the lines were read, writes what the same scorer writes through
// strings, on lines of every length (some longer than the read buffer),
// with "\r\n" and "\n", empty ones and no newline at the end, read in
// pieces of random sizes.
func TestRunBytesPath(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	words := []string{"good", "BAD", "not", "very", "😍", "&amp;", "\xff", "\"q\"", "\t", "but", "kind of", ":)"}
	var in strings.Builder
	for i := 0; i < 3000; i++ {
		n := rng.Intn(30)
		if i%1000 == 999 {
			n = 30000 // about 150 KB: longer than a read
		}
		for j := 0; j < n; j++ {
			in.WriteString(words[rng.Intn(len(words))] + " ")
		}
		in.WriteString([]string{"\n", "\r\n", "\n\n"}[rng.Intn(3)])
	}
	in.WriteString("no newline at the end")
	p, err := newPrinter(options{Scorer: "vader"})
	require.NoError(t, err)
	sp := p.(*scorePrinter)
	require.NotNil(t, sp.bs, "vader scores bytes")
	var viaBytes, viaStrings bytes.Buffer
	require.NoError(t, newFilter(sp, &viaBytes).run(context.Background(), &pieces{rng: rng, s: in.String()}))
	require.NoError(t, newFilter(&scorePrinter{s: sp.s}, &viaStrings).run(context.Background(), &pieces{rng: rng, s: in.String()}))
	require.Equal(t, strings.Count(viaStrings.String(), "\n"), strings.Count(in.String(), "\n")+1)
	require.True(t, bytes.Equal(viaStrings.Bytes(), viaBytes.Bytes()))
}

// pieces reads s in pieces of random sizes.
type pieces struct {
	rng *rand.Rand
	s   string
}

func (p *pieces) Read(b []byte) (int, error) {
	if p.s == "" {
		return 0, io.EOF
	}
	n := copy(b[:min(len(b), 1+p.rng.Intn(100000))], p.s)
	p.s = p.s[n:]
	return n, nil
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFlags(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parseFlags([]string{"-h"}, &stderr)
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.True(t, strings.HasPrefix(stderr.String(), "usage: sentiment [flags] < lines.txt\n\nScores the sentiment"), stderr.String())
	assert.Contains(t, stderr.String(), "-scorer")

	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "vader", o.Scorer)
	o, err = parseFlags([]string{"-scorer", "social"}, io.Discard)
	require.NoError(t, err)
	p, err := newPrinter(o)
	require.NoError(t, err)
	assert.IsType(t, &social.Scorer{}, p.(*scorePrinter).s)
	o, err = parseFlags([]string{"-model", "m.bin", "-target", "acme,@acmehelp", "-lang", "en"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{Model: "m.bin", Target: "acme,@acmehelp", Lang: "en"}, o)

	for _, args := range [][]string{
		{"-scorer", "bert"}, {"-nope"}, {"some text"}, {"-scorer", "social", "-model", "m.bin"}, {"-target", " , "},
	} {
		_, err := parseFlags(args, io.Discard)
		assert.Error(t, err, "%q", args)
	}
	for _, o := range []options{
		{Scorer: "vader", Lang: "de"}, {Scorer: "polarity", Lang: "xx"}, {Scorer: "emotion", Lang: "fr"},
		{Scorer: "complaint", Target: "acme"}, {Model: filepath.Join(t.TempDir(), "missing")},
	} {
		_, err := newPrinter(o)
		assert.Error(t, err, "%+v", o)
	}
}

func TestModelFlag(t *testing.T) {
	dir := t.TempDir()
	write := func(ex []linear.Example) string {
		m, err := linear.Train(ex, linear.Config{Features: linear.Features{Bits: 12}})
		require.NoError(t, err)
		b, err := m.MarshalBinary()
		require.NoError(t, err)
		path := filepath.Join(dir, ex[0].Label+".model")
		require.NoError(t, os.WriteFile(path, b, 0o644))
		return path
	}
	pol := write([]linear.Example{
		{Text: "love it, great", Label: linear.Positive}, {Text: "awful, hate it", Label: linear.Negative},
		{Text: "the bus at noon", Label: linear.Neutral},
	})
	lines := runWith(t, options{Model: pol}, "love it\n")
	assert.Contains(t, lines[0], `"label":"positive","compound":`)

	topics := write([]linear.Example{{Text: "my card was charged twice", Label: "billing"}, {Text: "parcel never arrived", Label: "delivery"}})
	lines = runWith(t, options{Model: topics}, "charged twice\n")
	assert.Regexp(t, `^\{"text":"charged twice","label":"billing","probs":\{"billing":0\.[0-9]+,"delivery":0\.[0-9]+\}\}$`, lines[0])

	b, err := os.ReadFile(pol)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(pol, b[:len(b)/2], 0o644))
	_, err = newPrinter(options{Model: pol})
	assert.ErrorIs(t, err, linear.ErrCorrupt)
}

func TestTarget(t *testing.T) {
	in := "love my new phone but @acme support is awful\nnothing to see here\nthanks @AcmeHelp, sorted fast!\n"
	lines := runWith(t, options{Scorer: "social", Target: "acme,@acmehelp"}, in)
	require.Len(t, lines, 3)
	assert.Contains(t, lines[0], `"compound":-`, "negative towards acme")
	assert.Equal(t, `{"text":"nothing to see here","absent":true}`, lines[1])
	assert.NotContains(t, lines[2], `"compound":-`)
	assert.NotContains(t, lines[2], "absent")
}

// TestJSONMatchesEncodingJSON checks the hand-written JSON against
// encoding/json.
func TestJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "exactly8", "plain, and longer than 16", "escape in the last 8: \"", "ending é", "0123456789abcde\x01", `quote " and \ back`, "tab\tnl\ncr\r\x00\x1f\x7f\b\f", "é😀", "\xff\xfe", "a\u2028b\u2029", "<&>"} {
		checkString(t, s)
	}
	for _, v := range []float64{0, 1, -1, 0.4404, 1e-7, -2.5e-9, 1e21, 123456.789, 0.1 + 0.2, math.SmallestNonzeroFloat64} {
		want, err := json.Marshal(v)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendFloat(nil, v)), "%v", v)
	}
	assert.Equal(t, "0", string(appendFloat(nil, math.NaN())))
}

func checkString(t testing.TB, s string) {
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	if got := string(appendString(nil, s)) + "\n"; got != want.String() {
		t.Fatalf("%q: got %s, want %s", s, got, want.String())
	}
	if got := string(appendString(nil, []byte(s))) + "\n"; got != want.String() {
		t.Fatalf("%q as bytes: got %s, want %s", s, got, want.String())
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\xff", "\u2028", "😀\x00", "exactly8", "0123456789abcde\\", "plain text, then \x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkString(t, s) })
}

func Example() {
	p, _ := newPrinter(options{Scorer: "vader"})
	in := strings.NewReader("The book was good.\nToday SUX!\n")
	if err := newFilter(p, os.Stdout).run(context.Background(), in); err != nil {
		panic(err)
	}
	// Output:
	// {"text":"The book was good.","label":"positive","compound":0.4404,"pos":0.492,"neu":0.508,"neg":0}
	// {"text":"Today SUX!","label":"negative","compound":-0.5461,"pos":0,"neu":0.221,"neg":0.779}
}

func Example_social() {
	p, _ := newPrinter(options{Scorer: "social"})
	in := strings.NewReader("#NotHappy with support\n")
	if err := newFilter(p, os.Stdout).run(context.Background(), in); err != nil {
		panic(err)
	}
	// Output:
	// {"text":"#NotHappy with support","label":"negative","compound":-0.6437,"pos":0,"neu":0.155,"neg":0.845}
}

func TestAppendFigure(t *testing.T) {
	for _, v := range []float64{0, 1, -1, 0.4404, -0.5461, 0.05, 0.1 + 0.2, 0.99996, -0.00004, 0.123456, 12.5, -3, 1e-9, math.MaxFloat64, math.NaN()} {
		got := string(appendFigure(nil, v))
		want := 0.0
		if !math.IsNaN(v) && math.Abs(v) < 1e11 {
			want = math.Round(v*1e4) / 1e4
		} else if !math.IsNaN(v) {
			want = v
		}
		if want == 0 {
			want = 0 // -0 is written 0
		}
		back, err := strconv.ParseFloat(got, 64)
		require.NoError(t, err, "%v -> %q", v, got)
		assert.Equal(t, want, back, "%v -> %q", v, got)
		if math.Abs(v) < 1e11 && !math.IsNaN(v) {
			w, _ := json.Marshal(want)
			assert.Equal(t, string(w), got, "%v: the shortest form, as encoding/json writes it", v)
		}
	}
}

// TestRunFlushesWhileWaiting checks that each line's result is written
// before more input arrives, so that the program works in a pipeline
// fed a line at a time.
func TestRunFlushesWhileWaiting(t *testing.T) {
	p, err := newPrinter(options{Scorer: "vader"})
	require.NoError(t, err)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- newFilter(p, outW).run(context.Background(), inR) }()
	lines := bufio.NewReader(outR)
	for _, text := range []string{"The book was good.", "Today SUX!"} {
		_, err := io.WriteString(inW, text+"\n")
		require.NoError(t, err)
		got := make(chan string, 1)
		go func() {
			l, _ := lines.ReadString('\n')
			got <- l
		}()
		select {
		case l := <-got:
			assert.True(t, strings.HasPrefix(l, `{"text":"`+text+`"`), l)
		case <-time.After(2 * time.Minute): // a guard against a hang, not a timing
			t.Fatalf("no output for %q while the input stays open", text)
		}
	}
	require.NoError(t, inW.Close())
	require.NoError(t, <-done)
}

// TestAppendFigureEvery checks every figure a score can have, -1 to 1 in
// steps of 0.0001, against strconv.
func TestAppendFigureEvery(t *testing.T) {
	for i := -10000; i <= 10000; i++ {
		v := float64(i) / 1e4
		want := strconv.FormatFloat(v, 'f', -1, 64)
		if i == 0 {
			want = "0"
		}
		if got := string(appendFigure(nil, v)); got != want {
			t.Fatalf("%v: got %q, want %q", v, got, want)
		}
	}
}

// TestAppendFigureRandom checks appendFigure, whose usual case writes
// eight bytes and keeps some, against encoding/json on the rounded value,
// for values of every magnitude up to 1e6 and with 0 to 4 decimals.
func TestAppendFigureRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for k := 0; k < 200000; k++ {
		v := float64(rng.Int63n(2e10)-1e10) / 1e4 / math.Pow(10, float64(rng.Intn(4)))
		if k%3 == 0 {
			v = rng.NormFloat64() * math.Pow(10, float64(rng.Intn(5)-2))
		}
		want := math.Round(v*1e4) / 1e4
		if want == 0 {
			want = 0
		}
		w, _ := json.Marshal(want)
		buf := append(make([]byte, 0, rng.Intn(12)), "x"...)
		if got := string(appendFigure(buf, v)); got != "x"+string(w) {
			t.Fatalf("%v: got %q, want %q", v, got, "x"+string(w))
		}
	}
}
