package langid

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/earshot-dev/earshot/internal/shared"
)

// tweetSets are the shared multilingual tweets. The val split was held
// out of training; the few design choices (n-gram lengths, table size,
// tweets alone rather than mixed with other data) were compared on it,
// so its figures may be slightly optimistic.
var tweetSets = []struct{ lang, dir string }{
	{"ar", "arabic"}, {"en", "english"}, {"fr", "french"}, {"de", "german"},
	{"hi", "hindi"}, {"it", "italian"}, {"pt", "portuguese"}, {"es", "spanish"},
}

// TestTweetAccuracy measures accuracy on the held-out val tweets in the
// eight languages. About one in five "Hindi" tweets is plain English
// (SOURCE.md: the set includes English SemEval tweets); Detect calls them
// en, which counts as an error here.
func TestTweetAccuracy(t *testing.T) {
	d := New()
	var total, good int
	var sum float64
	for _, set := range tweetSets {
		texts := readLines(t, filepath.Join("sentiment/multilingual", set.dir, "val_text.txt"))
		ok := 0
		wrong := map[string]int{}
		for _, text := range texts {
			if got := d.Detect(text); got == set.lang {
				ok++
			} else {
				wrong[got]++
			}
		}
		acc := float64(ok) / float64(len(texts))
		sum += acc
		total += len(texts)
		good += ok
		t.Logf("%s: %5.1f%% of %d (wrong: %s)", set.lang, 100*acc, len(texts), top(wrong))
	}
	mean := sum / float64(len(tweetSets))
	t.Logf("val tweets, 8 languages: mean accuracy %.2f%%, pooled %.2f%% of %d", 100*mean, 100*float64(good)/float64(total), total)
	assert.GreaterOrEqual(t, mean, 0.95)
}

func top(m map[string]int) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return m[ks[i]] > m[ks[j]] || m[ks[i]] == m[ks[j]] && ks[i] < ks[j] })
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%q %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// TestLinguaSets measures accuracy on lingua-go's test sets (single words,
// word pairs, sentences from web corpora): fully for the six European
// languages the model tells apart, on the first 100 texts for languages
// a script decides. Skipped under -short.
func TestLinguaSets(t *testing.T) {
	if testing.Short() {
		t.Skip("accuracy on the lingua sets: skipped under -short")
	}
	dir := filepath.Dir(shared.Path(t, "langid"))
	d := New()
	model := map[string]bool{}
	for _, l := range d.langs {
		model[l] = true
	}
	floors := map[string]float64{"single-words": 0.6, "word-pairs": 0.75, "sentences": 0.95}
	for _, cat := range []string{"single-words", "word-pairs", "sentences"} {
		var sum float64
		var per, scripts []string
		for _, l := range d.Languages() {
			if _, err := os.Stat(filepath.Join(dir, "langid", cat, l+".txt")); err != nil {
				continue // lingua has no Kannada or Malayalam
			}
			texts := readLines(t, filepath.Join("langid", cat, l+".txt"))
			if !model[l] || l == "hi" { // lingua's Hindi is in Devanagari
				texts = texts[:100]
			}
			ok := 0
			for _, text := range texts {
				if d.Detect(text) == l {
					ok++
				}
			}
			acc := float64(ok) / float64(len(texts))
			if model[l] && l != "hi" {
				per = append(per, fmt.Sprintf("%s %.1f", l, 100*acc))
				sum += acc
			} else {
				scripts = append(scripts, fmt.Sprintf("%s %.0f", l, 100*acc))
				assert.GreaterOrEqual(t, acc, 0.95, "%s %s decided by its script", cat, l)
			}
		}
		mean := sum / float64(len(per))
		t.Logf("%s: mean %.1f%% over %s; by script: %s", cat, 100*mean, strings.Join(per, ", "), strings.Join(scripts, ", "))
		assert.GreaterOrEqual(t, mean, floors[cat], cat)
	}
}

// TestOtherLatinLanguages measures what Detect says of sentences and
// word pairs in Latin-script languages the model does not know: "" (it
// cannot tell) is the right answer, any code a wrong one. Skipped under
// -short.
func TestOtherLatinLanguages(t *testing.T) {
	if testing.Short() {
		t.Skip("unknown languages on the lingua sets: skipped under -short")
	}
	d := New()
	others := []string{"cs", "fi", "hu", "pl", "tr", "vi", "ca", "id", "nl", "ro", "sv"}
	for _, cat := range []string{"sentences", "word-pairs"} {
		var per []string
		var sum float64
		for _, l := range others {
			texts := readLines(t, filepath.Join("langid", cat, l+".txt"))
			n := 0
			for _, text := range texts {
				if d.Detect(text) == "" {
					n++
				}
			}
			share := float64(n) / float64(len(texts))
			sum += share
			per = append(per, fmt.Sprintf("%s %.0f", l, 100*share))
		}
		t.Logf("%s in other languages called unknown (%%): %s", cat, strings.Join(per, ", "))
		if cat == "sentences" {
			assert.GreaterOrEqual(t, sum/float64(len(others)), 0.4)
		}
	}
}
