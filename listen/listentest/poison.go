package listentest

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/earshot-dev/earshot/listen"
)

// Poison checks what a source does with an item it cannot decode.
// newSource builds a source, with logger as its logger and onSkip as its
// WithOnSkip hook, whose server sends good posts and, among them, one item
// that does not decode, with ID badID. Poison reads good posts and fails
// unless all of them arrive, the bad item was counted in Stats.Skipped
// (for a StatsReporter), logged at warn with its ID, and handed to the
// hook with its ID and reason.
func Poison(t *testing.T, good int, badID string, newSource func(t *testing.T, logger *slog.Logger, onSkip func(*listen.DecodeError)) listen.Source) {
	t.Helper()
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var mu sync.Mutex
	var skips []*listen.DecodeError
	src := newSource(t, logger, func(de *listen.DecodeError) {
		mu.Lock()
		defer mu.Unlock()
		skips = append(skips, de)
	})
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	n := 0
	for _, err := range src.Posts(ctx) {
		if err != nil {
			t.Fatalf("after %d posts: %v (one bad item must not end the source)", n, err)
		}
		if n++; n == good {
			break
		}
	}
	if n < good {
		t.Fatalf("got %d posts, want the %d good ones (ctx: %v)", n, good, ctx.Err())
	}
	mu.Lock()
	defer mu.Unlock()
	var found *listen.DecodeError
	for _, de := range skips {
		if de.ID == badID {
			found = de
		}
	}
	switch {
	case found == nil:
		t.Errorf("the skip hook did not get item %q (got %v)", badID, skips)
	case found.Err == nil || !errors.Is(found, found.Err):
		t.Errorf("skip of %q without a reason", badID)
	case found.Platform == "":
		t.Errorf("skip of %q without a platform", badID)
	}
	if r, ok := src.(listen.StatsReporter); ok && r.Stats().Skipped < 1 {
		t.Errorf("Stats.Skipped = %d, want the bad item counted", r.Stats().Skipped)
	}
	warned := false
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, badID) {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning naming %q in the log:\n%s", badID, logs.String())
	}
}
