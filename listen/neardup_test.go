package listen

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
)

// refShingles is the definition of NearDuplicates written plainly: the
// set of 5-rune substrings of the lower-cased text without URLs, white
// space collapsed; as sorted 64-bit hashes of the substrings, for speed.
var (
	urlRE   = regexp.MustCompile(`(?i)(^|\s)(https?://|www\.)\S*`)
	refSeed = maphash.MakeSeed()
)

func refShingles(text string) []uint64 {
	t := urlRE.ReplaceAllString(text, "$1")
	t = strings.Join(strings.Fields(strings.ToLower(t)), " ")
	r := []rune(t)
	var set []uint64
	if len(r) > 0 && len(r) < shingle {
		set = append(set, maphash.String(refSeed, t))
	}
	for i := 0; i+shingle <= len(r); i++ {
		set = append(set, maphash.String(refSeed, string(r[i:i+shingle])))
	}
	slices.Sort(set)
	return slices.Compact(set)
}

func jaccard(a, b []uint64) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			common++
			i++
			j++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}

func TestNormalizeNear(t *testing.T) {
	for in, want := range map[string]string{
		"  Hello\t\nWORLD  ":                    "hello world",
		"see https://t.co/AbC now":              "see now",
		"HTTP://X.Y/z and www.site.com/a b":     "and b",
		"(https://kept.com) whttp://x":          "(https://kept.com) whttp://x",
		"ÉCOLE\u00a0Straße":                     "école straße",
		"https://only.link":                     "",
		"":                                      "",
		"tail https://t.co/x":                   "tail",
		"a\u2003\u2003b":                        "a b",
		"\xff\xfe bad":                          "\ufffd\ufffd bad",
		"@United thanks!!! #Fail http://t.co/1": "@united thanks!!! #fail",
	} {
		assert.Equal(t, want, string(normalizeNear(nil, in)), "%q", in)
	}
}

func TestShingles(t *testing.T) {
	d := NewNearDuplicates(1)
	set := func(text string) []uint32 {
		d.signature(text)
		d.dedupe()
		return slices.Clone(d.set)
	}
	assert.Len(t, set("abcdefg"), 3)
	assert.Len(t, set("abc"), 1)
	assert.Empty(t, set(""))
	assert.Len(t, set("ééééé"), 1)
	assert.Len(t, set("ééééééééé"), 1, "repeats are one shingle")
	assert.Len(t, set("日本語のテキスト"), 4)
	a, b := set("xabcde"), set("abcdey")
	assert.Equal(t, a[1], b[0], "the same five runes hash the same wherever they are")
	assert.NotEqual(t, set("ab"), set("ba"))
	assert.NotEqual(t, set("abcd"), set("abcdabcd")[:1])
}

// TestSimilarIsExact checks the overlap test against the plain definition
// on random pairs of texts that share much of their words.
func TestSimilarIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the flight was late again and my bag is lost thanks for nothing united delta crew gate seat cancelled")
	text := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = words[r.IntN(len(words))]
		}
		return out
	}
	d := NewNearDuplicates(10)
	agree := map[bool]int{}
	pairs := 3000
	if nearRace {
		pairs = 600
	}
	for range pairs {
		a := text(5 + r.IntN(20))
		b := append([]string(nil), a...)
		for range r.IntN(4) {
			b[r.IntN(len(b))] = words[r.IntN(len(words))]
		}
		if r.IntN(2) == 0 {
			b = append(b, text(r.IntN(3))...)
		}
		ta, tb := strings.Join(a, " "), strings.Join(b, " ")
		want := jaccard(refShingles(ta), refShingles(tb)) >= NearThreshold
		d.signature(tb)
		other := append([]uint32(nil), d.cur...)
		d.signature(ta)
		require.Equal(t, want, d.similar(other), "%q vs %q", ta, tb)
		agree[want]++
	}
	t.Logf("pairs similar: %d, not: %d", agree[true], agree[false])
	assert.Greater(t, agree[true], pairs/10)
	assert.Greater(t, agree[false], pairs/10)
}

func TestNearDuplicatesAdd(t *testing.T) {
	d := NewNearDuplicates(3)
	base := "@united my flight from Denver was cancelled again and nobody at the gate can tell us anything"
	assert.False(t, d.Add(base))
	assert.True(t, d.Add(base), "a copy")
	assert.True(t, d.Add("@Delta "+strings.TrimPrefix(base, "@united ")+" http://t.co/xyz"), "another handle and a link")
	assert.True(t, d.Add(strings.Replace(base, "again", "AGAIN!!", 1)))
	assert.False(t, d.Add("@united thanks for the upgrade, the crew on flight 22 was wonderful"))
	assert.False(t, d.Add("https://just.a/link"), "no text")
	assert.False(t, d.Add("https://just.a/link"))
	assert.False(t, d.Add("Thank you!"))
	assert.True(t, d.Add("thank   you!"))
	// The copies above were not remembered: base is still one of the
	// last three texts kept.
	assert.True(t, d.Add(base))
	assert.False(t, d.Add("one more text to push the first out of the index"))
	assert.False(t, d.Add("and yet another, different enough from the others"))
	assert.False(t, d.Add(base), "forgotten after three other texts")
}

// TestNearDuplicatesLongRun feeds many texts through a small index, so
// that slots and table entries are reused many times, and checks every
// answer against the plain definition over the texts remembered.
func TestNearDuplicatesLongRun(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 50
	d := NewNearDuplicates(n)
	var kept []string
	var sets [][]uint64
	dups, misses, texts := 0, 0, 5000
	if nearRace {
		texts = 1000
	}
	for i := range texts {
		text := fmt.Sprintf("post number %d about topic %d with words %d", r.IntN(200), r.IntN(5), r.IntN(40))
		set := refShingles(text)
		want := false
		for _, s := range sets {
			if jaccard(set, s) >= NearThreshold {
				want = true
				break
			}
		}
		got := d.Add(text)
		if got {
			dups++
		}
		if !got && want {
			misses++ // allowed (probability 1-0.91 at 0.8, less above); never a false alarm
			continue
		}
		require.Equal(t, want, got, "text %d %q", i, text)
		if !got {
			kept = append(kept, text)
			sets = append(sets, set)
			if len(kept) > n {
				kept, sets = kept[1:], sets[1:]
			}
		}
	}
	assert.Greater(t, dups, texts/25)
	t.Logf("%d near-duplicates found, %d missed", dups, misses)
	assert.Less(t, misses, (dups+misses)/20, "the index forgets texts it should remember")
}

// skipEvaluation skips an accuracy evaluation under -short and under the
// race detector (it starts no goroutine).
func skipEvaluation(t *testing.T) {
	if testing.Short() || nearRace {
		t.Skip("an accuracy evaluation: skipped under -short and -race")
	}
}

func airlineTexts(tb testing.TB) []string {
	f, err := os.Open(shared.Path(tb, "airline/tweets.csv"))
	require.NoError(tb, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(tb, err)
	out := make([]string, 0, len(rows)-1)
	for _, r := range rows[1:] {
		out = append(out, r[4])
	}
	return out
}

// nearPairsExact returns every pair i<j of texts with Jaccard >= 0.8, with
// an exact similarity join: shingles ordered rarest first, and a pair
// must share one of the first |A|-ceil(0.8|A|)+1 shingles of either set
// (prefix filtering, Chaudhuri et al. 2006), then is checked in full.
func nearPairsExact(texts []string) map[[2]int]float64 {
	sets := make([][]uint64, len(texts))
	df := map[uint64]int{}
	for i, t := range texts {
		sets[i] = refShingles(t)
		for _, s := range sets[i] {
			df[s]++
		}
	}
	index := map[uint64][]int{}
	pairs := map[[2]int]float64{}
	for j, set := range sets {
		ordered := slices.Clone(set)
		sort.Slice(ordered, func(a, b int) bool {
			if df[ordered[a]] != df[ordered[b]] {
				return df[ordered[a]] < df[ordered[b]]
			}
			return ordered[a] < ordered[b]
		})
		prefix := len(ordered) - int(math.Ceil(float64(len(ordered))*NearThreshold-1e-9)) + 1
		seen := map[int]bool{}
		for _, s := range ordered[:min(prefix, len(ordered))] {
			for _, i := range index[s] {
				if seen[i] {
					continue
				}
				seen[i] = true
				if jc := jaccard(sets[i], set); jc >= NearThreshold {
					pairs[[2]int{i, j}] = jc
				}
			}
			index[s] = append(index[s], j)
		}
	}
	return pairs
}

// TestNearPairsExactIsBruteForce checks the exact join against comparing
// every pair, on 1,500 airline tweets.
func TestNearPairsExactIsBruteForce(t *testing.T) {
	skipEvaluation(t)
	texts := airlineTexts(t)[:1500]
	want := map[[2]int]float64{}
	sets := make([][]uint64, len(texts))
	for i, x := range texts {
		sets[i] = refShingles(x)
	}
	for j := range sets {
		for i := range j {
			if jc := jaccard(sets[i], sets[j]); jc >= NearThreshold {
				want[[2]int{i, j}] = jc
			}
		}
	}
	assert.Equal(t, want, nearPairsExact(texts))
	assert.NotEmpty(t, want)
}

// TestNearDuplicatesAirline measures, on the 14,640 airline tweets in file
// order, the pairs of near-duplicates the index finds (each tweet against
// all earlier ones, all remembered) against the exact pairs.
func TestNearDuplicatesAirline(t *testing.T) {
	skipEvaluation(t)
	texts := airlineTexts(t)
	truth := nearPairsExact(texts)
	d := NewNearDuplicates(len(texts))
	found := map[[2]int]bool{}
	var slotText []int // slots are taken in order: the index is never full
	for j, text := range texts {
		d.signature(text)
		if len(d.cur) == 0 {
			continue
		}
		d.each(func(slot int32) bool {
			found[[2]int{slotText[slot], j}] = true
			return true
		})
		d.keep()
		slotText = append(slotText, j)
	}
	tp := 0
	for p := range found {
		if _, ok := truth[p]; ok {
			tp++
		}
	}
	hist := map[string]int{}
	for _, jc := range truth {
		hist[fmt.Sprintf("%.1f", min(jc, 0.99))]++
	}
	precision, recall := float64(tp)/float64(len(found)), float64(tp)/float64(len(truth))
	t.Logf("airline tweets: %d near-duplicate pairs (by similarity %v); found %d, %d true: precision %.4f, recall %.4f",
		len(truth), hist, len(found), tp, precision, recall)
	assert.GreaterOrEqual(t, precision, 0.99)
	assert.GreaterOrEqual(t, recall, 0.90)
}

// TestNearDuplicatesMemory passes the airline tweets ten times through an
// index of the default size and checks its heap against the figure the
// documentation gives (under 10 MiB).
func TestNearDuplicatesMemory(t *testing.T) {
	skipEvaluation(t)
	texts := airlineTexts(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := NewNearDuplicates(0)
	for range 10 {
		for _, text := range texts {
			d.Add(text)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	mib := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	t.Logf("heap of the index after ten passes: %.1f MiB", mib)
	assert.Less(t, mib, 10.0)
	runtime.KeepAlive(d)
	runtime.KeepAlive(texts) // not freed during the count
}

func TestNearDedupe(t *testing.T) {
	flood := "Win a free trip!!! Follow @spammer and retweet to enter the big giveaway today"
	var in []Post
	for i := range 20 {
		text := flood
		if i%2 == 0 {
			text = fmt.Sprintf("@user%d %s https://t.co/%d", i, flood, i)
		}
		in = append(in, Post{Platform: "x", ID: fmt.Sprint("s", i), Text: text})
		in = append(in, Post{Platform: "x", ID: fmt.Sprint("o", i), Text: fmt.Sprintf("an ordinary post number %d about flights to %d cities", i, i*7)})
	}
	in = append(in, Post{Platform: "x", ID: "like", Kind: KindLike, Subject: "o1"}, Post{Platform: "x", ID: "empty"})
	src := NearDedupe(staticSource(in), 100)
	var ids []string
	for p, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, 23, len(ids), "one of the flood, twenty ordinary posts, the like and the empty post")
	assert.Equal(t, "s0", ids[0])
	st := src.(StatsReporter).Stats()
	assert.Equal(t, int64(19), st.Duplicates)
	assert.Equal(t, int64(23), st.Delivered)

	// A second run shares the index: everything is a duplicate now but the
	// posts without text.
	n := 0
	for _, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n)

	boom := errors.New("boom")
	failing := SourceFunc(func(ctx context.Context) iter.Seq2[Post, error] {
		return func(yield func(Post, error) bool) { yield(Post{}, boom) }
	})
	for _, err := range NearDedupe(failing, 0).Posts(context.Background()) {
		assert.ErrorIs(t, err, boom)
	}
	assert.Panics(t, func() { NearDedupe(nil, 1) })
}

func staticSource(posts []Post) Source {
	return SourceFunc(func(ctx context.Context) iter.Seq2[Post, error] {
		return func(yield func(Post, error) bool) {
			for _, p := range posts {
				if !yield(p, nil) {
					return
				}
			}
		}
	})
}

func FuzzNearDuplicates(f *testing.F) {
	for _, s := range []string{"@united my flight was cancelled", "ab", "", "https://x.y", "ÉCOLE\u00a0Straße \xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d := NewNearDuplicates(4)
		first := d.Add(text)
		require.False(t, first)
		again := d.Add(text)
		d.signature(text)
		require.Equal(t, len(d.cur) > 0, again, "a text is a near-duplicate of itself unless it has no text")
		norm := normalizeNear(nil, text)
		require.Equal(t, string(norm), string(normalizeNear(nil, string(norm))), "normalising is idempotent")
		// signature normalises as normalizeNear does.
		want := slices.Clone(d.cur)
		d.signature(string(norm))
		require.Equal(t, want, d.cur)
	})
}
