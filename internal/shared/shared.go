// Package shared finds the project's evaluation data, which lives beside
// the repository in ../shared/data and never inside it. Tests and
// benchmarks that read it skip with a clear message when it is absent, as
// it is in a user's clone.
package shared

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Env names an environment variable that overrides where the data is.
const Env = "EARSHOT_SHARED_DATA"

// Dir returns the evaluation data directory, or "" if it cannot be found.
// It looks at $EARSHOT_SHARED_DATA, then for ../shared/data beside the
// directory that holds the module's go.mod, walking up from the working
// directory.
func Dir() string {
	if d := os.Getenv(Env); d != "" {
		if isDir(d) {
			return d
		}
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			if c := filepath.Join(filepath.Dir(d), "shared", "data"); isDir(c) {
				return c
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// Path returns the path of rel inside the evaluation data, skipping tb
// with a clear message when the data (or that file) is absent.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	d := Dir()
	if d == "" {
		announce()
		tb.Skipf("shared evaluation data not found (../shared/data beside the repository, or $%s): skipping", Env)
	}
	p := filepath.Join(d, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared evaluation file %s not found: skipping", rel)
	}
	return p
}

// Lines returns the lines of rel inside the evaluation data, without
// line endings ("\n" or "\r\n"), skipping tb like [Path] when the file is
// absent and failing it when the file cannot be read.
func Lines(tb testing.TB, rel string) []string {
	tb.Helper()
	f, err := os.Open(Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("reading %s: %v", rel, err)
	}
	return out
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
