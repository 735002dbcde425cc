// Package replay reads and writes posts as JSON lines, one [listen.Post]
// per line, so that a live stream can be recorded and replayed later,
// at its own pace or faster, through the same pipeline.
//
// A replay file looks like this (one object per line; fields as in
// listen.Post's JSON tags):
//
//	{"platform":"mastodon","id":"1093","author":{"handle":"ana@example.social"},"text":"Larkspur's new lids leak","created":"2026-03-02T09:14:00Z"}
//
// # Bad input
//
// A line that is not valid JSON, lacks a platform or an ID, or is longer
// than the line limit is skipped: the source counts it in
// [listen.Stats.Skipped], keeps the first errors for [Source.Errors] and
// calls the [WithOnError] callback, then goes on with the next line. It
// never ends the replay. Invalid UTF-8 in text is replaced with U+FFFD.
// Input compressed with gzip is detected and decompressed.
package replay

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/listen"
)

// defaultMaxLine is the longest line read by default.
const defaultMaxLine = 1 << 20

// maxKept bounds the errors a Source keeps for Errors.
const maxKept = 100

// LineError reports a line that was skipped.
type LineError struct {
	Line int // 1-based
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("replay: line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ErrLineTooLong is the cause of a [LineError] for a line over the limit.
var ErrLineTooLong = errors.New("line too long")

// Option configures a [Source].
type Option func(*config)

type config struct {
	speed   float64
	onError func(*LineError)
	maxLine int
}

// WithSpeed replays posts paced by their Created times, with every gap
// divided by factor: 1 is real time, 3600 replays an hour per second. The
// default, 0, replays as fast as the loop takes posts. Gaps of posts out of
// order (negative) are not waited for.
func WithSpeed(factor float64) Option { return func(c *config) { c.speed = factor } }

// WithOnError calls f for every skipped line, from the goroutine that
// ranges over the posts.
func WithOnError(f func(*LineError)) Option { return func(c *config) { c.onError = f } }

// WithMaxLine sets the longest line that is read (default 1 MiB);
// longer lines are skipped with [ErrLineTooLong].
func WithMaxLine(n int) Option { return func(c *config) { c.maxLine = n } }

// Source replays posts from JSON lines. It is safe to call Stats and Errors
// while the source runs.
type Source struct {
	open func() (io.ReadCloser, error)
	cfg  config

	counters listen.Counters
	mu       sync.Mutex
	errs     []*LineError
}

// New returns a source that reads r. Posts reads r from where it is, so
// a second run goes on after the first; use [Open] for a file that can be
// replayed again from the start.
func New(r io.Reader, opts ...Option) *Source {
	return newSource(func() (io.ReadCloser, error) { return io.NopCloser(r), nil }, opts)
}

// Open returns a source that replays the file at path, opening it afresh
// on every call of Posts. A missing file is reported as the final error of
// the first run.
func Open(path string, opts ...Option) *Source {
	return newSource(func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		return f, nil
	}, opts)
}

func newSource(open func() (io.ReadCloser, error), opts []Option) *Source {
	s := &Source{open: open}
	for _, o := range opts {
		o(&s.cfg)
	}
	if s.cfg.maxLine <= 0 {
		s.cfg.maxLine = defaultMaxLine
	}
	if s.cfg.speed < 0 {
		s.cfg.speed = 0
	}
	return s
}

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.counters.Stats() }

// Errors returns the first skipped lines' errors (at most 100).
func (s *Source) Errors() []*LineError {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*LineError(nil), s.errs...)
}

func (s *Source) skip(line int, err error) {
	le := &LineError{Line: line, Err: err}
	s.counters.Skip()
	s.mu.Lock()
	if len(s.errs) < maxKept {
		s.errs = append(s.errs, le)
	}
	s.mu.Unlock()
	if s.cfg.onError != nil {
		s.cfg.onError(le)
	}
}

// Posts implements [listen.Source]. The sequence ends at the end of the
// input, when ctx is done, or with a final error if the input cannot be
// read (a skipped line is not an error of the sequence).
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		rc, err := s.open()
		if err != nil {
			yield(listen.Post{}, err)
			return
		}
		defer rc.Close()
		br := bufio.NewReaderSize(rc, 64<<10)
		var r io.Reader = br
		if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
			zr, err := gzip.NewReader(br)
			if err != nil {
				yield(listen.Post{}, fmt.Errorf("replay: gzip: %w", err))
				return
			}
			defer zr.Close()
			r = zr
		}
		lines := bufio.NewReaderSize(r, 64<<10)
		var (
			line    int
			prev    time.Time
			timer   *time.Timer
			longBuf []byte
		)
		defer func() {
			if timer != nil {
				timer.Stop()
			}
		}()
		for {
			if ctx.Err() != nil {
				return
			}
			b, tooLong, err := readLine(lines, s.cfg.maxLine, &longBuf)
			if err == nil || len(b) > 0 || tooLong {
				line++
			}
			if err != nil && !errors.Is(err, io.EOF) {
				if ctx.Err() == nil {
					yield(listen.Post{}, fmt.Errorf("replay: read after line %d: %w", line, err))
				}
				return
			}
			switch {
			case tooLong:
				s.skip(line, ErrLineTooLong)
			case len(bytes.TrimSpace(b)) == 0:
				// blank line
			default:
				p, derr := decode(b)
				if derr != nil {
					s.skip(line, derr)
					break
				}
				if s.cfg.speed > 0 && !prev.IsZero() {
					if gap := p.Created.Sub(prev); gap > 0 {
						d := time.Duration(float64(gap) / s.cfg.speed)
						if timer == nil {
							timer = time.NewTimer(d)
						} else {
							timer.Reset(d)
						}
						select {
						case <-ctx.Done():
							return
						case <-timer.C:
						}
					}
				}
				if p.Created.After(prev) {
					prev = p.Created
				}
				s.counters.Deliver(p.Created, p.Created)
				if !yield(p, nil) {
					return
				}
			}
			if err != nil { // io.EOF
				return
			}
		}
	}
}

// readLine reads one line without its newline. A line longer than max is
// consumed and reported as tooLong. At the end of input err is io.EOF,
// with the last unterminated line (if any) in b.
func readLine(r *bufio.Reader, max int, buf *[]byte) (b []byte, tooLong bool, err error) {
	*buf = (*buf)[:0]
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(*buf)+len(chunk) > max+1 { // +1 for the newline
				tooLong = true
				*buf = (*buf)[:0]
			} else {
				*buf = append(*buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		b = bytes.TrimSuffix(*buf, []byte{'\n'})
		b = bytes.TrimSuffix(b, []byte{'\r'})
		return b, tooLong, err
	}
}

// errMissingKey is the cause of a LineError for a post without platform or ID.
var errMissingKey = errors.New("post has no platform or id")

func decode(b []byte) (listen.Post, error) {
	var p listen.Post
	if err := json.Unmarshal(b, &p); err != nil {
		return listen.Post{}, err
	}
	if p.Platform == "" || p.ID == "" {
		return listen.Post{}, errMissingKey
	}
	p.Repair()
	return p, nil
}

// Writer writes posts as JSON lines in the format [New] reads. It is not
// safe for concurrent use; call Flush when done.
type Writer struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

// NewWriter returns a writer that writes to w through a buffer.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Writer{bw: bw, enc: enc}
}

// Write writes one post as one line.
func (w *Writer) Write(p listen.Post) error {
	if err := w.enc.Encode(p); err != nil {
		return fmt.Errorf("replay: write: %w", err)
	}
	return nil
}

// Flush writes buffered lines to the underlying writer.
func (w *Writer) Flush() error {
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("replay: write: %w", err)
	}
	return nil
}

// Record returns a source that yields the posts of src and writes each one
// to w before yielding it, flushing when the sequence ends. A write error
// ends the sequence with that error.
func Record(src listen.Source, w *Writer) listen.Source {
	return listen.SourceFunc(func(ctx context.Context) iter.Seq2[listen.Post, error] {
		return func(yield func(listen.Post, error) bool) {
			defer w.Flush()
			for p, err := range src.Posts(ctx) {
				if err != nil {
					yield(listen.Post{}, err)
					return
				}
				if werr := w.Write(p); werr != nil {
					yield(listen.Post{}, werr)
					return
				}
				if !yield(p, nil) {
					return
				}
			}
			if err := w.Flush(); err != nil {
				yield(listen.Post{}, err)
			}
		}
	})
}
