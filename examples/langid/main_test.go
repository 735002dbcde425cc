package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunSample(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), options{}, strings.NewReader(sample), &out))
	assert.Equal(t, "en\nes\nde\nfr\nit\npt\nhi\nar\nhi\nja\nund\n", out.String())
}

func TestRunOneLinePerLine(t *testing.T) {
	var out bytes.Buffer
	in := "the train is late again\r\n\n😡\nel tren llega tarde otra vez" // CRLF, an empty line, no final newline
	require.NoError(t, run(context.Background(), options{text: true}, strings.NewReader(in), &out))
	assert.Equal(t, "en\tthe train is late again\nund\t\nund\t😡\nes\tel tren llega tarde otra vez\n", out.String())
}

func TestFlags(t *testing.T) {
	var stdout bytes.Buffer
	_, err := parseFlags([]string{"-h"}, &stdout)
	assert.ErrorIs(t, err, flag.ErrHelp)
	first, _, _ := strings.Cut(stdout.String(), "\n")
	assert.Contains(t, first, "prints the ISO 639-1 code")
	assert.Contains(t, first, "standard input")
	assert.Contains(t, stdout.String(), "-text")

	for _, args := range [][]string{{"extra"}, {"-bogus"}, {"-text=maybe"}} {
		_, err := parseFlags(args, io.Discard)
		require.Error(t, err, "%q", args)
		assert.False(t, errors.Is(err, flag.ErrHelp))
		assert.True(t, strings.HasPrefix(err.Error(), "langid: "), err.Error())
	}
	o, err := parseFlags([]string{"-text"}, io.Discard)
	require.NoError(t, err)
	assert.True(t, o.text)
}

// A cancelled context (SIGINT, SIGTERM) stops run while it waits for
// input, after writing what it had read.
func TestRunStopsWhileWaiting(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- run(ctx, options{}, inR, outW) }()
	_, err := inW.Write([]byte("the train is late again\n"))
	require.NoError(t, err)
	got := make([]byte, 3)
	_, err = io.ReadFull(outR, got) // written once nothing more is waiting
	require.NoError(t, err)
	assert.Equal(t, "en\n", string(got))
	cancel()
	require.NoError(t, <-done)
	inW.Close() // ends the reader, which waits in Read
}
