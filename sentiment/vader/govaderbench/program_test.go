package govaderbench

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// BenchmarkProgram runs two whole programs over the same 210,000 lines
// (the 4,200 ground-truth tweets 50 times), one after the other in each
// op: examples/sentiment (sentiment/vader, a hand-written JSON line) and
// cmd/govader-sentiment (govader, bufio.Scanner, encoding/json). Output
// goes to /dev/null. It reports each child process's CPU time per line
// (user+system, start-up included) and their ratio.
func BenchmarkProgram(b *testing.B) {
	_, texts := tweets(b)
	dir := b.TempDir()
	input := filepath.Join(dir, "input.txt")
	one := strings.Join(texts, "\n") + "\n"
	if err := os.WriteFile(input, []byte(strings.Repeat(one, 50)), 0o600); err != nil {
		b.Fatal(err)
	}
	lines := 50 * len(texts)
	earshot := build(b, dir, "earshot", "github.com/earshot-dev/earshot/examples/sentiment")
	gov := build(b, dir, "govader", "./cmd/govader-sentiment")
	var te, tg time.Duration
	for b.Loop() {
		te += runCPU(b, earshot, input)
		tg += runCPU(b, gov, input)
	}
	n := float64(b.N * lines)
	b.ReportMetric(float64(te.Nanoseconds())/n, "earshot-cpu-ns/line")
	b.ReportMetric(float64(tg.Nanoseconds())/n, "govader-cpu-ns/line")
	b.ReportMetric(float64(tg)/float64(te), "x")
}

func build(b *testing.B, dir, name, pkg string) string {
	b.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", out, pkg)
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

// runCPU runs prog with input on its standard input and returns the CPU
// time it used.
func runCPU(b *testing.B, prog, input string) time.Duration {
	b.Helper()
	in, err := os.Open(input)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(prog)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, out, os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v", prog, err)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}
