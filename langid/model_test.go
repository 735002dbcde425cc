package langid

import (
	"bufio"
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"sort"
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
// in a core's cache), costs in 1/16 nat, add-half smoothing; a text fits
// no class if its mean cost per n-gram is above what 999 in 1,000 tweets
// score when held out of training (rejectQuantile).
const (
	tableBits      = 16
	costScale      = 16
	smoothing      = 0.5
	rejectQuantile = 0.999
)

// train fits the model on all the training tweets. Its rejection limit is
// the rejectQuantile of the mean n-gram costs of training tweets scored by
// a model fitted on the other half (even lines against odd lines, and back).
func train(tb testing.TB) *Detector {
	sets := make([][]string, len(trainSets))
	for c, set := range trainSets {
		sets[c] = readLines(tb, filepath.Join("sentiment/multilingual", set.dir, "train_text.txt"))
	}
	var fits []float64
	for half := range 2 {
		m := fit(sets, func(i int) bool { return i%2 == half })
		for _, lines := range sets {
			for i, text := range lines {
				if i%2 == half {
					continue
				}
				if _, cost, grams := m.detect(text); grams > 0 {
					fits = append(fits, float64(cost)/float64(grams))
				}
			}
		}
	}
	sort.Float64s(fits)
	d := fit(sets, func(int) bool { return true })
	d.reject = uint32(math.Round(16 * fits[int(rejectQuantile*float64(len(fits)-1))]))
	return d
}

// fit fits a multinomial naive-Bayes model over hashed character 1- to
// 5-grams to the lines of sets that use says to: the cost of bucket b for
// class c is -log of the summed probabilities of the class's n-grams that
// hash to b, each n-gram's probability its count over the class's count of
// n-grams of its length; a bucket no n-gram of the class falls in costs the
// smoothed probability of an unseen trigram. Texts mostly in another
// script than Latin are left out (one Hindi tweet is in Devanagari).
func fit(sets [][]string, use func(line int) bool) *Detector {
	d := &Detector{bits: tableBits, table: make([]uint64, 1<<tableBits)}
	for c, lines := range sets {
		d.langs = append(d.langs, trainSets[c].lang)
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
		s := state{shift: 64 - tableBits, train: func(b uint64, n int) { grams = append(grams, gram{b, n}) }}
		for i, text := range lines {
			if !use(i) {
				continue
			}
			grams = grams[:0]
			s.scripts = [numScripts]int{}
			scan(text, &s)
			if sc, _ := dominant(&s.scripts); sc != scriptLatin {
				continue
			}
			for _, g := range grams {
				counts[g.n][g.b]++
				total[g.n]++
			}
		}
		probs := make([]float64, 1<<tableBits)
		for n := 1; n <= maxN; n++ {
			for b, k := range counts[n] {
				probs[b] += k / (total[n] + 1)
			}
		}
		unseen := quantize(-math.Log(smoothing / (total[3] + 1)))
		for b, p := range probs {
			q := unseen
			if p > 0 {
				q = quantize(-math.Log(p))
			}
			d.table[b] |= q << (8 * c)
		}
	}
	for c := len(sets); c < 8; c++ { // unused lanes
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
