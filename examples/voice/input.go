package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/replay"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

// replaySource reads JSON lines and counts the lines it skipped.
type replaySource struct {
	src *replay.Source
	r   *report
}

func newReplay(in io.Reader, r *report) listen.Source {
	return &replaySource{src: replay.New(in), r: r}
}

func (s *replaySource) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		defer func() {
			s.r.skipped += s.src.Stats().Skipped
			if errs := s.src.Errors(); len(errs) > 0 && s.r.skipReason == "" {
				s.r.skipReason = errs[0].Error()
			}
		}()
		for p, err := range s.src.Posts(ctx) {
			if !yield(p, err) {
				return
			}
		}
	}
}

// Column names read from a CSV, first match wins.
var (
	textColumns      = []string{"text"}
	timeColumns      = []string{"tweet_created", "created_at", "created", "time"}
	idColumns        = []string{"tweet_id", "id"}
	authorColumns    = []string{"name", "author", "user"}
	sentimentColumns = []string{"airline_sentiment", "sentiment"}
)

// timeLayouts are the time formats read from a CSV; the last has no zone
// and is read as UTC.
var timeLayouts = []string{time.RFC3339, "2006-01-02 15:04:05 -0700", "1/2/2006 15:04"}

var labelCompound = map[string]float64{"negative": -1, "neutral": 0, "positive": 1}

// row is a CSV record read into a post.
type row struct {
	post  listen.Post
	key   string
	label float64
}

// readCSV reads the CSV file cfg.csv whole, sorts its rows by time and
// feeds them to r, each with the key in column cfg.keyColumn. Rows with a
// bad time or an empty key are skipped and counted. With cfg.reasons it
// first learns complaint reasons from that column.
func readCSV(ctx context.Context, cfg *config, r *report) error {
	path, keyColumn := cfg.csv, cfg.keyColumn
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1 // a short row is skipped, not the end of the file
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: reading the header: %w", path, err)
	}
	col := func(names ...string) int {
		for _, n := range names {
			for i, h := range header {
				if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), n) {
					return i
				}
			}
		}
		return -1
	}
	cKey, cText, cTime := col(keyColumn), col(textColumns...), col(timeColumns...)
	cID, cAuthor, cSentiment := col(idColumns...), col(authorColumns...), col(sentimentColumns...)
	cReason := -1
	if cfg.reasons != "" {
		if cReason = col(cfg.reasons); cReason < 0 {
			return &usageError{err: fmt.Errorf("-reasons %s: no such column in %s", cfg.reasons, path)}
		}
	}
	switch {
	case cKey < 0:
		return &usageError{err: fmt.Errorf("-key %s: no such column in %s (columns: %s)", keyColumn, path, strings.Join(header, ", "))}
	case cText < 0:
		return fmt.Errorf("%s: no text column", path)
	case cTime < 0:
		return fmt.Errorf("%s: no time column (%s)", path, strings.Join(timeColumns, ", "))
	}
	var rows []row
	var examples []linear.Example
	skip := func(line int, why string) {
		r.skipped++
		if r.skipReason == "" {
			r.skipReason = fmt.Sprintf("line %d: %s", line, why)
		}
	}
	for n := 2; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			break
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line, _ := cr.FieldPos(0)
			skip(line, pe.Err.Error())
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if len(rec) != len(header) {
			skip(n, fmt.Sprintf("%d fields, want %d", len(rec), len(header)))
			continue
		}
		at, ok := parseTime(rec[cTime])
		if !ok {
			skip(n, fmt.Sprintf("bad time %q", rec[cTime]))
			continue
		}
		k := strings.TrimSpace(rec[cKey])
		if k == "" {
			skip(n, "no key")
			continue
		}
		p := listen.Post{Platform: "csv", ID: strconv.Itoa(n), Text: rec[cText], Created: at}
		if cID >= 0 && rec[cID] != "" {
			p.ID = rec[cID]
		}
		if cAuthor >= 0 {
			p.Author.Handle = rec[cAuthor]
		}
		p.Repair()
		label := noLabel
		if cSentiment >= 0 {
			if v, ok := labelCompound[strings.ToLower(strings.TrimSpace(rec[cSentiment]))]; ok {
				label = v
			}
		}
		rows = append(rows, row{p, k, label})
		if cReason >= 0 && strings.TrimSpace(rec[cReason]) != "" {
			examples = append(examples, linear.Example{Text: p.Text, Label: strings.TrimSpace(rec[cReason])})
		}
	}
	if cReason >= 0 && ctx.Err() == nil {
		m, err := linear.Train(examples, linear.Config{})
		if err != nil {
			return fmt.Errorf("-reasons %s: %w", cfg.reasons, err)
		}
		r.reasonModel, r.reasonsLearnt = m, len(examples)
		if cfg.reasonsOut != "" {
			if err := saveModel(m, cfg.reasonsOut); err != nil {
				return err
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].post.Created.Before(rows[j].post.Created) })
	var near *listen.NearDuplicates
	if cfg.collapse {
		near = listen.NewNearDuplicates(0)
	}
	keys := make([]string, 1)
	for i, x := range rows {
		if i%1024 == 0 && ctx.Err() != nil {
			break
		}
		if near != nil && near.Add(x.post.Text) {
			r.collapsed++
			continue
		}
		keys[0] = x.key
		r.add(ctx, x.post, keys, x.label)
	}
	sort.Strings(r.keys)
	return nil
}

func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
