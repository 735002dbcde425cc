// Command langid prints the language of each line of text it reads: one
// ISO 639-1 code per input line ("en", "es", "hi"...), or "und" when the
// line's language cannot be told (no letters, or Cyrillic script):
//
//	$ printf 'the train is late again\nel tren llega tarde otra vez\n' | go run ./examples/langid
//	en
//	es
//
// It reads UTF-8 lines from standard input. Run from a terminal with
// nothing piped in, it reads its embedded sample.txt instead (a few lines
// written for this example, in ten languages). -text prints each line
// after its code and a tab. See package langid for what it recognises and
// how well; SIGINT or SIGTERM stops it after the lines already read.
package main

import (
	"bufio"
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

	"github.com/earshot-dev/earshot/langid"
)

//go:embed sample.txt
var sample string

const usage = `langid prints the ISO 639-1 code of each line's language ("und" if unknown); it reads UTF-8 lines from standard input, or its embedded sample when run from a terminal with nothing piped in.

usage: langid [-text] < lines.txt
`

type options struct {
	text bool // -text: print the line after its code
}

func parseFlags(args []string, stdout io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("langid", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, and printed once by main
	fs.BoolVar(&o.text, "text", false, "print each line after its code and a tab")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout) // asking for help is not an error
		fmt.Fprint(stdout, usage)
		fs.PrintDefaults()
		return o, err
	} else if err != nil {
		return o, fmt.Errorf("langid: %w (-h lists the flags)", err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("langid: unexpected arguments %q: text is read from standard input", fs.Args())
	}
	return o, nil
}

// run writes the language of each line of in to out. It stops at the end
// of in, at a read or write error, or when ctx is done (after flushing
// what it wrote); lines are read by a goroutine of their own, so that a
// signal stops the program even while it waits for input.
func run(ctx context.Context, o options, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx) // stops the reader when run returns
	defer cancel()
	d := langid.New()
	type line struct {
		text string
		err  error
	}
	lines := make(chan line, 256)
	go func() {
		defer close(lines)
		r := bufio.NewReaderSize(in, 64<<10)
		for {
			text, err := r.ReadString('\n')
			if text == "" && err != nil {
				if !errors.Is(err, io.EOF) {
					lines <- line{err: err}
				}
				return
			}
			select {
			case lines <- line{text: text}:
			case <-ctx.Done():
				return
			}
		}
	}()
	w := bufio.NewWriterSize(out, 64<<10)
	for {
		var l line
		var ok bool
		select {
		case l, ok = <-lines:
		case <-ctx.Done():
			return w.Flush()
		}
		if !ok {
			return w.Flush()
		}
		if l.err != nil {
			w.Flush()
			return fmt.Errorf("langid: read: %w", l.err)
		}
		text := strings.TrimSuffix(strings.TrimSuffix(l.text, "\n"), "\r")
		code := d.Detect(text)
		if code == "" {
			code = "und"
		}
		w.WriteString(code)
		if o.text {
			w.WriteByte('\t')
			w.WriteString(text)
		}
		if err := w.WriteByte('\n'); err != nil {
			return fmt.Errorf("langid: write: %w", err)
		}
		if len(lines) == 0 { // nothing more waiting: show what we have
			if err := w.Flush(); err != nil {
				return fmt.Errorf("langid: write: %w", err)
			}
		}
	}
}

// interactive reports whether f is a terminal (a character device other
// than /dev/null), where nobody is piping lines in.
func interactive(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var in io.Reader = os.Stdin
	if interactive(os.Stdin) {
		fmt.Fprintln(os.Stderr, "langid: nothing piped in: reading the embedded sample.txt (pipe lines in to read them instead)")
		o.text = true
		in = strings.NewReader(sample)
	}
	if err := run(ctx, o, in, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		stop()
		os.Exit(1)
	}
}
