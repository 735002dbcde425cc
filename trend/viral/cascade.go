package viral

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Epoch returns the start of the SEISMIC data collection, 7 October 2011
// 00:00 UTC: a cascade file's post time D counts days from it.
func Epoch() time.Time { return time.Date(2011, time.October, 7, 0, 0, 0, 0, time.UTC) }

// Reshare is one reshare of a cascade.
type Reshare struct {
	Age       time.Duration // since the original post
	Followers int           // of the resharer
}

// Cascade is one post and its reshares, as in the SEISMIC/TiDeH data set's
// files (see [ReadCascade]).
type Cascade struct {
	ID        string
	Posted    time.Time // Epoch() plus the file's day offset
	Followers int       // of the original poster
	Reshares  []Reshare // sorted by Age
}

// Final returns the number of reshares within horizon of the post.
func (c *Cascade) Final(horizon time.Duration) int {
	return sort.Search(len(c.Reshares), func(i int) bool { return c.Reshares[i].Age >= horizon })
}

// ObservedBy returns the number of reshares with Age <= at.
func (c *Cascade) ObservedBy(at time.Duration) int {
	return sort.Search(len(c.Reshares), func(i int) bool { return c.Reshares[i].Age > at })
}

// ErrFormat reports a cascade file that does not follow the format.
var ErrFormat = errors.New("viral: bad cascade file")

// ParseError locates a format error in a cascade file.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("viral: cascade line %d: %s", e.Line, e.Msg) }

// Unwrap returns [ErrFormat].
func (e *ParseError) Unwrap() error { return ErrFormat }

// maxReshares bounds the reshare count a file header may announce.
const maxReshares = 50_000_000

// ReadCascade parses one cascade file:
//
//	R D        R reshares follow; the post was made D days after Epoch()
//	0 F        the original post, at time 0, by an account with F followers
//	T F        R lines: a reshare T seconds after the post by an account
//	...        with F followers
//
// Numbers are separated by spaces or tabs; blank lines and trailing spaces
// are allowed. The reshare count must match R. Reshares out of time order
// are sorted; negative times or follower counts, and non-numbers, are
// errors. The returned error unwraps to [ErrFormat] for bad content.
func ReadCascade(r io.Reader, id string) (Cascade, error) {
	c := Cascade{ID: id}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line, data := 0, 0
	want := -1
	sorted := true
	for sc.Scan() {
		line++
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 {
			continue
		}
		if len(fs) != 2 {
			return c, &ParseError{line, fmt.Sprintf("want 2 fields, got %d", len(fs))}
		}
		switch data {
		case 0:
			n, err := strconv.Atoi(fs[0])
			if err != nil || n < 0 || n > maxReshares {
				return c, &ParseError{line, fmt.Sprintf("bad reshare count %q", fs[0])}
			}
			d, err := strconv.ParseFloat(fs[1], 64)
			if err != nil || math.IsNaN(d) || d < 0 || d > 1e5 {
				return c, &ParseError{line, fmt.Sprintf("bad post day %q", fs[1])}
			}
			want = n
			c.Posted = Epoch().Add(time.Duration(d * float64(24*time.Hour)))
			c.Reshares = make([]Reshare, 0, min(n, 1<<16))
		default:
			t, err := strconv.ParseFloat(fs[0], 64)
			if err != nil || math.IsNaN(t) || t < 0 || t > 1e9 {
				return c, &ParseError{line, fmt.Sprintf("bad time %q", fs[0])}
			}
			f, err := strconv.ParseFloat(fs[1], 64)
			if err != nil || math.IsNaN(f) || f < 0 || f > 1e12 {
				return c, &ParseError{line, fmt.Sprintf("bad follower count %q", fs[1])}
			}
			if f > MaxFollowers {
				f = MaxFollowers
			}
			if data == 1 {
				if t != 0 {
					return c, &ParseError{line, "the original post must be at time 0"}
				}
				c.Followers = int(f)
				break
			}
			if len(c.Reshares) >= want {
				return c, &ParseError{line, fmt.Sprintf("more than %d reshares", want)}
			}
			rs := Reshare{Age: time.Duration(t * float64(time.Second)), Followers: int(f)}
			if n := len(c.Reshares); n > 0 && rs.Age < c.Reshares[n-1].Age {
				sorted = false
			}
			c.Reshares = append(c.Reshares, rs)
		}
		data++
	}
	if err := sc.Err(); err != nil {
		return c, fmt.Errorf("viral: read cascade %s: %w", id, err)
	}
	if data < 2 {
		return c, &ParseError{line, "missing header or original post"}
	}
	if len(c.Reshares) != want {
		return c, &ParseError{line, fmt.Sprintf("header says %d reshares, file has %d", want, len(c.Reshares))}
	}
	if !sorted {
		sort.SliceStable(c.Reshares, func(i, j int) bool { return c.Reshares[i].Age < c.Reshares[j].Age })
	}
	return c, nil
}

// ReadDir reads every *.txt cascade file in dir, sorted by ID in natural
// order (RT2 before RT10). The ID is the file name without ".txt".
func ReadDir(dir string) ([]Cascade, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("viral: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("viral: %s is not a folder", dir)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, fmt.Errorf("viral: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("viral: no *.txt cascade files in %s", dir)
	}
	var cs []Cascade
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("viral: %w", err)
		}
		c, err := ReadCascade(f, strings.TrimSuffix(filepath.Base(name), ".txt"))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("viral: %s: %w", filepath.Base(name), err)
		}
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return naturalLess(cs[i].ID, cs[j].ID) })
	return cs, nil
}

// naturalLess orders strings with embedded numbers by value: RT2 < RT10.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
