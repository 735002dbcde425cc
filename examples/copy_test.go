// Package examples_test checks that every example program can be copied
// alone into a new module, as the README invites: it imports only the
// module's public packages (no internal/, no other example) and carries
// its own embedded files.
package examples_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEachExampleBuildsAlone copies each example's files (not its tests)
// into a new module (see modules.build) and builds it offline.
func TestEachExampleBuildsAlone(t *testing.T) {
	m := newModules(t)
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		if !e.IsDir() || !isMain(t, e.Name()) {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			dir := t.TempDir()
			copyExample(t, e.Name(), dir)
			m.build(t, dir, "examples/"+e.Name())
		})
	}
	require.Positive(t, n, "found the example programs")
}

// TestReadmeWiringBuilds builds the README's "Wiring" program the same
// way, with the imports its package names call for, so the first code a
// reader copies keeps compiling as the API changes.
func TestReadmeWiringBuilds(t *testing.T) {
	m := newModules(t)
	readme, err := os.ReadFile(filepath.Join(m.root, "README.md"))
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(readme), "## Wiring\n\n```go\n")
	require.True(t, ok, "README has a Wiring section with a Go block")
	code, _, ok := strings.Cut(rest, "```")
	require.True(t, ok, "the Wiring block ends")

	known := map[string]string{
		"context": "context", "fmt": "fmt", "log": "log", "os": "os", "signal": "os/signal", "time": "time",
		"rate":      "golang.org/x/time/rate",
		"listen":    "github.com/earshot-dev/earshot/listen",
		"mastodon":  "github.com/earshot-dev/earshot/listen/mastodon",
		"sentiment": "github.com/earshot-dev/earshot/sentiment",
		"vader":     "github.com/earshot-dev/earshot/sentiment/vader",
		"trend":     "github.com/earshot-dev/earshot/trend",
	}
	var src strings.Builder
	src.WriteString("package main\n\nimport (\n")
	for name, path := range known {
		if regexp.MustCompile(`\b` + name + `\.[A-Z]`).MatchString(code) {
			fmt.Fprintf(&src, "\t%q\n", path)
		}
	}
	src.WriteString(")\n\n" + code)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(src.String()), 0o644))
	m.build(t, dir, "the README's wiring")
}

// modules builds copies of code as new modules that require only this one.
type modules struct {
	goBin, root string // the go command; this module's directory
	sum         []byte // this module's go.sum, which covers what a copy needs
}

// newModules finds the go command (or skips t) and this module.
func newModules(t *testing.T) modules {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH: skipping the copy test")
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	return modules{goBin, root, sum}
}

// build makes dir a new module that requires only this module, through
// a replace directive to the working tree, and builds it offline.
func (m modules) build(t *testing.T, dir, what string) {
	gomod := "module example.com/copied\n\ngo 1.23.0\n\n" +
		"require github.com/earshot-dev/earshot v0.0.0\n\n" +
		"replace github.com/earshot-dev/earshot => " + m.root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), m.sum, 0o644))
	for _, args := range [][]string{{"mod", "tidy"}, append([]string{"build"}, append(raceFlag, "-o", os.DevNull, ".")...)} {
		cmd := exec.Command(m.goBin, args...)
		cmd.Dir = dir
		// Offline, from the module cache this build filled; no
		// workspace file of the repository applies.
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Run(), "go %s in a copy of %s:\n%s", strings.Join(args, " "), what, out.String())
	}
}

// isMain reports whether dir holds a main package.
func isMain(t *testing.T, dir string) bool {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		if bytes.Contains(b, []byte("\npackage main\n")) || bytes.HasPrefix(b, []byte("package main\n")) {
			return true
		}
	}
	return false
}

// copyExample copies the example's files, without tests and testdata.
func copyExample(t *testing.T, from, to string) {
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	require.NoError(t, err)
}
