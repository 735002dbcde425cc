package langid

import (
	"bufio"
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
)

var update = flag.Bool("update", false, "retrain model.bin from the shared training tweets")

// The model is trained on the train split of the shared multilingual
// tweets (XLM-T, see ../shared/data/sentiment/multilingual/SOURCE.md):
// 1,826 to 1,838 tweets for each Latin-script language. The val split is
// held out for the accuracy tests; Arabic is decided by its script.
var trainSets = []struct{ lang, dir string }{
	{"en", "english"},
	{"fr", "french"},
	{"de", "german"},
	{"it", "italian"},
	{"pt", "portuguese"},
	{"es", "spanish"},
	{"hi", "hindi"}, // romanised Hindi, often mixed with English
}

// Model settings: 2^16 buckets of 8 bytes (512 KiB, small enough to stay
// in a core's cache), costs in 1/16 nat, add-half smoothing.
const (
	tableBits = 16
	costScale = 16
	smoothing = 0.5
)

// train fits a multinomial naive-Bayes model over hashed character 1- to
// 5-grams: the cost of bucket b for class c is -log of the summed
// probabilities of the class's n-grams that hash to b, each n-gram's
// probability its count over the class's count of n-grams of its length;
// a bucket no n-gram of the class falls in costs the smoothed probability
// of an unseen trigram.
func train(tb testing.TB) *Detector {
	d := &Detector{bits: tableBits, table: make([]uint64, 1<<tableBits)}
	var probs [8][]float64
	for c, set := range trainSets {
		d.langs = append(d.langs, set.lang)
		var counts [maxN + 1][]float64
		for n := range counts {
			counts[n] = make([]float64, 1<<tableBits)
		}
		var total [maxN + 1]float64
		type gram struct {
			b uint64
			n int
		}
		var grams []gram
		for _, text := range readLines(tb, filepath.Join("sentiment/multilingual", set.dir, "train_text.txt")) {
			grams = grams[:0]
			s := state{shift: 64 - tableBits, train: func(b uint64, n int) { grams = append(grams, gram{b, n}) }}
			scan(text, &s)
			if sc, _ := dominant(&s.scripts); sc != scriptLatin {
				continue // one Hindi tweet is in Devanagari
			}
			for _, g := range grams {
				counts[g.n][g.b]++
				total[g.n]++
			}
		}
		probs[c] = make([]float64, 1<<tableBits)
		for n := 1; n <= maxN; n++ {
			for b, k := range counts[n] {
				probs[c][b] += k / (total[n] + 1)
			}
		}
		unseen := quantize(-math.Log(smoothing / (total[3] + 1)))
		for b, p := range probs[c] {
			q := unseen
			if p > 0 {
				q = quantize(-math.Log(p))
			}
			d.table[b] |= q << (8 * c)
		}
	}
	for c := len(trainSets); c < 8; c++ { // unused lanes
		for b := range d.table {
			d.table[b] |= 255 << (8 * c)
		}
	}
	return d
}

func quantize(cost float64) uint64 {
	return uint64(math.Min(255, math.Round(cost*costScale)))
}

func readLines(tb testing.TB, rel string) []string {
	f, err := os.Open(shared.Path(tb, rel))
	require.NoError(tb, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	require.NoError(tb, sc.Err())
	return out
}

// TestModelFile checks that model.bin is what training on the shared data
// gives, byte for byte; with -update it rewrites model.bin.
func TestModelFile(t *testing.T) {
	b := train(t).marshal()
	if *update {
		require.NoError(t, os.WriteFile("model.bin", b, 0o644))
		return
	}
	require.True(t, bytes.Equal(b, modelFile), "model.bin differs from a model trained on the shared data; run go generate")
}
