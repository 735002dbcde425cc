// Command voice reports how much of the conversation each key has (share
// of voice), who drives it and why its alerts fired, from posts in JSON
// lines (as listen/replay writes them), from a CSV file, or from its
// embedded sample: three days of posts about three fictional coffee
// roasters, with a product recall, a copy-paste flood and an influencer.
//
//	go run ./examples/voice
//	go run ./examples/voice -replay posts.jsonl -key 'acme=acme OR @acme' -key 'rival=rival OR @rival'
//	go run ./examples/voice -csv tweets.csv -key airline
//
// It prints, on standard output, a CSV row per key and hour:
//
//	key,hour,mentions,authors,negative,neutral,positive,share
//
// (hour in RFC 3339, UTC; share is the key's part of that hour's mentions
// of all keys, in [0,1]; hours with no mention of any key are left out),
// then, after a blank line, lines starting with '#': each key's top
// authors on the last day of the input (by mentions, by reach, advocates
// and detractors), the alerts raised (volume spikes, a rise in negative
// posts, influencers) with what stood out in each, and counts of what
// was collapsed or dropped.
//
// With -replay or the sample, each -key is NAME=QUERY (see listen.Compile)
// and posts are scored with VADER. With -csv, -key names the column that
// holds each row's key; the columns text and one of tweet_created,
// created_at, created or time are required; tweet_id or id, name, author
// or user, and airline_sentiment or sentiment (negative, neutral,
// positive) are used when present. Times are RFC 3339, "2006-01-02
// 15:04:05 -0700", or "1/2/2006 15:04" (read as UTC). A CSV is read whole
// and sorted by time; JSON lines are taken in the order given.
//
// -reasons labels each key's negative posts with a complaint reason and
// reports the mix. With -csv it names a column of reasons to learn them
// from (rows where it is empty are not used; -reasons-out saves the model),
// as in
//
//	go run ./examples/voice -csv tweets.csv -key airline -reasons negativereason -reasons-out reasons.model
//
// and otherwise it is such a model file, or one examples/train wrote from
// label<TAB>text lines. On the airline tweets a model with the default
// settings tells the nine reasons apart with a macro-F1 of 0.58 (5-fold
// cross-validation; see BENCHMARKS.md).
//
// Near-duplicate posts (copy-paste floods) are dropped and counted unless
// -collapse=false. The metrics keep 31 days of hours: older mentions are
// counted as dropped. Ctrl-C or SIGTERM stops reading; what was read is
// reported.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

//go:embed sample.jsonl.gz
var sampleData []byte

// The keys of the embedded sample.
var sampleKeys = []string{
	"larkspur=larkspur OR @larkspur",
	"brightcup=brightcup OR @brightcup OR #brightcuprecall",
	`hollowoak="hollow oak" OR hollowoak OR @hollowoak`,
}

const usage = `voice reports share of voice per key and hour, top authors and why alerts fired, from the embedded sample (three coffee roasters), a -replay file of JSON lines or a -csv file.

Usage: voice [flags]`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr), os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is a bad command line: exit status 2.
type usageError struct {
	err     error
	printed bool // by the flag package, with the usage
}

func (e *usageError) Error() string { return e.err.Error() }

func badUsage(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		if !ue.printed {
			fmt.Fprintln(stderr, "voice:", err)
		}
		return 2
	}
	fmt.Fprintln(stderr, "voice:", err)
	return 1
}

// keyFlags collects repeated -key flags.
type keyFlags []string

func (k *keyFlags) String() string     { return strings.Join(*k, " ") }
func (k *keyFlags) Set(s string) error { *k = append(*k, s); return nil }

type config struct {
	replay, csv string
	keys        []key  // for JSON lines
	keyColumn   string // for CSV
	top         int
	collapse    bool
	reasons     string // CSV: a column to learn reasons from; else a model file
	reasonsOut  string // where to save a model learnt from a CSV
}

// key is a NAME=QUERY of the command line.
type key struct {
	name  string
	query *listen.Query
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("voice", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	var cfg config
	var ks keyFlags
	fs.StringVar(&cfg.replay, "replay", "", "read posts from this JSON-lines file (optionally gzip) instead of the sample")
	fs.StringVar(&cfg.csv, "csv", "", "read posts from this CSV file (with a header line) instead of the sample")
	fs.Var(&ks, "key", "with -replay or the sample: a key as NAME=QUERY (repeatable); with -csv: the column holding each row's key")
	fs.IntVar(&cfg.top, "top", 3, "authors listed per key and list (1 to 50)")
	fs.BoolVar(&cfg.collapse, "collapse", true, "drop near-duplicate posts (copy-paste floods)")
	fs.StringVar(&cfg.reasons, "reasons", "", "label negative posts with complaint reasons: with -csv, the column to learn them from; else a model file")
	fs.StringVar(&cfg.reasonsOut, "reasons-out", "", "with -csv and -reasons: save the model learnt to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err: err, printed: true}
	}
	switch {
	case fs.NArg() > 0:
		return nil, badUsage("unexpected arguments %q", fs.Args())
	case cfg.top < 1 || cfg.top > 50:
		return nil, badUsage("-top %d: want 1 to 50", cfg.top)
	case cfg.replay != "" && cfg.csv != "":
		return nil, badUsage("-replay and -csv: give one input")
	case cfg.reasonsOut != "" && (cfg.csv == "" || cfg.reasons == ""):
		return nil, badUsage("-reasons-out needs -csv and -reasons COLUMN")
	}
	if cfg.csv != "" {
		if len(ks) != 1 || strings.Contains(ks[0], "=") {
			return nil, badUsage("-csv needs one -key naming the key column, as in -key airline")
		}
		cfg.keyColumn = ks[0]
		return &cfg, nil
	}
	if len(ks) == 0 {
		if cfg.replay != "" {
			return nil, badUsage("-replay needs at least one -key NAME=QUERY")
		}
		ks = sampleKeys
	}
	seen := map[string]bool{}
	for _, k := range ks {
		name, query, ok := strings.Cut(k, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.TrimSpace(query) == "" {
			return nil, badUsage("-key %q: want NAME=QUERY", k)
		}
		if seen[name] {
			return nil, badUsage("-key %q: %s given twice", k, name)
		}
		seen[name] = true
		q, err := listen.Compile(query)
		if err != nil {
			return nil, badUsage("-key %q: %v", k, err)
		}
		cfg.keys = append(cfg.keys, key{name, q})
	}
	return &cfg, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parse(args, stderr)
	if err != nil {
		return err
	}
	r := newReport(cfg.top)
	if cfg.csv != "" {
		err = readCSV(ctx, cfg, r)
	} else {
		if cfg.reasons != "" {
			if r.reasonModel, err = loadModel(cfg.reasons); err != nil {
				return err
			}
		}
		err = readJSON(ctx, cfg, r)
	}
	if err != nil {
		return err
	}
	return r.write(stdout)
}

// readJSON feeds the posts of the replay file or the sample to r, with
// the keys whose queries match them.
func readJSON(ctx context.Context, cfg *config, r *report) error {
	var in io.Reader
	if cfg.replay != "" {
		f, err := os.Open(cfg.replay)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	} else {
		zr, err := gzip.NewReader(bytes.NewReader(sampleData))
		if err != nil {
			return err
		}
		in = zr
	}
	var src listen.Source = newReplay(in, r)
	if cfg.collapse {
		src = listen.NearDedupe(src, 0)
		defer func() { r.collapsed = src.(listen.StatsReporter).Stats().Duplicates }()
	}
	var keys []string
	for p, err := range src.Posts(ctx) {
		if err != nil {
			return err
		}
		if p.Kind != listen.KindPost {
			continue
		}
		keys = keys[:0]
		for _, k := range cfg.keys {
			if k.query.Match(&p) {
				keys = append(keys, k.name)
			}
		}
		r.add(ctx, p, keys, noLabel)
	}
	for _, k := range cfg.keys {
		r.key(k.name)
	}
	return nil
}

// loadModel reads a sentiment/linear model file.
func loadModel(path string) (*linear.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := linear.Load(f)
	if err != nil {
		return nil, fmt.Errorf("-reasons %s: %w", path, err)
	}
	return m, nil
}

// saveModel writes m to path whole or not at all.
func saveModel(m *linear.Model, path string) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
