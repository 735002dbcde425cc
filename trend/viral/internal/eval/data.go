// Package eval scores package viral on the shared cascade data: per
// source, per horizon, on cascades it never saw, and refits the few
// numbers viral ships (the 80% range, the Twitter rhythm) to check them.
// It is evaluation code: nothing in the run-time package imports it.
package eval

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/trend/viral"
)

// Set is one source of cascades.
type Set struct {
	Name     string
	Cascades []viral.Cascade
	// Timed is true when the post times are real, so a daily rhythm can
	// be applied; Followers when follower counts are known.
	Timed, Followers bool
}

// The shared data's folders, relative to its root.
const (
	DirSEISMIC = "cascades"
	DirSMH     = "cascades-extra/smh"
	DirAuspol  = "cascades-extra/auspol"
	DirOne     = "cascades-extra/seismic"
	DirTrees   = "cascades-extra/twitter15_16"
)

// The names of the sets [Load] returns, in its order.
const (
	SEISMIC = "seismic50" // the 50 shared TiDeH/SEISMIC cascades
	SMH     = "smh"
	Auspol  = "auspol"
	One     = "seismic1" // the one cascade of the CRAN seismic package
	Trees   = "twitter1516"
)

// Load reads every source under the shared data root.
func Load(root string) ([]Set, error) {
	var sets []Set
	for _, s := range []struct {
		name, dir        string
		timed, followers bool
	}{
		{SEISMIC, DirSEISMIC, true, true},
		{SMH, DirSMH, false, true},
		{Auspol, DirAuspol, false, true},
		{One, DirOne, true, true},
	} {
		cs, err := viral.ReadDir(filepath.Join(root, s.dir))
		if err != nil {
			return nil, err
		}
		if s.name == One {
			// the real post time (its SOURCE.md: Twitter id
			// 127001313513967616); the file says day 0
			for i := range cs {
				cs[i].Posted = time.Date(2011, time.October, 20, 12, 40, 47, 0, time.UTC)
			}
		}
		sets = append(sets, Set{Name: s.name, Cascades: cs, Timed: s.timed, Followers: s.followers})
	}
	var trees []viral.Cascade
	for _, f := range []string{"twitter15.tsv", "twitter16.tsv"} {
		cs, err := readTreesFile(filepath.Join(root, DirTrees, f))
		if err != nil {
			return nil, err
		}
		trees = append(trees, cs...)
	}
	return append(sets, Set{Name: Trees, Cascades: trees}), nil
}

func readTreesFile(name string) ([]viral.Cascade, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cs, err := ReadTrees(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(name), err)
	}
	return cs, nil
}

// ErrTrees reports a malformed Twitter15/16 file.
var ErrTrees = errors.New("eval: bad trees file")

// ReadTrees parses the Twitter15/16 TSV of cascades-extra (see its
// SOURCE.md): a header line, then cascade_id, label, n_retweets, n_other,
// retweet_delays_s (space-separated seconds) and other_delays_s. Each
// cascade's retweets become its reshares, with unknown (-1) follower
// counts; the post time is unknown, so Posted is viral.Epoch() (the set
// is not Timed).
func ReadTrees(r io.Reader) ([]viral.Cascade, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<26)
	var cs []viral.Cascade
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			if !strings.HasPrefix(text, "cascade_id\t") {
				return nil, fmt.Errorf("%w: line 1: want the header", ErrTrees)
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fs := strings.Split(text, "\t")
		if len(fs) != 6 {
			return nil, fmt.Errorf("%w: line %d: want 6 fields, got %d", ErrTrees, line, len(fs))
		}
		n, err := strconv.Atoi(fs[2])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: line %d: bad n_retweets %q", ErrTrees, line, fs[2])
		}
		c := viral.Cascade{ID: fs[0], Posted: viral.Epoch(), Followers: -1, Reshares: make([]viral.Reshare, 0, min(n, 1<<16))}
		for _, d := range strings.Fields(fs[4]) {
			s, err := strconv.ParseInt(d, 10, 64)
			if err != nil || s < 0 || s > 1e10 {
				return nil, fmt.Errorf("%w: line %d: bad delay %q", ErrTrees, line, d)
			}
			c.Reshares = append(c.Reshares, viral.Reshare{Age: time.Duration(s) * time.Second, Followers: -1})
		}
		if len(c.Reshares) != n {
			return nil, fmt.Errorf("%w: line %d: %d delays for %d retweets", ErrTrees, line, len(c.Reshares), n)
		}
		sort.SliceStable(c.Reshares, func(i, j int) bool { return c.Reshares[i].Age < c.Reshares[j].Age })
		cs = append(cs, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if line == 0 {
		return nil, fmt.Errorf("%w: empty", ErrTrees)
	}
	return cs, nil
}
