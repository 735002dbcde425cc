package govaderbench

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/sentiment"
)

// dataDir returns the shared evaluation data: $EARSHOT_SHARED_DATA, or
// shared/data beside a directory above this one. It skips tb when there
// is none.
func dataDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("EARSHOT_SHARED_DATA"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if c := filepath.Join(d, "shared", "data"); isDir(c) {
			return c
		}
		if filepath.Dir(d) == d {
			tb.Skip("shared evaluation data not found (../shared/data beside the repository, or $EARSHOT_SHARED_DATA): skipping")
		}
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// lines returns the lines of a shared file, without line ends.
func lines(tb testing.TB, rel string) []string {
	tb.Helper()
	f, err := os.Open(filepath.Join(dataDir(tb), filepath.FromSlash(rel)))
	if err != nil {
		tb.Skipf("shared evaluation file %s: %v: skipping", rel, err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// tweets returns the 4,200 VADER ground-truth tweets by id.
func tweets(tb testing.TB) (ids []int, texts []string) {
	tb.Helper()
	for _, l := range lines(tb, "sentiment/vader_tweets_groundtruth.tsv") {
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 {
			tb.Fatalf("ground truth line %q", l)
		}
		id, err := strconv.Atoi(f[0])
		if err != nil {
			tb.Fatal(err)
		}
		ids, texts = append(ids, id), append(texts, f[2])
	}
	return ids, texts
}

// reference reads vaderSentiment 3.3.2's scores, "id compound neg neu pos".
func reference(tb testing.TB, rel string) map[int]sentiment.Score {
	tb.Helper()
	out := map[int]sentiment.Score{}
	for i, l := range lines(tb, rel) {
		if i == 0 {
			continue // header
		}
		f := strings.Split(l, "\t")
		var v [5]float64
		for j := range v {
			x, err := strconv.ParseFloat(f[j], 64)
			if err != nil || len(f) != 5 {
				tb.Fatalf("%s line %d: %q", rel, i+1, l)
			}
			v[j] = x
		}
		out[int(v[0])] = sentiment.Score{Compound: v[1], Negative: v[2], Neutral: v[3], Positive: v[4]}
	}
	return out
}

// cpuTime returns the process's user+system CPU time, which, unlike the
// wall clock, does not grow when other processes compete for the cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
